"""The prometheus-alerts source against a REAL Prometheus, and the real kube-prometheus rules.

The kube-prometheus rule files (``../shared/realworld/rules/kube-prometheus``) are checked with
``promtool``, loaded into a real Prometheus that sends to a real Alertmanager, and read back through
both alert sources. The test is skipped when that folder is absent.
"""

from __future__ import annotations

import subprocess
import urllib.request
import json
from pathlib import Path

import pytest
import yaml

from cockpit.core.models import AlertState, FetchResult
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceUnreachable
from cockpit.sources.prometheus_alerts import PrometheusAlertsSource, label_fingerprint
from tests.servers import async_wait_until, free_port, require_binary, start_alertmanager, start_prometheus

pytestmark = pytest.mark.server

REALWORLD_RULES = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "rules" / "kube-prometheus"

RULES = """\
groups:
  - name: cockpit-prom-test
    rules:
      - alert: QueueBacklog
        expr: vector(3)
        labels: {severity: warning, service: queue}
        annotations: {summary: "Backlog is {{ $value }}", runbook_url: "https://runbooks.example.test/queue"}
      - alert: SlowBurn
        expr: vector(1)
        for: 1h
        labels: {severity: critical, service: checkout}
"""


def make_source(url: str, tmp_path: Path, **options) -> PrometheusAlertsSource:
    opts = PrometheusAlertsSource.Options(url=url, timeout="5s", **options)
    return PrometheusAlertsSource("prom", opts, SourceContext(cache_dir=tmp_path))


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("prom")
    rules = tmp / "rules.yml"
    rules.write_text(RULES)
    server = start_prometheus(tmp, rule_files=[rules])
    yield server
    server.stop()


async def fetch_until(source, check, what: str, timeout: float = 45.0) -> FetchResult:
    async def attempt():
        result = await source.fetch()
        return result if check(result) else None

    return await async_wait_until(attempt, timeout=timeout, what=what)  # type: ignore[return-value]


def test_fingerprint_matches_alertmanagers() -> None:
    # Alertmanager 0.25 reported this fingerprint for exactly these labels.
    assert label_fingerprint({"alertname": "Always", "severity": "critical"}) == "5b2477740f3a87a9"
    assert label_fingerprint({}) == "cbf29ce484222325"
    assert label_fingerprint({"a": "b"}) != label_fingerprint({"a": "c"})


async def test_firing_and_pending_alerts(prometheus, tmp_path: Path) -> None:
    source = make_source(prometheus.url, tmp_path)
    try:
        result = await fetch_until(source, lambda r: len(r.items) == 2, "two alerts")
    finally:
        await source.close()
    alerts = {a.name: a for a in result.items}
    backlog, burn = alerts["QueueBacklog"], alerts["SlowBurn"]
    assert backlog.state is AlertState.FIRING and burn.state is AlertState.PENDING
    assert backlog.severity == "warning" and burn.severity == "critical"
    assert backlog.summary == "Backlog is 3"
    assert backlog.runbook is not None and backlog.runbook.url == "https://runbooks.example.test/queue"
    assert backlog.fingerprint == label_fingerprint(backlog.labels)
    assert backlog.starts_at is not None
    assert backlog.peers == [prometheus.url]


async def test_pending_can_be_hidden_and_filter_applies(prometheus, tmp_path: Path) -> None:
    source = make_source(prometheus.url, tmp_path, include_pending=False)
    filtered = make_source(prometheus.url, tmp_path, filter=['service=~"check.*"'])
    try:
        result = await fetch_until(source, lambda r: bool(r.items), "firing alerts")
        assert [a.name for a in result.items] == ["QueueBacklog"]
        result = await fetch_until(filtered, lambda r: bool(r.items), "filtered alerts")
        assert [a.name for a in result.items] == ["SlowBurn"]
    finally:
        await source.close()
        await filtered.close()


async def test_unreachable_prometheus_raises_a_one_line_error(tmp_path: Path) -> None:
    source = make_source(f"http://127.0.0.1:{free_port()}", tmp_path)
    try:
        with pytest.raises(SourceUnreachable) as info:
            await source.fetch()
    finally:
        await source.close()
    assert "\n" not in str(info.value)


def _rule_count(files: list[Path]) -> tuple[int, int]:
    groups = rules = 0
    for path in files:
        for group in yaml.safe_load(path.read_text())["groups"]:
            groups += 1
            rules += len(group["rules"])
    return groups, rules


@pytest.mark.skipif(not REALWORLD_RULES.is_dir(), reason="../shared/realworld/rules/kube-prometheus is absent")
async def test_kube_prometheus_rules_run_through_prometheus_and_alertmanager(tmp_path: Path) -> None:
    files = sorted(REALWORLD_RULES.glob("*.yml")) + sorted(REALWORLD_RULES.glob("*.yaml"))
    assert files
    promtool = require_binary("promtool")
    check = subprocess.run([promtool, "check", "rules", *map(str, files)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr

    am = start_alertmanager(tmp_path)
    prom = start_prometheus(tmp_path, rule_files=files, alertmanagers=[am])
    prom_source = make_source(prom.url, tmp_path)
    am_source = AlertmanagerSource("am", AlertmanagerSource.Options(url=am.url, timeout="5s"), SourceContext(cache_dir=tmp_path))
    try:
        with urllib.request.urlopen(f"{prom.url}/api/v1/rules") as response:  # noqa: S310 - loopback
            loaded = json.load(response)["data"]["groups"]
        expected_groups, expected_rules = _rule_count(files)
        assert len(loaded) == expected_groups
        assert sum(len(g["rules"]) for g in loaded) == expected_rules
        assert all(r.get("health") != "err" for g in loaded for r in g["rules"])

        # Watchdog (vector(1)) always fires; everything else is inactive without Kubernetes.
        def has_watchdog(result: FetchResult) -> bool:
            return any(a.name == "Watchdog" for a in result.items)

        result = await fetch_until(prom_source, has_watchdog, "Watchdog from Prometheus")
        for alert in result.items:
            assert alert.runbook is not None and alert.runbook.url.startswith("https://runbooks.prometheus-operator.dev/")
        watchdog = next(a for a in result.items if a.name == "Watchdog")
        assert watchdog.state is AlertState.FIRING
        assert watchdog.runbook.url.endswith("/general/watchdog")

        result = await fetch_until(am_source, has_watchdog, "Watchdog through Alertmanager")
        through_am = next(a for a in result.items if a.name == "Watchdog")
        assert through_am.fingerprint == watchdog.fingerprint
        assert through_am.severity == "none"
        assert through_am.runbook.url == watchdog.runbook.url
    finally:
        await prom_source.close()
        await am_source.close()
        prom.stop()
        am.stop()
