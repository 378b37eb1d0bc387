"""The prometheus-slo source against a REAL Prometheus holding data with known answers.

Set-up (once per module, measured at about 10 s): counters from :mod:`tests.slo_data` are
backfilled with ``promtool tsdb create-blocks-from openmetrics``; the Sloth- and Pyrra-style
recording rules are backfilled with ``promtool tsdb create-blocks-from rules`` against a running
Prometheus. Rules that read other rules' output (Sloth's 30d window, period burn and budget) need
the previous level on disk, so the backfill runs in passes with a Prometheus restart between
them, each pass only over the times the source reads (the last evaluation, plus 3 days of the
5m and 1h windows that the 30d average and the sparkline need). The final Prometheus also loads
the rule files live (the source reads ``/api/v1/rules``) and, when present, the real Sloth
rules of ``../shared/realworld/slo/sloth/generated``. The source evaluates at the end of the
data (``evaluation_time``), so every expected value is exact arithmetic on the profile.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from cockpit.core.models import SloStatus
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceAuthError, SourceBadResponse, SourceUnreachable
from cockpit.sources.prometheus_slo import PrometheusSloSource
from cockpit.sources.slo_discovery import pyrra_budgets, pyrra_error_matchers
from cockpit.core.slo_math import WINDOWS
from tests.prom_proxy import PromProxy
from tests.servers import Server, free_port, require_binary, start_prometheus
from tests.slo_data import DATA_SPAN_S, expected_ratio, SyntheticSlo, pyrra_rules, rule_file, sloth_rules, write_openmetrics

REALWORLD_SLOTH = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "slo" / "sloth" / "generated"

# Known profiles: (age limit in seconds, error ratio), youngest first.
CHECKOUT = SyntheticSlo("checkout", 0.999, [(2400, 0.02), (14400, 0.004), (math.inf, 0.0005)])
"""Sloth, pages: burn 20 over 5m/30m, 14.7 over 1h."""
SEARCH = SyntheticSlo("search", 0.99, [(math.inf, 0.04)])
"""Sloth, tickets: a steady burn of 4, budget long gone (-3)."""
PAYMENTS = SyntheticSlo("payments", 0.995, [(8 * 3600, 0.008), (math.inf, 0.01)])
"""Pyrra with generic rules, tickets: burn 1.6 now, 2 earlier; 3d is not recorded by Pyrra."""
LEDGER = SyntheticSlo("ledger", 0.99, [(math.inf, 0.002)])
"""Pyrra without generic rules: the objective is only in its alert rule."""
CATALOG = SyntheticSlo("catalog", 0.995, [(5 * 3600, 0.04), (math.inf, 0.001)])
"""Declared in the config (objective as a percentage, 99.5), pages: burn 8 up to 1h, 6.7 over 6h."""

HISTORY_START_S = DATA_SPAN_S - 3600
"""Seconds before the end where the rule backfill of Sloth's 5m window starts."""

PYRRA_ALERT = """\
- name: ledger-alerts
  rules:
  - alert: ErrorBudgetBurn
    expr: http_requests:burnrate5m{slo="ledger-errors"} > (14 * (1-0.99)) and http_requests:burnrate1h{slo="ledger-errors"} > (14 * (1-0.99))
    labels:
      slo: ledger-errors
      severity: critical
"""


@dataclass
class PromEnv:
    server: Server
    end: datetime
    rule_files: list[Path]
    setup_s: float


def _rules_where(text: str, keep) -> str:
    """The rule file with only the recording rules ``keep(name)`` accepts (empty groups dropped)."""
    doc = yaml.safe_load(text)
    groups = []
    for group in doc["groups"]:
        rules = [r for r in group["rules"] if "record" in r and keep(r["record"])]
        if rules:
            groups.append({**group, "rules": rules})
    return yaml.safe_dump({"groups": groups}, sort_keys=False)


def _backfill_rules(promtool: str, server: Server, workdir: Path, name: str, text: str, start: int, end: int, step: int) -> None:
    """Backfill the recording rules in ``text`` at start, start + step, ... (end is exclusive)."""
    if not yaml.safe_load(text)["groups"]:
        return
    path = workdir / f"{name}.yml"
    path.write_text(text)
    out = workdir / f"{name}-blocks"
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "rules", f"--start={start}", f"--end={end}", f"--url={server.url}",
         f"--output-dir={out}", f"--eval-interval={step}s", "-q", str(path)],
        check=True, capture_output=True, timeout=240,
    )
    for block in out.iterdir():
        shutil.move(str(block), server.storage_dir / block.name)


@pytest.fixture(scope="module")
def prom(tmp_path_factory) -> PromEnv:
    promtool = require_binary("promtool")
    require_binary("prometheus")
    began = time.monotonic()
    tmp = tmp_path_factory.mktemp("slo")
    end = (int(time.time()) // 300) * 300 - 300  # in the past: live rule samples come later
    data = tmp / "data.om"
    write_openmetrics(data, [CHECKOUT, SEARCH, PAYMENTS, LEDGER, CATALOG], end)
    storage = tmp / "tsdb"
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=240h", str(data), str(storage)],
                   check=True, capture_output=True, timeout=240)
    sloth = rule_file([sloth_rules(CHECKOUT, "checkout", "availability"), sloth_rules(SEARCH, "search", "latency")])
    pyrra = rule_file([pyrra_rules(PAYMENTS, "payments-errors"), pyrra_rules(LEDGER, "ledger-errors", generic=False), PYRRA_ALERT])
    both = [sloth, pyrra]
    days = {"slo:sli_error:ratio_rate5m"}
    history = {"slo:sli_error:ratio_rate1h", "http_requests:burnrate1h"}
    later = {"slo:sli_error:ratio_rate30d", "slo:period_burn_rate:ratio", "slo:period_error_budget_remaining:ratio"}
    records = {r["record"] for t in both for g in yaml.safe_load(t)["groups"] for r in g["rules"] if "record" in r}
    at_end = records - days - later
    # Pass 1: every rule over raw data: 5m over 3 days (Sloth's 30d average), 1h over 25 hours
    # (the sparkline), and all of them in the second before the evaluation time.
    server = start_prometheus(tmp, storage_dir=storage)
    try:
        for i, text in enumerate(both):
            _backfill_rules(promtool, server, tmp, f"p1-days-{i}", _rules_where(text, days.__contains__),
                            end - HISTORY_START_S, end + 300, 300)
            _backfill_rules(promtool, server, tmp, f"p1-hist-{i}", _rules_where(text, history.__contains__),
                            end - 25 * 3600, end + 60, 60)
            _backfill_rules(promtool, server, tmp, f"p1-now-{i}", _rules_where(text, at_end.__contains__),
                            end - 5, end + 1, 1)
    finally:
        server.stop()
    # Passes 2-4: Sloth's chain (30d window -> period burn -> budget left), one level a pass.
    for level, record in enumerate(["slo:sli_error:ratio_rate30d", "slo:period_burn_rate:ratio",
                                    "slo:period_error_budget_remaining:ratio"]):
        server = start_prometheus(tmp, storage_dir=storage)
        try:
            _backfill_rules(promtool, server, tmp, f"p{level + 2}", _rules_where(sloth, record.__eq__), end - 5, end + 1, 1)
        finally:
            server.stop()
    files = []
    for i, text in enumerate(both):
        files.append(tmp / f"live-{i}.yml")
        files[-1].write_text(text)
    if REALWORLD_SLOTH.is_dir():
        # Sloth writes one YAML document per spec document; Prometheus reads only the first
        # document of a rule file, so each one goes into a file of its own.
        for path in sorted(REALWORLD_SLOTH.glob("*.yml")):
            for n, doc in enumerate(d for d in yaml.safe_load_all(path.read_text()) if d):
                files.append(tmp / f"realworld-{path.stem}-{n}.yml")
                files[-1].write_text(yaml.safe_dump(doc, sort_keys=False))
    config = "global:\n  evaluation_interval: 2s\nrule_files:\n" + "".join(f"  - {str(f)!r}\n" for f in files)
    server = start_prometheus(tmp, config, storage_dir=storage)
    env = PromEnv(server, datetime.fromtimestamp(end, timezone.utc), files, time.monotonic() - began)
    print(f"\nprometheus-slo set-up took {env.setup_s:.1f}s")
    yield env
    server.stop()


def _source(url: str, end: datetime | None, **options) -> PrometheusSloSource:
    opts = PrometheusSloSource.Options(url=url, evaluation_time=end, **options)
    return PrometheusSloSource("prom", opts, SourceContext(cache_dir=Path("/nonexistent")))


CATALOG_DECL = {
    "service": "catalog",
    "name": "availability",
    "objective": 99.5,
    "error_query": CATALOG.error_query(),
    "total_query": CATALOG.total_query(),
}


async def _fetch(prom: PromEnv, **options):
    source = _source(prom.server.url, prom.end, **options)
    try:
        result = await source.fetch()
    finally:
        await source.close()
    return {slo.id: slo for slo in result.items}, result


def _close(actual, expected, what):
    assert actual is not None, f"{what}: no value"
    assert actual == pytest.approx(expected, rel=0.01), f"{what}: {actual} != {expected}"


def _recorded_ages(prom: PromEnv, record: str, sloth_id: str) -> tuple[float, float]:
    """Ages (seconds before the evaluation time) of the newest and oldest recorded sample."""
    end = prom.end.timestamp()
    query = urllib.parse.urlencode({"query": f'{record}{{sloth_id="{sloth_id}"}}[30d]', "time": end})
    with urllib.request.urlopen(f"{prom.server.url}/api/v1/query?{query}") as response:  # noqa: S310
        stamps = [float(t) for t, _ in json.load(response)["data"]["result"][0]["values"]]
    return end - max(stamps), end - min(stamps)


def _check_burns(slo, synthetic: SyntheticSlo, windows=WINDOWS):
    for window in windows:
        _close(slo.burn_rates[window], synthetic.expected_burn(window), f"{slo.id} {window}")


async def test_sloth_slos_match_the_known_burn_rates_budget_and_status(prom):
    slos, _ = await _fetch(prom)
    checkout, search = slos["checkout-availability"], slos["search-latency"]
    assert (checkout.generator, checkout.service, checkout.name) == ("sloth", "checkout", "availability")
    assert checkout.objective == pytest.approx(0.999) and checkout.period == "30d"
    _check_burns(checkout, CHECKOUT)
    _check_burns(search, SEARCH)
    # Sloth's period budget is the mean of the recorded 5m ratios. They were recorded every 5
    # minutes (at an offset promtool derives from the group), so together they cover the ages
    # from the newest recording to 5m before the oldest one exactly once.
    newest, oldest = _recorded_ages(prom, "slo:sli_error:ratio_rate5m", "checkout-availability")
    span = (oldest + 300, oldest + 300 - newest)
    checkout_budget = 1 - expected_ratio(CHECKOUT.profile, *span) / (1 - CHECKOUT.objective)
    _close(checkout.error_budget_remaining, checkout_budget, "checkout budget")
    _close(search.error_budget_remaining, SEARCH.expected_budget(), "search budget")
    assert search.error_budget_remaining < 0  # overspent shows as negative, not clipped
    assert checkout.status == SloStatus.PAGE  # 1h 14.7 and 5m 20 above 14.4
    assert search.status == SloStatus.TICKET  # 4 everywhere: 1d/2h above 3, never 6
    expected_tte = checkout_budget * 30 * 86400 / CHECKOUT.expected_burn("1h")
    _close(checkout.time_to_exhaustion_s, expected_tte, "time to exhaustion")
    assert search.time_to_exhaustion_s == 0.0


async def test_pyrra_slos_divide_the_error_ratio_and_compute_the_missing_3d_window(prom):
    slos, _ = await _fetch(prom)
    payments = slos["payments-errors"]
    assert payments.generator == "pyrra" and payments.service == "payments"
    assert payments.objective == pytest.approx(0.995) and payments.period == "28d"
    _check_burns(payments, PAYMENTS)  # 3d is not recorded by Pyrra: widened from the 5m rule
    _close(payments.error_budget_remaining, PAYMENTS.expected_budget(), "payments budget")
    assert payments.status == SloStatus.TICKET  # 3d and 6h above 1
    ledger = slos["ledger-errors"]
    assert ledger.objective == pytest.approx(0.99)  # only stated in the alert rule
    _check_burns(ledger, LEDGER)
    assert ledger.status == SloStatus.OK
    # no pyrra_availability: the budget comes from http_requests:increase4w and the 5m rule's code=~"5.."
    _close(ledger.error_budget_remaining, 1 - 0.002 / 0.01, "ledger budget")
    assert ledger.period == "28d"


async def test_declared_slos_match_the_known_answers(prom):
    slos, _ = await _fetch(prom, slos=[CATALOG_DECL])
    catalog = slos["catalog-availability"]
    assert catalog.generator == "config" and catalog.objective == pytest.approx(0.995)
    _check_burns(catalog, CATALOG)
    _close(catalog.error_budget_remaining, CATALOG.expected_budget(), "catalog budget")
    assert catalog.status == SloStatus.PAGE  # 1h is below 14.4, but 6h and 30m are above 6
    assert catalog.burn_rates["1h"] < 14.4


async def test_a_source_with_its_own_thresholds_judges_by_them_and_says_which(prom):
    """search-latency burns at 4 everywhere: a ticket by the defaults, a page when this source
    pages at 1h+5m > 3. The SLO carries the rules it was judged by (the panel marks by them);
    with the defaults it carries none, so the cache keeps no copy of them per SLO."""
    strict = {"page": [{"long": "1h", "short": "5m", "factor": 3}], "ticket": []}
    slos, _ = await _fetch(prom, thresholds=strict)
    search = slos["search-latency"]
    assert search.status == SloStatus.PAGE
    assert [(r.long, r.short, r.factor) for r in search.thresholds.page] == [("1h", "5m", 3.0)]
    defaults, _ = await _fetch(prom)
    assert defaults["search-latency"].status == SloStatus.TICKET and defaults["search-latency"].thresholds is None


async def test_sparkline_is_the_1h_burn_over_24_hours_for_every_slo(prom):
    slos, _ = await _fetch(prom, slos=[CATALOG_DECL])
    for slo_id, synthetic in (("checkout-availability", CHECKOUT), ("payments-errors", PAYMENTS),
                              ("catalog-availability", CATALOG)):
        history = slos[slo_id].burn_history
        assert len(history) == 49, slo_id
        _close(history[-1], synthetic.expected_burn("1h"), f"{slo_id} latest history point")
        # 12 hours back the 1h window lies in the oldest segment of every profile.
        old = synthetic.profile[-1][1] / (1 - synthetic.objective)
        _close(history[24], old, f"{slo_id} history 12h ago")
        # 30 minutes back the window straddles a step for checkout: recorded once a minute by the
        # rules, so the point may lag by up to a minute.
        lagging = [expected_ratio(synthetic.profile, 5400 + lag, 3600) / (1 - synthetic.objective) for lag in (0, 60)]
        assert min(lagging) * 0.99 <= history[47] <= max(lagging) * 1.01, slo_id


async def test_queries_are_batched_per_window_not_per_slo(prom, monkeypatch):
    from prometheus_api_client import PrometheusConnect

    calls: list[str] = []
    original = PrometheusConnect.custom_query

    def counting(self, query, params=None, timeout=None):
        calls.append(query)
        return original(self, query, params=params, timeout=timeout)

    monkeypatch.setattr(PrometheusConnect, "custom_query", counting)
    await _fetch(prom, slos=[CATALOG_DECL])
    one = len(calls)
    calls.clear()
    many = [{**CATALOG_DECL, "name": f"copy{i}"} for i in range(5)]
    slos, _ = await _fetch(prom, slos=[CATALOG_DECL, *many])
    assert len(calls) == one, "more SLOs must not mean more queries"
    assert all(slos[f"catalog-copy{i}"].burn_rates["1h"] is not None for i in range(5))


@pytest.mark.skipif(not REALWORLD_SLOTH.is_dir(), reason="../shared/realworld/slo/sloth is absent")
async def test_every_slo_in_the_real_sloth_rules_is_discovered(prom):
    expected = set()
    for path in REALWORLD_SLOTH.glob("*.yml"):
        groups = [g for doc in yaml.safe_load_all(path.read_text()) if doc for g in doc["groups"]]
        for group in groups:
            expected |= {r["labels"]["sloth_id"] for r in group["rules"] if r.get("record") == "sloth_slo_info"}
    assert len(expected) >= 5

    async def discovered():
        source = _source(prom.server.url, None)  # live rules write at "now"
        try:
            return {s.id: s for s in (await source.fetch()).items}
        finally:
            await source.close()

    deadline = time.monotonic() + 30
    found = await discovered()
    while not expected <= set(found) and time.monotonic() < deadline:
        await _sleep(0.5)
        found = await discovered()
    assert expected <= set(found), f"not discovered: {sorted(expected - set(found))}"
    for slo_id in expected:
        assert found[slo_id].generator == "sloth" and 0 < found[slo_id].objective < 1


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


# -- reaching Prometheus: prefixes, tenants, auth, failures -----------------------------------------


@pytest.fixture
def gateway(prom):
    """A Mimir-like front: /prometheus prefix, X-Scope-OrgID and a bearer token required."""
    proxy = PromProxy(prom.server.url, tenant="tenant-a", token="s3cret").start()
    yield proxy
    proxy.stop()


async def test_path_prefix_tenant_header_and_bearer_token_reach_the_data(prom, gateway, monkeypatch):
    monkeypatch.setenv("SLO_TEST_TOKEN", "s3cret")
    source = _source(gateway.url, prom.end, path_prefix="/prometheus", tenant="tenant-a",
                     token_env="SLO_TEST_TOKEN", dedup=True, partial_response=False)
    try:
        slos = {s.id: s for s in (await source.fetch()).items}
    finally:
        await source.close()
    _check_burns(slos["checkout-availability"], CHECKOUT, ["5m", "1h"])
    kinds = {r.path.rsplit("/", 1)[-1] for r in gateway.requests}
    assert {"query", "query_range", "rules"} <= kinds
    for request in gateway.requests:  # Thanos's parameters ride along on every API call
        assert request.params.get("dedup") == ["true"] and request.params.get("partial_response") == ["false"]


async def test_the_tenant_header_is_sent_with_headers_as_the_older_spelling(prom, gateway, monkeypatch):
    source = _source(gateway.url, prom.end, path_prefix="prometheus", headers={"X-Scope-OrgID": "tenant-a"},
                     token="s3cret", discover_pyrra=False)
    try:
        slos = {s.id: s for s in (await source.fetch()).items}
    finally:
        await source.close()
    assert "checkout-availability" in slos
    assert all("dedup" not in r.params for r in gateway.requests)  # unset: not sent


async def test_a_wrong_token_is_an_auth_error_without_the_secret(prom, gateway):
    source = _source(gateway.url, prom.end, path_prefix="prometheus", tenant="tenant-a", token="not-the-token")
    with pytest.raises(SourceAuthError) as caught:
        await source.fetch()
    await source.close()
    assert "not-the-token" not in caught.value.message and "401" in caught.value.message


async def test_a_dead_endpoint_is_unreachable():
    source = _source(f"http://127.0.0.1:{free_port()}", None)
    with pytest.raises(SourceUnreachable):
        await source.fetch()
    await source.close()


async def test_a_broken_declared_query_reports_prometheus_reason(prom):
    broken = {**CATALOG_DECL, "error_query": "sum(rate(http_requests_total[{{window}}]"}
    with pytest.raises(SourceBadResponse) as caught:
        await _fetch(prom, slos=[broken], discover_sloth=False, discover_pyrra=False)
    assert "400" in caught.value.message and "parse error" in caught.value.message


def test_pyrra_budget_from_the_increase_rule_as_its_ui_computes_it():
    expr = 'sum(rate(http_requests_total{code=~"5..",job="app"}[5m])) / sum(rate(http_requests_total{job="app"}[5m]))'
    matchers = pyrra_error_matchers(expr)
    assert matchers == ['code=~"5.."']
    increases = [{"metric": {"__name__": "http_requests:increase2w", "slo": "app", "code": code}, "value": [0, str(n)]}
                 for code, n in (("200", 9_900), ("503", 60), ("500", 40), ("404", 0))]
    budgets = pyrra_budgets(increases, {"app": matchers}, {"app": 0.98})
    assert budgets["app"][0] == pytest.approx(1 - (100 / 10_000) / 0.02) and budgets["app"][1] == "14d"
    assert pyrra_error_matchers('sum(rate(x_total{job="a"}[5m]))') is None
