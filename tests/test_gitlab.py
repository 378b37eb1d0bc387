"""The gitlab source against a loopback server answering as GitLab's REST v4 API documents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cockpit.core.models import Deploy, Pipeline, RunStatus
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceBadResponse, SourceRateLimited
from cockpit.sources.gitlab import GitLabSource
from tests.api_servers import FAULT_CASES, fetch_error, GitLabApi, LoopbackServer

TOKEN = "glpat-SECRETsecretSECRET"
SHA = "a91957a858320c0e17f3a0eca7cfacbff50ea29a"


def pipeline(pid: int, status: str, ref: str = "main", *, name: str | None = None, source: str = "push",
             duration: int | None = 312) -> dict:
    """A pipeline as ``GET /projects/:id/pipelines/:pipeline_id`` returns it."""
    return {
        "id": pid, "iid": pid - 40, "project_id": 7, "name": name, "status": status, "source": source,
        "ref": ref, "sha": SHA, "before_sha": SHA, "tag": False, "yaml_errors": None,
        "user": {"id": 1, "username": "ada", "name": "Ada Lovelace", "state": "active"},
        "created_at": "2026-11-27T08:00:00.000Z", "updated_at": "2026-11-27T08:06:00.000Z",
        "started_at": "2026-11-27T08:00:30.000Z", "finished_at": None if duration is None else "2026-11-27T08:05:42.000Z",
        "committed_at": None, "duration": duration, "queued_duration": 0.5, "coverage": None,
        "web_url": f"https://gitlab.example.com/shop/checkout/-/pipelines/{pid}",
    }


def deployment(did: int, status: str, environment: str, *, tag: bool = False, ref: str = "main",
               updated: str = "2026-11-27T08:10:00.000Z") -> dict:
    """A deployment as ``GET /projects/:id/deployments`` lists it."""
    return {
        "id": did, "iid": did, "ref": ref, "sha": SHA, "status": status,
        "created_at": "2026-11-27T08:00:00.000Z", "updated_at": updated,
        "finished_at": "2026-11-27T08:09:00.000Z" if status == "success" else None,
        "user": {"id": 1, "name": "Administrator", "username": "root", "state": "active"},
        "environment": {"id": 9, "name": environment, "external_url": f"https://{environment}.example.com"},
        "deployable": {
            "id": 100 + did, "status": status, "stage": "deploy", "name": "deploy", "ref": ref, "tag": tag,
            "created_at": "2026-11-27T08:00:00.000Z", "started_at": "2026-11-27T08:01:00.000Z",
            "finished_at": "2026-11-27T08:09:00.000Z", "duration": 480.0,
            "web_url": f"https://gitlab.example.com/shop/checkout/-/jobs/{100 + did}",
            "commit": {"id": SHA, "short_id": SHA[:8], "title": "Bump checkout\nmore", "author_name": "Ada"},
        },
    }


@pytest.fixture
def api() -> GitLabApi:
    api = GitLabApi(token=TOKEN)
    project = api.add_project(7, "shop/checkout")
    project["pipelines"] = [
        pipeline(50, "running", duration=None),
        pipeline(49, "failed"),
        pipeline(48, "success", name="nightly", source="schedule"),
        pipeline(47, "failed", name="nightly", source="schedule"),  # fixed by 48
        pipeline(46, "canceled", ref="feature"),
        pipeline(45, "manual", ref="release"),
    ]
    project["deployments"] = [
        deployment(3, "running", "production", updated="2026-11-27T08:30:00.000Z"),
        deployment(2, "success", "production", tag=True, ref="v2.0.1", updated="2026-11-27T08:20:00.000Z"),
        deployment(1, "failed", "staging"),
    ]
    return api


@pytest.fixture
def server(api):
    with LoopbackServer(api) as srv:
        yield srv


def make(server, tmp_path, **options) -> GitLabSource:
    options.setdefault("projects", ["shop/checkout"])
    options.setdefault("token", TOKEN)
    return GitLabSource("gl", GitLabSource.Options(url=server.url, **options), SourceContext(cache_dir=tmp_path))


def split(result):
    return ([i for i in result.items if isinstance(i, Pipeline)], [i for i in result.items if isinstance(i, Deploy)])


async def test_pipelines_needing_attention_with_details(server, api, tmp_path):
    source = make(server, tmp_path)
    pipelines, _ = split(await source.fetch())
    await source.close()
    by_id = {p.id: p for p in pipelines}
    assert set(by_id) == {"shop/checkout#50", "shop/checkout#49", "shop/checkout#46", "shop/checkout#45"}
    failed = by_id["shop/checkout#49"]
    assert failed.status is RunStatus.FAILED and failed.author == "Ada Lovelace" and failed.duration_s == 312
    assert failed.repo == "shop/checkout" and failed.branch == "main" and failed.commit == SHA
    assert failed.url.endswith("/-/pipelines/49")
    assert by_id["shop/checkout#50"].status is RunStatus.RUNNING
    assert by_id["shop/checkout#46"].status is RunStatus.CANCELLED
    assert by_id["shop/checkout#45"].status is RunStatus.QUEUED
    # the project path travels URL-encoded, the token in PRIVATE-TOKEN
    listing = next(r for r in api.requests if r.path.endswith("/pipelines"))
    assert listing.path == "/api/v4/projects/shop%2Fcheckout/pipelines"
    assert listing.headers["private-token"] == TOKEN and "authorization" not in listing.headers
    assert listing.query["per_page"] == "20" and listing.query["sort"] == "desc"


async def test_deployments_newest_first(server, api, tmp_path):
    source = make(server, tmp_path)
    _, deploys = split(await source.fetch())
    await source.close()
    assert [d.id for d in deploys] == ["shop/checkout#3", "shop/checkout#2", "shop/checkout#1"]
    running, tagged, failed = deploys
    assert running.status is RunStatus.RUNNING and running.finished_at is None
    assert (tagged.service, tagged.environment, tagged.version) == ("checkout", "production", "v2.0.1")
    assert tagged.duration_s == 480 and tagged.author == "Administrator" and tagged.description == "Bump checkout"
    assert failed.status is RunStatus.FAILED and failed.version == SHA[:8]
    query = next(r for r in api.requests if r.path.endswith("/deployments")).query
    assert query["order_by"] == "updated_at" and query["sort"] == "desc"


async def test_numeric_project_id_and_ref_filter(server, api, tmp_path, monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    source = GitLabSource("gl", GitLabSource.Options(url=server.url, projects=[7], branches=["feature"]),
                          SourceContext(cache_dir=tmp_path))
    pipelines, _ = split(await source.fetch())
    await source.fetch()
    await source.close()
    assert [p.id for p in pipelines] == ["shop/checkout#46"]
    assert sum(r.path == "/api/v4/projects/7" for r in api.requests) == 1  # the path is asked once


async def test_second_poll_is_all_304(server, api, tmp_path):
    source = make(server, tmp_path)
    first = await source.fetch()
    sent = len(api.requests)
    assert await source.fetch() == first
    await source.close()
    assert source.not_modified == len(api.requests) - sent > 0


async def test_pagination_uses_x_next_page_and_is_bounded(server, api, tmp_path):
    api.projects["7"]["pipelines"] = [pipeline(100 + i, "failed", ref=f"b{i}") for i in range(9)]
    source = make(server, tmp_path, per_page=2, max_pages=2, deployments=0)
    pipelines, _ = split(await source.fetch())
    await source.close()
    pages = [r.query.get("page", "1") for r in api.requests if r.path.endswith("/pipelines")]
    assert pages == ["1", "2"] and len(pipelines) == 4


async def test_429_with_retry_after(server, api, tmp_path):
    api.fail_next("429")
    caught = await fetch_error(make(server, tmp_path), SourceRateLimited, TOKEN)
    now = datetime.now(timezone.utc)
    assert now + timedelta(seconds=0) < caught.retry_at <= now + timedelta(seconds=61)
    assert "HTTP 429" in caught.message and "will retry after" in caught.message


@pytest.mark.parametrize(("fault", "error", "words"), FAULT_CASES)
async def test_faults_are_one_line_errors_without_the_token(server, api, tmp_path, fault, error, words):
    api.fail_next(fault)
    caught = await fetch_error(make(server, tmp_path), error, TOKEN)
    assert words in caught.message


async def test_unknown_project_is_a_bad_response(server, tmp_path):
    source = make(server, tmp_path, projects=["shop/nope"])
    with pytest.raises(SourceBadResponse, match="HTTP 404"):
        await source.fetch()
    await source.close()
