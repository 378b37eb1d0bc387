"""Adapters against payloads shaped like the real ones (written here from the public API
references and examples: GitHub's REST description, Argo CD's Application type and test data,
PagerDuty's API reference, Alertmanager's OpenAPI as of 0.28+), where they used to go wrong."""

from __future__ import annotations

from typing import Any

import pytest

from cockpit.core.errors import SourceBadResponse
from cockpit.core.models import AlertState, Deploy, Pipeline, RunStatus
from cockpit.sources.argocd import ArgoCdSource
from cockpit.sources.base import SourceContext
from cockpit.sources.github import GitHubSource
from cockpit.sources.pagerduty import PagerDutySource
from tests.api_servers import FakeApi, GitHubApi, LoopbackServer, Reply, Seen
from tests.argocd_api import ArgoCdApi
from tests.pagerduty_server import PagerDutyServer, make_incident, make_oncall

SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
SHA2 = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"


# --- GitHub: workflow runs without a name; one deployment whose statuses answer 404 ----------


def workflow_run(run_id: int, path: str, conclusion: str | None, *, name: str | None = None,
                 display_title: str | None = None, minutes_ago: int = 10) -> dict[str, Any]:
    """A workflow run as the REST description's ``workflow-run`` schema has it: ``name`` is
    nullable (null when the workflow file has no ``name:``), ``path`` is required (the workflow
    file, ``@ref`` appended), ``display_title`` is the run's own title (GHES 3.7+ only)."""
    started = f"2026-11-27T08:{60 - minutes_ago:02d}:00Z"
    run = {
        "id": run_id, "name": name, "node_id": f"WFR_{run_id}", "head_branch": "main", "head_sha": SHA,
        "path": path, "run_number": run_id, "run_attempt": 1, "event": "push",
        "status": "completed" if conclusion else "in_progress", "conclusion": conclusion,
        "workflow_id": abs(hash(path)) % 10**6, "url": f"https://api.github.com/repos/octo/shop/actions/runs/{run_id}",
        "html_url": f"https://github.com/octo/shop/actions/runs/{run_id}", "pull_requests": [],
        "created_at": started, "updated_at": started, "run_started_at": started,
        "actor": {"login": "octocat", "id": 1}, "triggering_actor": {"login": "octocat", "id": 1},
        "jobs_url": "https://api.github.com/repos/octo/shop/actions/runs/1/jobs",
        "head_commit": {"id": SHA, "tree_id": SHA, "message": f"commit {run_id}", "timestamp": started,
                        "author": {"name": "Mona Lisa", "email": "mona@example.com"},
                        "committer": {"name": "Mona Lisa", "email": "mona@example.com"}},
        "repository": {"id": 1, "full_name": "octo/shop"}, "head_repository": {"id": 1, "full_name": "octo/shop"},
    }
    if display_title is not None:
        run["display_title"] = display_title
    return run


def gh_deployment(dep_id: int, environment: str) -> dict[str, Any]:
    return {"url": f"https://api.github.com/repos/octo/shop/deployments/{dep_id}", "id": dep_id, "node_id": f"DE_{dep_id}",
            "sha": SHA, "ref": "v2.0.1", "task": "deploy", "payload": {}, "original_environment": environment,
            "environment": environment, "description": "Deploy request from hubot", "creator": {"login": "hubot", "id": 2},
            "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:05:00Z",
            "statuses_url": f"https://api.github.com/repos/octo/shop/deployments/{dep_id}/statuses",
            "repository_url": "https://api.github.com/repos/octo/shop", "transient_environment": False,
            "production_environment": environment == "production"}


def gh_status(state: str) -> dict[str, Any]:
    return {"id": 1, "state": state, "description": "Deployment finished", "environment": "production",
            "target_url": "https://example.com/deployment/42/output", "log_url": "https://example.com/deployment/42/output",
            "created_at": "2026-11-27T08:04:00Z", "updated_at": "2026-11-27T08:04:00Z", "creator": {"login": "hubot"}}


async def github_fetch(api: GitHubApi, tmp_path, **options):
    with LoopbackServer(api) as server:
        source = GitHubSource("gh", GitHubSource.Options(url=server.url, repos=["octo/shop"], token="t0ken",
                                                          branches=["main"], **options), SourceContext(cache_dir=tmp_path))
        try:
            return await source.fetch()
        finally:
            await source.close()


async def test_unnamed_workflows_stay_apart_by_their_file(tmp_path):
    api = GitHubApi(token="t0ken")
    repo = api.add_repo("octo/shop")
    # GHES before 3.7: no display_title either. Two workflows, each failing.
    repo["runs"] = [workflow_run(3, ".github/workflows/build.yml@main", "failure"),
                    workflow_run(2, ".github/workflows/deploy.yml@main", "failure", minutes_ago=20)]
    result = await github_fetch(api, tmp_path, deployments=0)
    names = sorted(p.name for p in result.items if isinstance(p, Pipeline))
    assert names == ["build.yml", "deploy.yml"]


async def test_a_fixed_failure_of_an_unnamed_workflow_is_dropped_whatever_the_run_titles(tmp_path):
    api = GitHubApi(token="t0ken")
    repo = api.add_repo("octo/shop")
    repo["runs"] = [workflow_run(5, ".github/workflows/ci.yml@main", "success", display_title="Fix the flaky test"),
                    workflow_run(4, ".github/workflows/ci.yml@main", "failure", display_title="Add the cart page",
                                 minutes_ago=30)]
    result = await github_fetch(api, tmp_path, deployments=0)
    assert [p for p in result.items if isinstance(p, Pipeline)] == []  # 4 failed, 5 fixed it: nothing to attend to
    shown = await github_fetch(api, tmp_path, deployments=0, include_succeeded=True)
    (run,) = [p for p in shown.items if isinstance(p, Pipeline)]
    assert run.name == "ci.yml" and run.message == "commit 5"


async def test_one_deployment_whose_statuses_answer_404_degrades_that_item_only(tmp_path):
    api = GitHubApi(token="t0ken")
    repo = api.add_repo("octo/shop")
    repo["runs"] = [workflow_run(3, ".github/workflows/build.yml@main", "failure", name="Build")]
    repo["deployments"] = [gh_deployment(42, "production"), gh_deployment(41, "staging")]
    repo["statuses"] = {42: [gh_status("success")]}  # 41's statuses: 404 Not Found
    result = await github_fetch(api, tmp_path)
    pipelines = [i for i in result.items if isinstance(i, Pipeline)]
    deploys = [i for i in result.items if isinstance(i, Deploy)]
    assert [p.name for p in pipelines] == ["Build"]
    assert [(d.id, d.status) for d in deploys] == [("octo/shop#42", RunStatus.SUCCEEDED)]
    assert result.degraded and "deployment 41" in result.degraded and "HTTP 404" in result.degraded


async def test_when_every_request_fails_the_poll_fails(tmp_path):
    api = GitHubApi(token="t0ken")  # no repo at all: every request answers 404
    with pytest.raises(SourceBadResponse, match="HTTP 404"):
        await github_fetch(api, tmp_path)


# --- Argo CD: the author of every sync ---------------------------------------------------------


def argo_app(name: str, history: list[dict], operation: dict) -> dict[str, Any]:
    """An Application as ``GET /api/v1/applications`` returns it: ``status.history`` entries
    (RevisionHistory) often carry no ``initiatedBy``; ``status.operationState`` holds the last
    operation, with ``operation.initiatedBy`` (``username``, or ``automated: true``)."""
    return {"metadata": {"name": name, "namespace": "argocd"},
            "spec": {"destination": {"server": "https://kubernetes.default.svc", "namespace": "prod"}},
            "status": {"sync": {"status": "Synced", "revision": history[-1]["revision"]}, "health": {"status": "Healthy"},
                       "history": history, "operationState": operation}}


def argo_history(entry_id: int, revision: str, deployed: str) -> dict[str, Any]:
    return {"id": entry_id, "revision": revision, "deployStartedAt": deployed, "deployedAt": deployed,
            "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps", "path": "guestbook", "targetRevision": "HEAD"}}


def argo_operation(phase: str, initiated: dict[str, Any], revision: str = SHA2) -> dict[str, Any]:
    return {"operation": {"sync": {"revision": revision}, "initiatedBy": initiated, "retry": {}},
            "phase": phase, "message": "successfully synced (all tasks run)",
            "startedAt": "2026-11-27T08:00:00Z", "finishedAt": "2026-11-27T08:01:00Z",
            "syncResult": {"revision": revision, "resources": []}}


@pytest.mark.parametrize(("initiated", "author"), [({"username": "admin"}, "admin"),
                                                   ({"automated": True}, "automated sync")])
async def test_argocd_deploys_get_their_author_from_the_operation_in_every_phase(tmp_path, initiated, author):
    api = ArgoCdApi(token="argo")
    api.apps = [argo_app("guestbook", [argo_history(0, SHA, "2026-11-27T07:00:00Z"),
                                       argo_history(1, SHA2, "2026-11-27T08:01:00Z")],
                         argo_operation("Succeeded", initiated))]
    with LoopbackServer(api) as server:
        source = ArgoCdSource("argo", ArgoCdSource.Options(url=server.url, token="argo"), SourceContext(cache_dir=tmp_path))
        try:
            result = await source.fetch()
        finally:
            await source.close()
    newest, older = result.items
    assert (newest.version, newest.status, newest.author) == (SHA2[:7], RunStatus.SUCCEEDED, author)
    assert older.author is None  # the operation says nothing about an older sync


# --- PagerDuty: what the incident's own status says; every escalation level on call ------------


class UnfilteredPagerDuty(PagerDutyServer):
    """A PagerDuty whose answer ignores ``statuses[]`` (as an incident resolved between two pages,
    or a proxy cache, can make it): the source must read each incident's ``status``."""

    def answer(self, request):
        request.query.pop("statuses[]", None)
        return super().answer(request)


async def pd_fetch(api: PagerDutyServer, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGERDUTY_TOKEN", api.token)
    source = PagerDutySource("pd", PagerDutySource.Options(url=api.url, timeout="5s"), SourceContext(cache_dir=tmp_path))
    try:
        return await source.fetch()
    finally:
        await source.close()


async def test_a_resolved_incident_is_not_shown_firing(tmp_path, monkeypatch):
    api = UnfilteredPagerDuty().start()
    api.incidents = [make_incident(1, "Checkout 5xx above 5%"), make_incident(2, "Disk full", status="resolved"),
                     make_incident(3, "Slow search", status="acknowledged")]
    try:
        result = await pd_fetch(api, tmp_path, monkeypatch)
    finally:
        api.stop()
    assert {(a.name, a.state, a.labels["pd_status"]) for a in result.items} == {
        ("Checkout 5xx above 5%", AlertState.FIRING, "triggered"), ("Slow search", AlertState.FIRING, "acknowledged")}


async def test_on_call_shows_every_escalation_level(tmp_path, monkeypatch):
    api = PagerDutyServer().start()
    api.oncalls = [make_oncall("Grace Hopper", "Checkout Escalation", level=2),
                   make_oncall("Ada Lovelace", "Checkout Escalation", level=1),
                   make_oncall("Edsger Dijkstra", "Checkout Escalation", level=3)]
    try:
        result = await pd_fetch(api, tmp_path, monkeypatch)
    finally:
        api.stop()
    text = result.info["on call"]
    assert text.index("Ada Lovelace") < text.index("Grace Hopper") < text.index("Edsger Dijkstra")
    assert "L1" in text and "L2" in text and "L3" in text


# --- Alertmanager 0.28+: status.mutedBy (time intervals) -----------------------------------------


class AlertmanagerApi(FakeApi):
    """``GET /api/v2/alerts`` as Alertmanager 0.28+ answers it (``status.mutedBy`` beside
    ``silencedBy``/``inhibitedBy``; the OpenAPI marks all three required)."""

    sends_etags = False

    def __init__(self, alerts: list[dict[str, Any]]) -> None:
        super().__init__()
        self.alerts = alerts

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/api/v2/alerts":
            return Reply(200, self.alerts)
        if seen.path == "/api/v2/status":
            return Reply(200, {"cluster": {"status": "ready", "peers": []}, "versionInfo": {"version": "0.31.0"},
                               "config": {"original": ""}, "uptime": "2026-11-27T00:00:00Z"})
        return Reply(404, b"not found", {}, "text/plain")


def am_alert(name: str, fingerprint: str, state: str, *, silenced=(), inhibited=(), muted=()) -> dict[str, Any]:
    return {"labels": {"alertname": name, "severity": "warning", "job": "node"},
            "annotations": {"summary": f"{name} summary"}, "receivers": [{"name": "team-x"}],
            "fingerprint": fingerprint, "startsAt": "2026-11-27T08:00:00.000Z", "updatedAt": "2026-11-27T08:00:05.000Z",
            "endsAt": "2026-11-27T08:05:05.000Z", "generatorURL": "http://prometheus:9090/graph",
            "status": {"state": state, "silencedBy": list(silenced), "inhibitedBy": list(inhibited), "mutedBy": list(muted)}}


async def test_an_alert_muted_by_a_time_interval_is_muted_not_silenced_by_a_phantom_silence(tmp_path):
    from cockpit.sources.alertmanager import AlertmanagerSource

    api = AlertmanagerApi([
        am_alert("NightlyBackupSlow", "0000000000000001", "suppressed", muted=["out-of-business-hours"]),
        am_alert("DiskFilling", "0000000000000002", "suppressed", silenced=["7a9a4c2e-1111-2222-3333-444455556666"]),
        am_alert("NodeDown", "0000000000000003", "suppressed", inhibited=["0000000000000009"]),
        am_alert("HighLoad", "0000000000000004", "active"),
    ])
    with LoopbackServer(api) as server:
        source = AlertmanagerSource("am", AlertmanagerSource.Options(url=server.url), SourceContext(cache_dir=tmp_path))
        try:
            result = await source.fetch()
        finally:
            await source.close()
    by_name = {a.name: a for a in result.items}
    muted = by_name["NightlyBackupSlow"]
    assert muted.state is AlertState.SILENCED and muted.silenced_by == [] and muted.inhibited_by == []
    assert muted.muted_by == ["out-of-business-hours"]
    assert by_name["DiskFilling"].state is AlertState.SILENCED and by_name["DiskFilling"].muted_by == []
    assert by_name["NodeDown"].state is AlertState.INHIBITED
    assert by_name["HighLoad"].state is AlertState.FIRING


def test_a_muted_alert_reads_muted_in_the_panel_and_the_text_snapshot():
    """The snapshot JSON keeps the contract's keys and states: such an alert is "silenced" with
    an empty silenced_by; people see "muted" (panel, text and Markdown snapshots, detail)."""
    import json

    from cockpit.core.models import Alert, SourceKind, SourceState
    from cockpit.engine.snapshot import render_json, render_text

    muted = Alert(source="am", fingerprint="01", name="NightlyBackupSlow", state=AlertState.SILENCED,
                  muted_by=["out-of-business-hours"])
    silenced = Alert(source="am", fingerprint="02", name="DiskFilling", state=AlertState.SILENCED, silenced_by=["s1"])
    assert muted.shown_state == "muted" and silenced.shown_state == "silenced"
    state = SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, items=[muted, silenced])
    alerts = {a["name"]: a for a in json.loads(render_json([state]))["alerts"]}
    assert (alerts["NightlyBackupSlow"]["state"], alerts["NightlyBackupSlow"]["silenced_by"]) == ("silenced", [])
    line = next(row for row in render_text([state]).splitlines() if "NightlyBackupSlow" in row)
    assert "muted" in line
