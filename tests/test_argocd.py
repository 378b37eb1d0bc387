"""The argocd source against a loopback server answering as Argo CD's /api/v1/applications does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cockpit.core.models import RunStatus
from cockpit.sources.argocd import ArgoCdSource
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceRateLimited
from tests.api_servers import FAULT_CASES, fetch_error, LoopbackServer
from tests.argocd_api import ArgoCdApi

TOKEN = "eyJhbGciOiJIUzI1NiJ9.secret-argocd-jwt.sig"
SHA1 = "4e3c2b1a0f9e8d7c6b5a49382716051f0e1d2c3b"
SHA2 = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"


def app(name: str, namespace: str, history: list[dict], *, sync: str = "Synced", health: str = "Healthy",
        operation: dict | None = None) -> dict:
    """An Application as the list endpoint returns it (with the heavy parts it also carries)."""
    return {
        "metadata": {"name": name, "namespace": "argocd", "uid": f"uid-{name}", "labels": {"team": "shop"},
                     "annotations": {"big": "x" * 500}},
        "spec": {"project": "default",
                 "source": {"repoURL": "https://github.com/octo/gitops.git", "path": f"apps/{name}", "targetRevision": "HEAD"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
                 "syncPolicy": {"automated": {"prune": True}}},
        "status": {
            "sync": {"status": sync, "revision": history[-1]["revision"] if history else None},
            "health": {"status": health},
            "history": history,
            "operationState": operation,
            "resources": [{"kind": "Deployment", "name": name, "status": "Synced"} for _ in range(50)],
            "summary": {"images": [f"registry.example.com/{name}:1.0"]},
            "reconciledAt": "2026-11-27T09:00:00Z", "sourceType": "Kustomize",
        },
    }


def entry(entry_id: int, revision: str, started: str, deployed: str, user: str | None = "admin") -> dict:
    """One status.history entry (a finished sync)."""
    found = {"id": entry_id, "revision": revision, "deployStartedAt": started, "deployedAt": deployed,
             "source": {"repoURL": "https://github.com/octo/gitops.git", "path": "apps/x", "targetRevision": "HEAD"}}
    if user:
        found["initiatedBy"] = {"username": user}
    return found


def op(phase: str, started: str, finished: str | None = None, message: str = "") -> dict:
    """A status.operationState."""
    return {"operation": {"sync": {"revision": SHA2}, "initiatedBy": {"automated": True}},
            "phase": phase, "message": message, "startedAt": started, "finishedAt": finished,
            "syncResult": {"revision": SHA2, "resources": [{"kind": "Service"}] * 20}}


@pytest.fixture
def api() -> ArgoCdApi:
    api = ArgoCdApi(token=TOKEN)
    api.apps = [
        app("checkout", "shop-prod", [entry(0, SHA1, "2026-11-27T07:00:00Z", "2026-11-27T07:02:00Z"),
                                      entry(1, SHA2, "2026-11-27T08:00:00Z", "2026-11-27T08:01:30Z")],
            sync="Synced", health="Degraded"),
        app("cart", "shop-prod", [entry(0, SHA1, "2026-11-27T06:00:00Z", "2026-11-27T06:01:00Z")],
            operation=op("Running", "2026-11-27T09:00:00Z"), sync="OutOfSync", health="Progressing"),
        app("redis", "data", [entry(3, "17.3.2", "2026-11-27T05:00:00Z", "2026-11-27T05:00:40Z", user=None)],
            operation=op("Failed", "2026-11-27T08:30:00Z", "2026-11-27T08:31:00Z", "one or more objects failed to apply")),
        app("old-failure", "data", [entry(0, SHA1, "2026-11-27T08:00:00Z", "2026-11-27T08:05:00Z")],
            operation=op("Failed", "2026-11-27T07:00:00Z", "2026-11-27T07:01:00Z", "fixed since")),
    ]
    return api


@pytest.fixture
def server(api):
    with LoopbackServer(api) as srv:
        yield srv


def make(server, tmp_path, **options) -> ArgoCdSource:
    options.setdefault("token", TOKEN)
    return ArgoCdSource("argo", ArgoCdSource.Options(url=server.url, **options), SourceContext(cache_dir=tmp_path))


async def test_history_entries_and_running_sync_are_deploys(server, api, tmp_path):
    source = make(server, tmp_path)
    result = await source.fetch()
    await source.close()
    deploys = result.items
    by_id = {d.id: d for d in deploys}
    assert [d.started_at for d in deploys] == sorted((d.started_at for d in deploys), reverse=True)
    latest = by_id["checkout#1"]
    assert (latest.service, latest.environment, latest.version, latest.status) == ("checkout", "shop-prod", SHA2[:7], RunStatus.SUCCEEDED)
    assert latest.duration_s == 90 and latest.author == "admin"
    assert latest.description == "sync Synced, health Degraded"
    assert latest.url == f"{server.url}/applications/checkout"
    assert by_id["checkout#0"].description is None  # only the newest carries the app status
    running = by_id["cart#op-2026-11-27T09:00:00Z"]
    assert running.status is RunStatus.RUNNING and running.finished_at is None and running.author == "automated sync"
    assert running.description == "sync OutOfSync, health Progressing"
    assert result.info == {"apps": "4", "out of sync": "1", "degraded": "1"}


async def test_a_failed_sync_newer_than_history_is_a_failed_deploy(server, tmp_path):
    source = make(server, tmp_path)
    deploys = (await source.fetch()).items
    await source.close()
    failed = [d for d in deploys if d.status is RunStatus.FAILED]
    assert [d.service for d in failed] == ["redis"]  # old-failure was followed by a good sync
    assert failed[0].description.startswith("one or more objects failed to apply")
    chart = next(d for d in deploys if d.id == "redis#3")
    assert chart.version == "17.3.2" and chart.author is None


async def test_only_the_needed_fields_are_asked_for(server, api, tmp_path):
    source = make(server, tmp_path, projects=["default"], selector="team=shop", history=1)
    deploys = (await source.fetch()).items
    await source.close()
    query = api.requests[-1].query
    assert "items.status.history" in query["fields"] and "resources" not in query["fields"].replace("syncResult.revision", "")
    assert query["projects"] == "default" and query["selector"] == "team=shop"
    assert len([d for d in deploys if d.service == "checkout"]) == 1  # history=1


async def test_no_applications(server, api, tmp_path):
    api.apps = []
    source = make(server, tmp_path)
    result = await source.fetch()
    await source.close()
    assert result.items == [] and result.info["apps"] == "0"


async def test_no_etag_means_no_conditional_request_but_a_proxy_etag_is_used(api, tmp_path):
    with LoopbackServer(api) as server:
        source = make(server, tmp_path)
        await source.fetch()
        await source.fetch()
        await source.close()
    assert not any("if-none-match" in r.headers for r in api.requests)
    api.sends_etags = True  # a caching proxy in front of Argo CD
    with LoopbackServer(api) as server:
        source = make(server, tmp_path)
        first = await source.fetch()
        assert await source.fetch() == first
        await source.close()
    assert source.not_modified == 1


async def test_token_from_argocd_auth_token(server, tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOCD_AUTH_TOKEN", TOKEN)
    source = ArgoCdSource("argo", ArgoCdSource.Options(url=server.url), SourceContext(cache_dir=tmp_path))
    assert len((await source.fetch()).items) > 0
    await source.close()


async def test_proxy_429_with_retry_after(server, api, tmp_path):
    api.fail_next("429")
    caught = await fetch_error(make(server, tmp_path), SourceRateLimited, TOKEN)
    now = datetime.now(timezone.utc)
    assert now + timedelta(seconds=100) < caught.retry_at <= now + timedelta(seconds=121)


@pytest.mark.parametrize(("fault", "error", "words"), FAULT_CASES)
async def test_faults_are_one_line_errors_without_the_token(server, api, tmp_path, fault, error, words):
    api.fail_next(fault)
    caught = await fetch_error(make(server, tmp_path), error, TOKEN)
    assert words in caught.message


def test_url_is_required():
    with pytest.raises(ValueError, match="url is required"):
        ArgoCdSource.Options()


async def test_run_history_takes_every_kept_sync_of_the_window(server, api, tmp_path):
    api.apps[0]["status"]["history"] += [entry(n, SHA1, f"2026-11-27T0{n}:10:00Z", f"2026-11-27T0{n}:12:00Z")
                                         for n in range(2, 6)]
    source = make(server, tmp_path, history=1)
    since, until = datetime(2026, 11, 27, 4, tzinfo=timezone.utc), datetime(2026, 11, 27, 8, 30, tzinfo=timezone.utc)
    runs = await source.run_history(since, until)
    await source.close()
    by_id = {d.id for d in runs}
    # beyond history=1: every entry Argo CD keeps that started in the window; not those before 04:00,
    # not the sync running at 09:00
    assert by_id == {"checkout#0", "checkout#1", "checkout#4", "checkout#5", "cart#0", "redis#3", "old-failure#0",
                     "redis#op-2026-11-27T08:30:00Z"}
    assert all(since <= d.started_at <= until for d in runs)
    assert next(d for d in runs if d.id == "checkout#1").commit == SHA2
