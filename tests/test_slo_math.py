"""The SLO arithmetic and the parsing of Sloth/Pyrra query results, without a server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cockpit.core.models import SloStatus
from cockpit.sources.prometheus_slo import DeclaredSlo, PrometheusSloSource
from cockpit.sources.slo_discovery import pyrra_objectives_from_rules, pyrra_slos, rule_exprs_5m, sloth_slos, widen
from cockpit.core.slo_math import (
    BurnRule,
    Thresholds,
    budget_remaining,
    burn_rate,
    deciding_rules,
    format_period,
    normalise_objective,
    slo_status,
    time_to_exhaustion,
    window_marks,
    window_status,
    window_threshold,
)


@pytest.mark.parametrize(("given", "fraction"), [(0.999, 0.999), (99.9, 0.999), (99, 0.99), (0.5, 0.5), (99.95, 0.9995)])
def test_objectives_are_fractions_and_percentages_are_converted(given, fraction):
    assert normalise_objective(given) == pytest.approx(fraction)


@pytest.mark.parametrize("bad", [0, -1, 1, 100, 150, float("nan")])
def test_objectives_without_a_budget_are_refused(bad):
    with pytest.raises(ValueError):
        normalise_objective(bad)


def test_burn_rate_divides_the_error_ratio_by_the_budget():
    assert burn_rate(0.001, 0.999) == pytest.approx(1.0)
    assert burn_rate(0.0144, 0.999) == pytest.approx(14.4)
    assert burn_rate(None, 0.999) is None
    assert budget_remaining(0.0004, 0.999) == pytest.approx(0.6)
    assert budget_remaining(0.003, 0.999) == pytest.approx(-2.0)  # overspent is not clipped


def _burns(**values):
    return {"5m": 0, "30m": 0, "1h": 0, "2h": 0, "6h": 0, "1d": 0, "3d": 0, **{k.lstrip("_"): v for k, v in values.items()}}


def test_status_needs_both_windows_of_a_rule():
    assert slo_status(_burns(_1h=15, _5m=15)) == SloStatus.PAGE
    assert slo_status(_burns(_1h=15, _5m=1)) == SloStatus.OK  # the burn has stopped
    assert slo_status(_burns(_6h=6.5, _30m=7)) == SloStatus.PAGE
    assert slo_status(_burns(_1d=3.5, _2h=4)) == SloStatus.TICKET
    assert slo_status(_burns(_3d=1.2, _6h=1.1)) == SloStatus.TICKET
    assert slo_status(_burns(_3d=0.9, _6h=5)) == SloStatus.OK
    assert slo_status(_burns(_1h=14.4, _5m=14.4)) == SloStatus.OK  # "above", not "at"


def test_page_wins_over_ticket_and_unknown_windows_never_alert():
    everything = _burns(**{f"_{w}": 50 for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")})
    assert slo_status(everything) == SloStatus.PAGE
    assert slo_status({"1h": 50, "5m": None}) == SloStatus.OK
    assert slo_status({}) == SloStatus.OK


def test_thresholds_are_configurable():
    strict = Thresholds(page=[BurnRule(long="1h", short="5m", factor=2)], ticket=[])
    assert slo_status(_burns(_1h=3, _5m=3), strict) == SloStatus.PAGE
    assert slo_status(_burns(_1d=10, _2h=10), strict) == SloStatus.OK  # no ticket rule left
    with pytest.raises(ValidationError):
        BurnRule(long="4d", short="5m", factor=1)


def test_marks_come_from_the_pairs_that_decide_the_status():
    alone = {"2h": 3.5, "1d": 2.5, "6h": 2.0, "3d": 0.7}  # each above a ticket factor alone, no pair
    assert slo_status(alone) == SloStatus.OK
    assert window_marks(alone) == {} and deciding_rules(alone) == []
    ticket = {"6h": 2.0, "3d": 1.5, "1h": 20.0}  # 1h above 14.4 alone (5m unknown): no page
    assert slo_status(ticket) == SloStatus.TICKET
    assert window_marks(ticket) == {"3d": SloStatus.TICKET, "6h": SloStatus.TICKET}
    assert [(r.long, r.short) for r in deciding_rules(ticket)] == [("3d", "6h")]
    page = {"1h": 15.0, "5m": 15.0, "6h": 2.0, "3d": 1.5}  # the ticket pair holds too; page decides
    assert window_marks(page) == {"1h": SloStatus.PAGE, "5m": SloStatus.PAGE}
    # a status the source reached with other thresholds: no default pair explains it, no mark
    assert window_marks(alone, SloStatus.PAGE) == {}


def test_window_thresholds_for_the_detail():
    assert window_threshold("1h") == (14.4, SloStatus.PAGE)
    assert window_threshold("6h") == (1.0, SloStatus.TICKET)  # the lowest factor on 6h
    assert window_status("1h", 20) == SloStatus.PAGE
    assert window_status("6h", 2) == SloStatus.TICKET
    assert window_status("6h", 0.5) == SloStatus.OK
    assert window_status("1h", None) == SloStatus.OK


def test_time_to_exhaustion_at_the_current_1h_burn():
    # Half the 30d budget left, burning at 10: 1.5 days.
    assert time_to_exhaustion(0.5, 10, "30d") == pytest.approx(1.5 * 86400)
    assert time_to_exhaustion(-0.2, 10, "30d") == 0.0
    assert time_to_exhaustion(0.5, 0, "30d") is None
    assert time_to_exhaustion(None, 10, "30d") is None


def test_periods_are_written_in_their_largest_whole_unit():
    assert format_period(28 * 86400) == "28d"
    assert format_period(7200) == "2h"
    assert format_period(90) == "90s"


def _sample(value, **labels):
    return {"metric": labels, "value": [1700000000, str(value)]}


def test_sloth_results_are_grouped_by_sloth_id():
    ids = {"sloth_id": "svc-avail", "sloth_service": "svc", "sloth_slo": "avail"}
    found = sloth_slos(
        info=[_sample(1, sloth_objective="99.5", **ids)],
        objectives=[],
        ratios=[_sample(0.01, __name__="slo:sli_error:ratio_rate1h", sloth_window="1h", **ids),
                _sample("NaN", __name__="slo:sli_error:ratio_rate5m", **ids)],
        remaining=[_sample(0.25, **ids)],
        days=[_sample(28, **ids)],
    )
    slo = found["svc-avail"]
    assert (slo.service, slo.name, slo.objective, slo.period) == ("svc", "avail", 0.995, "28d")
    assert slo.ratios == {"1h": 0.01, "5m": None}  # NaN (no traffic) is unknown, not zero
    assert slo.budget_remaining == 0.25


def test_pyrra_budget_comes_from_availability_and_objective():
    found = pyrra_slos(
        objectives=[_sample(0.99, slo="api")],
        windows=[_sample(2419200, slo="api")],
        availability=[_sample(0.995, slo="api")],
        burnrates=[_sample(0.02, __name__="http_requests:burnrate1h", slo="api", job="api-server"),
                   _sample(0.05, __name__="http_requests:burnrate1h4m", slo="api")],  # not a window of ours
    )
    api = found["api"]
    assert api.service == "api-server" and api.period == "28d"
    assert api.ratios == {"1h": 0.02}
    assert api.budget_remaining == pytest.approx(0.5)


def test_missing_windows_and_objectives_come_from_the_rules_api():
    doc = {"status": "success", "data": {"groups": [{"rules": [
        {"type": "recording", "name": "http_requests:burnrate5m", "labels": {"slo": "api"},
         "query": 'sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m]))'},
        {"type": "alerting", "name": "ErrorBudgetBurn", "labels": {"slo": "api"},
         "query": 'http_requests:burnrate5m{slo="api"} > (14 * (1-0.995))'},
    ]}]}}
    expr = rule_exprs_5m(doc)[("pyrra", "api")]
    assert widen(expr, "3d") == 'sum(rate(x{code=~"5.."}[3d])) / sum(rate(x[3d]))'
    assert widen("vector(1)", "3d") is None
    assert pyrra_objectives_from_rules(doc) == {"api": pytest.approx(0.995)}


def test_declared_slo_config_is_checked():
    decl = DeclaredSlo(service="shop", name="avail", objective=99.9, error_query="e[{{ window }}]", total_query="t[{{window}}]")
    assert decl.id == "shop-avail" and decl.objective == pytest.approx(0.999) and decl.period == "30d"
    assert decl.ratio_query("1h") == "(e[1h]) / (t[1h])"
    with pytest.raises(ValidationError, match="window"):
        DeclaredSlo(service="s", name="n", objective=0.99, error_query="e[5m]", total_query="t[{{window}}]")
    with pytest.raises(ValidationError):
        DeclaredSlo(service="s", name="n", objective=0.99, period="soon", error_query="e[{{window}}]", total_query="t[{{window}}]")
    with pytest.raises(ValidationError):
        PrometheusSloSource.Options(url="http://x", slos=[], unknown_key=1)
