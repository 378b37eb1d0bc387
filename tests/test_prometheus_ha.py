"""Prometheus HA pairs and multi-tenant fronts, against REAL Prometheus servers on loopback.

Two Prometheus replicas evaluate the same alerting rules (as an HA pair does); the
``prometheus-alerts`` and ``prometheus-slo`` sources are given both ``urls``. One replica is
killed mid-test: the sources keep answering from the other, marked degraded with the dead one
named, and fail only when both are gone. The tenant test puts a recording proxy that insists on
``X-Scope-OrgID`` (as Mimir and Cortex do; plain Prometheus ignores it) in front of a real one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.core.errors import SourceAuthError, SourceUnreachable
from cockpit.core.models import AlertState, FetchResult
from cockpit.sources.base import SourceContext
from cockpit.sources.prometheus_alerts import PrometheusAlertsSource
from cockpit.sources.prometheus_slo import PrometheusSloSource
from tests.prom_proxy import PromProxy
from tests.servers import async_wait_until, start_prometheus

pytestmark = pytest.mark.server

RULES = """\
groups:
  - name: ha
    rules:
      - alert: DiskFilling
        expr: vector(1)
        labels: {severity: critical, service: storage}
      - alert: SlowQueries
        expr: vector(1)
        for: 1h
        labels: {severity: warning, service: db}
"""

# A declared SLO whose error ratio is a constant 0.2% (the {{window}} only names a label).
SLO = {
    "service": "api", "name": "availability", "objective": 0.99,
    "error_query": 'sum(label_replace(vector(2), "w", "{{window}}", "", ""))',
    "total_query": 'sum(label_replace(vector(1000), "w", "{{window}}", "", ""))',
}


@pytest.fixture
def pair(tmp_path: Path):
    rules = tmp_path / "rules.yml"
    rules.write_text(RULES)
    servers = [start_prometheus(tmp_path, rule_files=[rules]) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def alerts_source(tmp_path: Path, **options) -> PrometheusAlertsSource:
    opts = PrometheusAlertsSource.Options(timeout="3s", **options)
    return PrometheusAlertsSource("prom-ha", opts, SourceContext(cache_dir=tmp_path))


def slo_source(tmp_path: Path, **options) -> PrometheusSloSource:
    opts = PrometheusSloSource.Options(timeout="3s", slos=[SLO], discover_sloth=False, discover_pyrra=False,
                                       history=False, **options)
    return PrometheusSloSource("slo-ha", opts, SourceContext(cache_dir=tmp_path))


async def test_alerts_of_an_ha_pair_are_merged_and_a_dead_replica_only_degrades(pair, tmp_path: Path) -> None:
    first, second = pair
    source = alerts_source(tmp_path, urls=[first.url, second.url])

    async def both_replicas_report_both() -> FetchResult | None:
        result = await source.fetch()
        ok = len(result.items) == 2 and all(len(a.peers) == 2 for a in result.items)
        return result if ok else None

    try:
        result = await async_wait_until(both_replicas_report_both, timeout=45, what="both alerts from both replicas")
        assert result.degraded is None and result.info["peers"] == "2/2 up"
        by_name = {a.name: a for a in result.items}
        assert by_name["DiskFilling"].state is AlertState.FIRING
        assert by_name["SlowQueries"].state is AlertState.PENDING
        assert sorted(by_name["DiskFilling"].peers) == sorted([first.url, second.url])
        fingerprint = by_name["DiskFilling"].fingerprint

        second.kill()  # mid-test: one replica dies
        result = await source.fetch()
        assert {a.name for a in result.items} == {"DiskFilling", "SlowQueries"}
        assert next(a for a in result.items if a.name == "DiskFilling").fingerprint == fingerprint
        assert result.info["peers"] == "1/2 up"
        assert result.degraded is not None and second.url in result.degraded and "refused" in result.degraded
        assert first.url not in result.degraded

        first.kill()
        with pytest.raises(SourceUnreachable) as caught:
            await source.fetch()
        assert "all 2 peers failed" in caught.value.message
    finally:
        await source.close()


async def test_slo_queries_go_to_the_first_replica_that_answers(pair, tmp_path: Path) -> None:
    first, second = pair
    source = slo_source(tmp_path, urls=[first.url, second.url])
    try:
        result = await source.fetch()
        assert result.degraded is None and result.info["peers"] == f"querying {first.url}"
        (slo,) = result.items
        assert slo.burn_rates["1h"] == pytest.approx(0.2)

        first.kill()
        result = await source.fetch()
        (slo,) = result.items
        assert slo.burn_rates["1h"] == pytest.approx(0.2)
        assert result.info["peers"] == f"querying {second.url}"
        assert result.degraded is not None and first.url in result.degraded

        result = await source.fetch()  # the live one is asked first now: the dead one costs nothing
        assert result.degraded is None and result.items

        second.kill()
        with pytest.raises(SourceUnreachable) as caught:
            await source.fetch()
        assert "all 2 peers failed" in caught.value.message
    finally:
        await source.close()


async def test_tenant_and_path_prefix_reach_a_multi_tenant_front(pair, tmp_path: Path) -> None:
    proxy = PromProxy(pair[0].url, tenant="team-a", prefix="/prometheus").start()
    alerts = alerts_source(tmp_path, url=proxy.url, tenant="team-a", path_prefix="/prometheus",
                           dedup=False, partial_response=True)
    wrong = alerts_source(tmp_path, url=proxy.url, tenant="team-b", path_prefix="prometheus")
    slos = slo_source(tmp_path, url=proxy.url, tenant="team-a", path_prefix="prometheus/")
    try:
        result = await async_wait_until(lambda: _firing(alerts), timeout=45, what="alerts through the tenant front")
        assert "DiskFilling" in {a.name for a in result.items}
        (slo,) = (await slos.fetch()).items
        assert slo.burn_rates["5m"] == pytest.approx(0.2)
        with pytest.raises(SourceAuthError):
            await wrong.fetch()
    finally:
        for source in (alerts, wrong, slos):
            await source.close()
        proxy.stop()
    sent = [r for r in proxy.requests if r.headers.get("x-scope-orgid") == "team-a"]
    assert {r.path for r in sent} >= {"/prometheus/api/v1/alerts", "/prometheus/api/v1/query"}
    alert_calls = [r for r in sent if r.path.endswith("/alerts")]
    assert all(r.params["dedup"] == ["false"] and r.params["partial_response"] == ["true"] for r in alert_calls)


async def _firing(source: PrometheusAlertsSource) -> FetchResult | None:
    result = await source.fetch()
    return result if any(a.state is AlertState.FIRING for a in result.items) else None
