"""The shift report rebuilt from upstream: ALERTS and ALERTS_FOR_STATE backfilled into a REAL
Prometheus with promtool (:mod:`tests.alerts_backfill`), read back with range queries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cockpit.sources.base import SourceContext
from cockpit.sources.prom_history import MAX_POINTS, range_step
from cockpit.sources.prometheus_alerts import PrometheusAlertsSource
from cockpit.core.times import rfc3339 as _iso
from tests.api_servers import GitLabApi, LoopbackServer
from tests.prom_proxy import PromProxy
from tests.pagerduty_server import PagerDutyServer, make_log_entry
from tests.servers import free_port
from tests.alerts_backfill import backfill_prometheus, openmetrics
from tests.shift_data import HOLE, SHIFT_S, shift, shift_end

pytestmark = pytest.mark.server


class Shift:
    def __init__(self, server, end: int) -> None:
        self.server, self.end, self.start = server, end, end - SHIFT_S

    def at(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(self.start + seconds, timezone.utc)


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shift")
    end = shift_end()
    alerts, up = shift(end)
    server = backfill_prometheus(tmp, openmetrics(alerts, up))
    yield Shift(server, end)
    server.stop()


def test_the_step_keeps_every_query_under_prometheus_point_limit() -> None:
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for days in (0.5, 1, 7, 30):
        end = datetime.fromtimestamp(start.timestamp() + days * 86400, timezone.utc)
        step = range_step(start, end)
        assert (end - start).total_seconds() / step + 1 <= MAX_POINTS
    assert range_step(start, datetime.fromtimestamp(start.timestamp() + 12 * 3600, timezone.utc)) == 5


async def test_alert_spans_come_back_from_alerts_and_alerts_for_state(backfilled: Shift, tmp_path: Path) -> None:
    source = PrometheusAlertsSource("prom", PrometheusAlertsSource.Options(url=backfilled.server.url, timeout="20s"),
                                    SourceContext(cache_dir=tmp_path))
    try:
        history = await source.alert_history(backfilled.at(0), backfilled.at(SHIFT_S))
    finally:
        await source.close()
    spans = {(s.name, s.fired_at): s for s in history.spans}
    at, minutes = backfilled.at, 60
    high = spans[("HighErrorRate", at(3600 + 2 * minutes))]
    assert high.activated_at == at(3600) and high.resolved_at == at(3600 + 32 * minutes)
    assert high.severity == "critical" and high.service == "checkout" and not high.carried_over
    disk = sorted(s for (name, s) in spans if name == "DiskFull")
    assert disk == [at(3 * 3600), at(5 * 3600)]
    assert spans[("DiskFull", at(5 * 3600))].resolved_at == at(5 * 3600 + 20 * minutes)
    pending = [s for s in history.spans if s.name == "CpuThrottled"]
    assert len(pending) == 1 and pending[0].fired_at is None and pending[0].activated_at == at(6 * 3600)
    lag = next(s for s in history.spans if s.name == "ReplicaLag")
    assert lag.carried_over and lag.resolved_at == at(30 * minutes)
    still = next(s for s in history.spans if s.name == "LatencyHigh")
    assert still.fired_at == at(11 * 3600) and still.resolved_at is None
    assert history.coverage_known
    assert history.covered == [(at(0), at(HOLE[0])), (at(HOLE[1]), at(SHIFT_S))]


# -- `cockpit report` end to end: an empty state dir, the figures come from upstream ------------------------

ROOT = Path(__file__).resolve().parent.parent
MIN = 60


def _pagerduty(shift: Shift) -> PagerDutyServer:
    """PagerDuty's log entries for two of the shift's pages (and one from before the window)."""
    iso = lambda s: shift.at(s).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    server = PagerDutyServer()
    server.log_entries = [
        make_log_entry("trigger", "PHIGH", "HighErrorRate", iso(3600 + 2 * MIN)),
        make_log_entry("acknowledge", "PHIGH", "HighErrorRate", iso(3600 + 8 * MIN), agent="Ada"),
        make_log_entry("resolve", "PHIGH", "HighErrorRate", iso(3600 + 32 * MIN)),
        make_log_entry("trigger", "PDISK", "DiskFull", iso(3 * 3600)),
        make_log_entry("acknowledge", "PDISK", "DiskFull", iso(3 * 3600 + 2 * MIN), agent="Grace"),
        make_log_entry("acknowledge", "PDISK", "DiskFull", iso(3 * 3600 + 5 * MIN), agent="Ada"),
        make_log_entry("resolve", "PDISK", "DiskFull", iso(3 * 3600 + 10 * MIN)),
        make_log_entry("resolve", "POLD", "ReplicaLag", iso(30 * MIN)),  # triggered before the window
    ]
    return server.start()


def _config(tmp: Path, prom_url: str, pd_url: str | None) -> Path:
    text = f'[[sources]]\nname = "prom"\ntype = "prometheus-alerts"\nurl = "{prom_url}"\ninterval = "1m"\ntimeout = "30s"\n'
    if pd_url:
        text += f'\n[[sources]]\nname = "pd"\ntype = "pagerduty"\nurl = "{pd_url}"\ntoken_env = "PD_TEST_TOKEN"\non_call = false\n'
    path = tmp / "config.toml"
    path.write_text(text)
    return path


def run_report(tmp: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    """``cockpit report`` with its own, empty state and cache dirs under ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(COCKPIT_CACHE_DIR=str(tmp / "cache"), COCKPIT_STATE_DIR=str(tmp / "state"), XDG_STATE_HOME=str(tmp / "xdg-state"),
               XDG_CONFIG_HOME=str(tmp / "xdg-config"), PD_TEST_TOKEN="test-pd-token", TZ="UTC")
    return subprocess.run([sys.executable, "-m", "cockpit", "report", "--config", str(config), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=180)


def _window_args(shift: Shift) -> list[str]:
    return ["--from", shift.at(0).strftime("%Y-%m-%dT%H:%M:%SZ"), "--until", shift.at(SHIFT_S).strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_report_of_a_backfilled_shift_with_an_empty_state_dir(backfilled: Shift, tmp_path: Path) -> None:
    pd = _pagerduty(backfilled)
    try:
        config = _config(tmp_path, backfilled.server.url, pd.url)
        done = run_report(tmp_path / "a", config, *_window_args(backfilled), "--format", "json")
    finally:
        pd.stop()
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    alerts = report["alerts"]
    # HighErrorRate, DiskFull twice, QueueSlow, LatencyHigh; not ReplicaLag (carried), not CpuThrottled (pending)
    assert alerts["fired"] == 5 and alerts["pages"] == 3
    assert alerts["pending_only"] == 1 and alerts["still_firing"] == 1
    assert [c["name"] for c in alerts["carried_over"]] == ["ReplicaLag"]
    assert {row["service"]: row.get("pages", 0) for row in alerts["by_service"]} == {"storage": 2, "checkout": 1, "queue": 0, "api": 0}
    response = report["response"]
    # PagerDuty's log entries: acknowledged after 6 and 2 minutes (the first ack counts), resolved after 30 and 10
    assert response["mtta"]["count"] == 2 and response["mtta"]["mean_s"] == 4 * MIN
    assert response["mttr"]["count"] == 2 and response["mttr"]["mean_s"] == 20 * MIN
    assert "PagerDuty log entries" in response["mttr"]["from"]
    assert response["pagerduty"] == {"incidents": 2, "acknowledged": 2, "resolved": 2, "unacknowledged": 0}
    # the alerts' own MTTR from ALERTS: 30, 10, 20 and 4 minutes
    assert response["alerts_mttr"]["count"] == 4 and response["alerts_mttr"]["mean_s"] == 16 * MIN
    assert [x["name"] for x in report["noise"]["self_resolved"]] == ["QueueSlow"]
    holes = {h["source"]: h for h in report["holes"]}
    assert holes["prom"]["holes"] == [{"start": _iso(backfilled.at(HOLE[0])), "end": _iso(backfilled.at(HOLE[1])),
                                        "kind": "no data upstream", "error": None}]
    assert holes["prom"]["covered_share"] == pytest.approx(11 / 12)
    assert any("count_over_time(ALERTS[" in line for line in report["origins"]["alerts"])


def test_two_cockpits_with_separate_state_print_the_same_figures(backfilled: Shift, tmp_path: Path) -> None:
    config = _config(tmp_path, backfilled.server.url, None)
    outputs = []
    for host in ("bastion-a", "bastion-b"):
        for fmt in ("json", "text"):
            done = run_report(tmp_path / host, config, *_window_args(backfilled), "--format", fmt)
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
    json_a, text_a, json_b, text_b = outputs
    a, b = json.loads(json_a), json.loads(json_b)
    a.pop("generated_at"), b.pop("generated_at")
    assert a == b and a["alerts"]["fired"] == 5
    assert text_a == text_b and "5 alerts fired, 3 pages" in text_a
    # each kept its own state (the report reads history from the state dir; it needs no cache)
    assert (tmp_path / "bastion-a" / "state").is_dir() and (tmp_path / "bastion-b" / "state").is_dir()


def test_an_unreachable_upstream_is_a_hole_and_exit_status_1(tmp_path: Path) -> None:
    config = _config(tmp_path, f"http://127.0.0.1:{free_port()}", None)
    done = run_report(tmp_path, config, "--from", "now-6h", "--until", "now")
    assert done.returncode == 1
    assert "prom" in done.stderr and "connection refused" in done.stderr
    assert "unreachable" in done.stdout and "0 alerts fired" in done.stdout


def test_bad_window_arguments_are_refused_with_status_2(tmp_path: Path) -> None:
    config = _config(tmp_path, f"http://127.0.0.1:{free_port()}", None)
    for args in (["--from", "yesterday"], ["--since", "2h", "--from", "now-3h"], ["--from", "now", "--until", "now-1h"]):
        done = run_report(tmp_path, config, *args)
        assert done.returncode == 2, args
        assert done.stderr.startswith("cockpit report:") and "Traceback" not in done.stderr


# -- DORA's four keys: GitLab's own deployments and pipelines, pages from the backfilled ALERTS --------------


def _gl_deployment(did: int, shift: Shift, version: str, start: int, minutes: int, committed: int,
                   status: str = "success") -> dict:
    """A deployment as GitLab's ``GET /projects/:id/deployments`` lists it (times: seconds into the shift)."""
    iso = lambda s: shift.at(s).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    end = start + minutes * MIN
    return {
        "id": did, "iid": did, "ref": version, "sha": f"{did:040x}", "status": status,
        "created_at": iso(start), "updated_at": iso(end), "finished_at": iso(end),
        "user": {"id": 1, "name": "Ada Lovelace", "username": "ada"},
        "environment": {"id": 9, "name": "production", "external_url": "https://shop.example.com"},
        "deployable": {"id": 100 + did, "status": status, "name": "deploy", "ref": version, "tag": True,
                       "started_at": iso(start), "finished_at": iso(end), "web_url": f"https://gitlab.example.com/j/{did}",
                       "commit": {"id": f"{did:040x}", "short_id": f"{did:08x}", "title": f"release {version}",
                                  "created_at": iso(committed), "committed_date": iso(committed)}},
    }


def _gl_pipeline(pid: int, shift: Shift, status: str, start: int, duration: int) -> dict:
    iso = lambda s: shift.at(s).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    return {"id": pid, "iid": pid, "project_id": 7, "status": status, "source": "push", "ref": "main", "sha": "ab" * 20,
            "created_at": iso(start), "updated_at": iso(start + duration), "started_at": iso(start),
            "finished_at": iso(start + duration), "duration": duration, "web_url": f"https://gitlab.example.com/p/{pid}"}


def test_dora_four_keys_from_gitlab_and_the_rebuilt_pages(backfilled: Shift, tmp_path: Path) -> None:
    api = GitLabApi(token="glpat-dora")
    project = api.add_project(7, "shop/checkout")
    h = 3600
    project["deployments"] = [
        _gl_deployment(1, backfilled, "v1", 30 * MIN, 5, committed=10 * MIN),              # lead 25m
        _gl_deployment(2, backfilled, "v2", 58 * MIN, 2, committed=40 * MIN),              # HighErrorRate pages 2m later
        _gl_deployment(3, backfilled, "v3", 4 * h, 5, committed=3 * h + 5 * MIN),          # lead 60m
        _gl_deployment(4, backfilled, "v4", 6 * h, 5, committed=5 * h),                    # rolled back by 5
        _gl_deployment(5, backfilled, "v3", 6 * h + 20 * MIN, 5, committed=3 * h + 5 * MIN),
        _gl_deployment(6, backfilled, "v5", 7 * h, 3, committed=6 * h + 50 * MIN, status="failed"),
        _gl_deployment(7, backfilled, "v0", -5 * h, 5, committed=-6 * h),                  # before the window
    ]
    project["pipelines"] = [_gl_pipeline(11, backfilled, "success", 2 * h, 300),
                            _gl_pipeline(12, backfilled, "failed", 3 * h, 600),
                            _gl_pipeline(13, backfilled, "success", 9 * h, 120)]
    with LoopbackServer(api) as gitlab:
        config = _config(tmp_path, backfilled.server.url, None)
        config.write_text(config.read_text() + f'\n[[sources]]\nname = "gl"\ntype = "gitlab"\nurl = "{gitlab.url}"\n'
                          'projects = ["shop/checkout"]\nbranches = ["main"]\ntoken = "glpat-dora"\n')
        done = run_report(tmp_path, config, *_window_args(backfilled), "--format", "json")
    assert done.returncode == 0, done.stderr
    dora = json.loads(done.stdout)["dora"]
    frequency = dora["deployment_frequency"]
    assert frequency["deploys"] == 5 and frequency["per_day"] == pytest.approx(10)
    assert frequency["by_target"] == [{"service": "checkout", "environment": "production", "deploys": 5, "per_day": 10.0}]
    assert dora["lead_time"] == {"median_s": 60 * MIN, "sample": 5, "of_deploys": 5}
    cfr = dora["change_failure_rate"]
    assert cfr["sample"] == 6 and cfr["rate"] == pytest.approx(0.5)
    assert [(f["version"], f["why"]) for f in cfr["failures"]] == [
        ("v2", "page HighErrorRate"), ("v4", "rolled back to v3"), ("v5", "failed")]
    assert dora["time_to_restore"] == {"median_s": 20 * MIN, "sample": 3}  # 30, 10 and 20 minutes
    pipelines = dora["pipelines"]
    assert pipelines["sample"] == 3 and pipelines["success_rate"] == pytest.approx(2 / 3)
    assert pipelines["median_duration_s"] == 300


def test_the_timeline_reads_the_same_rebuilt_episodes_through_the_facade(backfilled: Shift, tmp_path: Path) -> None:
    from cockpit.engine.config import load_config
    from cockpit.engine.facade import Engine

    engine = Engine(load_config(_config(tmp_path, backfilled.server.url, None)), tmp_path / "cache", share=False)
    try:
        episodes, failed = engine.alert_episodes(backfilled.at(0), backfilled.at(SHIFT_S))
    finally:
        engine.history.close()
        engine.store.close()
    assert failed == {}
    names = [(e.name, e.origin) for e in episodes]
    # the report's five alerts, plus ReplicaLag carried over into the window; never the pending-only one
    assert sorted(n for n, _ in names) == ["DiskFull", "DiskFull", "HighErrorRate", "LatencyHigh", "QueueSlow", "ReplicaLag"]
    assert {o for _, o in names} == {"upstream"}


async def test_history_through_a_tenant_front_and_an_ha_pair_with_a_dead_replica(backfilled: Shift, tmp_path: Path) -> None:
    proxy = PromProxy(backfilled.server.url, tenant="team-a", prefix="/prometheus").start()
    dead = f"http://127.0.0.1:{free_port()}"
    options = PrometheusAlertsSource.Options(urls=[proxy.url, dead], tenant="team-a", path_prefix="/prometheus",
                                            dedup=True, timeout="20s")
    source = PrometheusAlertsSource("prom", options, SourceContext(cache_dir=tmp_path))
    try:
        history = await source.alert_history(backfilled.at(0), backfilled.at(SHIFT_S))
    finally:
        await source.close()
        proxy.stop()
    assert sorted(s.name for s in history.spans if s.fired_at) == [
        "DiskFull", "DiskFull", "HighErrorRate", "LatencyHigh", "QueueSlow", "ReplicaLag"]
    assert history.degraded is not None and dead in history.degraded
    assert history.covered == [(backfilled.at(0), backfilled.at(HOLE[0])), (backfilled.at(HOLE[1]), backfilled.at(SHIFT_S))]
    ranges = [r for r in proxy.requests if r.path == "/prometheus/api/v1/query_range"]
    assert len(ranges) == 3 and all(r.headers.get("X-Scope-OrgID") == "team-a" and r.params["dedup"] == ["true"] for r in ranges)
    for r in ranges:  # each query stays under Prometheus's 11,000 points
        points = (float(r.params["end"][0]) - float(r.params["start"][0])) / float(r.params["step"][0]) + 1
        assert points <= MAX_POINTS


async def test_the_timeline_screen_its_markdown_and_the_json_report_show_the_same_alert_spans(
        backfilled: Shift, tmp_path: Path) -> None:
    """One window, three readers of the rebuilt history: the `T` screen (Pilot, on the facade), the
    Markdown report's timeline and `cockpit report --format json`, all with an empty state dir."""
    from datetime import timedelta

    from cockpit.core.timeline import marks_from_section, render_timeline
    from cockpit.engine.config import load_config
    from cockpit.ui.screens.timeline import TimelineScreen
    from tests.app_fixtures import FakeEngine, make_app

    config = _config(tmp_path, backfilled.server.url, None)
    since, until = backfilled.at(0), backfilled.at(SHIFT_S)
    engine = FakeEngine([], cache_dir=tmp_path / "state", config=load_config(config))
    app = make_app(engine, clock=lambda: until)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("T", "right_square_bracket", "right_square_bracket")  # 3h -> 6h -> 12h: the shift
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen) and screen.window == timedelta(hours=12)
        section = screen.section
        assert section is not None
        origin = screen.query_one("#timeline-origin").content.plain
        body = screen.query_one("#timeline-lines").content.plain.splitlines()
    assert origin == "alert spans rebuilt from prom's ALERTS history"
    env_dir = tmp_path  # run_report uses tmp/state: the same (empty) state dir as the screen's engine
    report = json.loads(run_report(env_dir, config, *_window_args(backfilled), "--format", "json").stdout)
    markdown = run_report(env_dir, config, *_window_args(backfilled), "--format", "markdown").stdout
    assert report["timeline"]["alerts"] == section["alerts"]
    spans = {(a["name"], a["fired_at"], a["resolved_at"]) for a in section["alerts"]}
    m = 60
    assert ("HighErrorRate", _iso(backfilled.at(3600 + 2 * m)), _iso(backfilled.at(3600 + 32 * m))) in spans
    high_row = next(a for a in section["alerts"] if a["name"] == "HighErrorRate")
    assert high_row["seen_at"] == _iso(backfilled.at(3600))  # pending from ALERTS_FOR_STATE's activation
    assert ("DiskFull", _iso(backfilled.at(5 * 3600)), _iso(backfilled.at(5 * 3600 + 20 * m))) in spans
    assert ("LatencyHigh", _iso(backfilled.at(11 * 3600)), None) in spans
    assert sorted(a["name"] for a in section["alerts"]) == [
        "DiskFull", "DiskFull", "HighErrorRate", "LatencyHigh", "QueueSlow", "ReplicaLag"]  # never the pending one
    # the same rows drawn: the screen's lines and the Markdown's are the JSON's section drawn at their widths
    marks = marks_from_section(report["timeline"], until)
    assert body == [line for line, _role in render_timeline(marks, since, until, 196)]
    block = markdown.split("## Timeline")[1].split("```text\n")[1].split("\n```")[0]
    assert block.splitlines() == [line.rstrip() for line, _role in render_timeline(marks, since, until, 100)]
    assert "Alert spans rebuilt from prom's ALERTS history." in markdown
    high = next(line for line in block.splitlines() if line.startswith("HighErrorRate"))
    track = high[29:].strip("·")
    assert track.startswith("░") and track.count("█") >= 2 and "▓" not in track  # pending, then 30 minutes firing
