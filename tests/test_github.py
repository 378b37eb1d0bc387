"""The github source against a loopback server answering as GitHub's REST API documents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cockpit.core.models import Deploy, FetchResult, Pipeline, RunStatus
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceAuthError, SourceRateLimited
from cockpit.sources.github import GitHubSource
from tests.api_servers import FAULT_CASES, fetch_error, GitHubApi, LoopbackServer

TOKEN = "ghp_secretsecretsecret0123456789"
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"


def run(run_id: int, name: str, status: str, conclusion: str | None, *, branch: str = "main",
        minutes_ago: int = 10, took: int = 5) -> dict:
    """A workflow run as ``GET /repos/{owner}/{repo}/actions/runs`` lists it."""
    start = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc) - timedelta(minutes=minutes_ago)
    stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return {
        "id": run_id, "name": name, "display_title": f"Change {run_id}", "run_number": run_id,
        "event": "push", "status": status, "conclusion": conclusion, "workflow_id": hash(name) % 1000,
        "head_branch": branch, "head_sha": SHA, "run_attempt": 1,
        "html_url": f"https://github.com/octo/shop/actions/runs/{run_id}",
        "created_at": stamp(start), "run_started_at": stamp(start), "updated_at": stamp(start + timedelta(minutes=took)),
        "actor": {"login": "octocat", "id": 1},
        "head_commit": {"id": SHA, "message": f"Fix checkout {run_id}\n\nlong body",
                        "author": {"name": "Mona Lisa", "email": "mona@example.com"}},
        "repository": {"full_name": "octo/shop"},
    }


def deployment(dep_id: int, ref: str, environment: str, payload: dict | None = None) -> dict:
    """A deployment as ``GET /repos/{owner}/{repo}/deployments`` lists it."""
    return {
        "url": f"https://api.github.com/repos/octo/shop/deployments/{dep_id}", "id": dep_id,
        "sha": SHA, "ref": ref, "task": "deploy", "payload": payload or {}, "environment": environment,
        "description": "Deploy request from hubot", "creator": {"login": "hubot", "id": 2},
        "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:05:00Z",
    }


def status(state: str, minute: int = 4) -> dict:
    """A deployment status as ``…/deployments/{id}/statuses`` lists it (newest first)."""
    return {"id": 1, "state": state, "description": f"state {state}", "environment": "production",
            "target_url": "https://ci.example.com/deploy/1", "log_url": "https://ci.example.com/deploy/1/log",
            "created_at": f"2026-11-27T08:0{minute}:00Z", "creator": {"login": "hubot"}}


@pytest.fixture
def api() -> GitHubApi:
    api = GitHubApi(token=TOKEN)
    repo = api.add_repo("octo/shop", default_branch="trunk")
    repo["runs"] = [
        run(9, "CI", "in_progress", None, branch="trunk", minutes_ago=2),
        run(8, "CI", "completed", "failure", branch="trunk", minutes_ago=20),
        run(7, "Lint", "completed", "success", branch="trunk", minutes_ago=25),
        run(6, "Deploy", "queued", None, branch="trunk", minutes_ago=1),
        run(5, "Lint", "completed", "failure", branch="trunk", minutes_ago=60),  # fixed by run 7
        run(4, "CI", "completed", "failure", branch="feature", minutes_ago=30),
    ]
    repo["deployments"] = [deployment(42, "v1.4.2", "production"),
                           deployment(41, "trunk", "staging", {"service": "cart"})]
    repo["statuses"] = {42: [status("success"), status("in_progress", 1)], 41: [status("failure")]}
    return api


@pytest.fixture
def server(api: GitHubApi):
    with LoopbackServer(api) as srv:
        yield srv


def make(server: LoopbackServer, tmp_path, **options) -> GitHubSource:
    options.setdefault("repos", ["octo/shop"])
    options.setdefault("token", TOKEN)
    opts = GitHubSource.Options(url=server.url, **options)
    return GitHubSource("gh", opts, SourceContext(cache_dir=tmp_path))


def split(result):
    return ([i for i in result.items if isinstance(i, Pipeline)], [i for i in result.items if isinstance(i, Deploy)])


async def test_failed_and_running_runs_on_the_default_branch(server, api, tmp_path):
    source = make(server, tmp_path)
    pipelines, _ = split(await source.fetch())
    await source.close()
    by_id = {p.id: p for p in pipelines}
    # run 9 running, 8 failed, 6 queued; 7 (green) and 5 (failure fixed by 7) dropped; 4 is another branch
    assert set(by_id) == {"octo/shop#9", "octo/shop#8", "octo/shop#6"}
    failed = by_id["octo/shop#8"]
    assert failed.status is RunStatus.FAILED and failed.branch == "trunk" and failed.name == "CI"
    assert failed.author == "Mona Lisa" and failed.message == "Fix checkout 8"
    assert failed.duration_s == 300 and failed.commit == SHA
    assert failed.url == "https://github.com/octo/shop/actions/runs/8"
    assert by_id["octo/shop#9"].status is RunStatus.RUNNING and by_id["octo/shop#9"].duration_s is None
    assert by_id["octo/shop#6"].status is RunStatus.QUEUED
    runs_request = next(r for r in api.requests if r.path.endswith("/actions/runs"))
    assert runs_request.query["branch"] == "trunk" and runs_request.query["per_page"] == "30"
    assert runs_request.headers["x-github-api-version"] == "2022-11-28"


async def test_include_succeeded_and_explicit_branches(server, tmp_path):
    source = make(server, tmp_path, branches=["trunk", "feature"], include_succeeded=True)
    pipelines, _ = split(await source.fetch())
    await source.close()
    assert {p.id for p in pipelines} == {"octo/shop#9", "octo/shop#8", "octo/shop#7", "octo/shop#6", "octo/shop#4"}


async def test_deployments_with_their_latest_status(server, api, tmp_path):
    source = make(server, tmp_path)
    _, deploys = split(await source.fetch())
    await source.close()
    prod, staging = deploys
    assert (prod.service, prod.environment, prod.version, prod.status) == ("shop", "production", "v1.4.2", RunStatus.SUCCEEDED)
    assert prod.author == "hubot" and prod.url == "https://ci.example.com/deploy/1/log"
    assert prod.duration_s == 240
    assert (staging.service, staging.version, staging.status) == ("cart", SHA[:7], RunStatus.FAILED)
    status_requests = [r for r in api.requests if r.path.endswith("/statuses")]
    assert all(r.query["per_page"] == "1" for r in status_requests) and len(status_requests) == 2


async def test_an_unchanged_repo_costs_no_rate_limit_on_the_next_poll(server, api, tmp_path):
    source = make(server, tmp_path)
    first = await source.fetch()
    spent = api.remaining
    sent = len(api.requests)
    second = await source.fetch()
    await source.close()
    assert second == first
    assert api.remaining == spent  # every answer was a 304
    again = api.requests[sent:]
    assert again and all("if-none-match" in r.headers for r in again)
    assert source.not_modified == len(again)


async def test_a_change_after_a_304_is_seen(server, api, tmp_path):
    source = make(server, tmp_path)
    await source.fetch()
    api.repos["octo/shop"]["runs"][0] = run(9, "CI", "completed", "timed_out", branch="trunk", minutes_ago=2)
    pipelines, _ = split(await source.fetch())
    await source.close()
    assert next(p for p in pipelines if p.id == "octo/shop#9").status is RunStatus.FAILED


async def test_token_from_gh_token_and_enterprise_base_url(api, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    with LoopbackServer(api, prefix="/api/v3") as ghe:
        opts = GitHubSource.Options(url=ghe.url, repos=["octo/shop"])
        source = GitHubSource("ghe", opts, SourceContext(cache_dir=tmp_path))
        api.repos["octo/shop"]["statuses"][41] = []
        _, deploys = split(await source.fetch())
        await source.close()
    assert all(r.path.startswith("/repos/") for r in api.requests)  # under /api/v3 on the wire
    undecided = deploys[1]
    assert undecided.status is RunStatus.QUEUED and undecided.finished_at is None
    assert undecided.url == f"{ghe.root}/octo/shop/deployments"


async def test_pagination_follows_link_and_stops_at_max_pages(server, api, tmp_path):
    api.repos["octo/shop"]["runs"] = [run(100 + i, f"wf{i}", "completed", "failure", branch="trunk") for i in range(7)]
    source = make(server, tmp_path, per_page=2, max_pages=3, deployments=0)
    pipelines, _ = split(await source.fetch())
    await source.close()
    pages = [r.query.get("page", "1") for r in api.requests if r.path.endswith("/actions/runs")]
    assert pages == ["1", "2", "3"]  # a fourth page exists and is not read
    assert len(pipelines) == 6


async def test_secondary_rate_limit_says_when_and_holds_back(server, api, tmp_path):
    source = make(server, tmp_path)
    api.fail_next("429")
    with pytest.raises(SourceRateLimited) as caught:
        await source.fetch()
    now = datetime.now(timezone.utc)
    assert caught.value.retry_at and now < caught.value.retry_at <= now + timedelta(seconds=61)
    assert "will retry after" in caught.value.message
    sent = len(api.requests)
    with pytest.raises(SourceRateLimited):
        await source.fetch()
    await source.close()
    assert len(api.requests) == sent  # nothing was sent while the limit lasts


async def test_primary_rate_limit_exhausted_waits_for_reset(server, api, tmp_path):
    api.remaining = 0
    api.reset = int(datetime.now(timezone.utc).timestamp()) + 1200  # GitHub resets within the hour
    source = make(server, tmp_path)
    with pytest.raises(SourceRateLimited) as caught:
        await source.fetch()
    await source.close()
    assert caught.value.retry_at == datetime.fromtimestamp(api.reset, timezone.utc)
    assert "HTTP 403" in caught.value.message


@pytest.mark.parametrize(("fault", "error", "words"), FAULT_CASES)
async def test_faults_map_to_one_line_errors_without_the_token(server, api, tmp_path, fault, error, words):
    api.fail_next(fault, fault)  # the repo (for its default branch) and the deployments: nothing left
    caught = await fetch_error(make(server, tmp_path), error, TOKEN)
    assert words in caught.message


@pytest.mark.parametrize(("fault", "error", "words"), [c for c in FAULT_CASES if c[0] != "401"])
async def test_one_faulty_answer_degrades_the_poll_without_the_token(server, api, tmp_path, fault, error, words):
    api.fail_next(fault)  # the repo request: its runs are missing, its deployments shown
    source = make(server, tmp_path)
    result = await source.fetch()
    await source.close()
    assert words in result.degraded and "octo/shop workflow runs" in result.degraded and TOKEN not in result.degraded
    assert any(isinstance(i, Deploy) for i in result.items)


async def test_expired_token_is_an_auth_error(server, tmp_path):
    source = make(server, tmp_path, token="ghp_expired_token_value")
    with pytest.raises(SourceAuthError) as caught:
        await source.fetch()
    await source.close()
    assert "ghp_expired_token_value" not in caught.value.message


def test_repos_must_be_owner_slash_name():
    with pytest.raises(ValueError, match="owner/name"):
        GitHubSource.Options(repos=["just-a-name"])


async def test_run_history_for_the_report(server: LoopbackServer, api: GitHubApi, tmp_path) -> None:
    repo = api.repos["octo/shop"]
    repo["runs"] = [run(201, "CI", "completed", "success", branch="trunk", minutes_ago=30),
                    run(202, "CI", "completed", "failure", branch="trunk", minutes_ago=300)]
    old = {**deployment(30, "v1.0.0", "production"), "created_at": "2026-11-26T08:00:00Z"}
    repo["deployments"] = [deployment(31, "v1.2.0", "production"), old]
    repo["statuses"] = {31: [status("success")], 30: [status("success")]}
    repo["commits"] = {SHA: {"sha": SHA, "commit": {"committer": {"date": "2026-11-27T07:15:00Z"},
                                                     "author": {"date": "2026-11-27T07:10:00Z"}}}}
    source = make(server, tmp_path)
    since, until = datetime(2026, 11, 27, 6, tzinfo=timezone.utc), datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    try:
        items = await source.run_history(since, until)
    finally:
        await source.close()
    pipelines, deploys = split(FetchResult(items=items))
    assert [p.id for p in pipelines] == ["octo/shop#201"]  # 202 was created before the window
    (deploy,) = deploys
    assert deploy.version == "v1.2.0" and deploy.commit == SHA
    assert deploy.committed_at == datetime(2026, 11, 27, 7, 15, tzinfo=timezone.utc)  # the committer's date
    created = [s.query.get("created") for s in api.requests if s.path.endswith("/actions/runs")]
    assert created == ["2026-11-27T06:00:00Z..2026-11-27T09:00:00Z"]
