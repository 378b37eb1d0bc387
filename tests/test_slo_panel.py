"""The SLO panel (rows, burn marks, order, sparkline) and the SLO detail screen, through Pilot."""

from __future__ import annotations

from cockpit.ui.app import CockpitApp
from cockpit.core.models import Slo, SourceKind, SourceState, SourceStatus
from cockpit.ui.screens import MainScreen
from cockpit.ui.screens.slo_detail import SloDetailScreen, exhaustion_text
from tests.app_fixtures import ago, make_app
from cockpit.widgets.slos import burn_mark
from cockpit.widgets.sparkline import column_chart, downsample, sparkline

SIZE = (240, 50)

RISING = [0.5] * 6 + [None] + [3.0, 8.0, 15.0, 18.0]


def slo(ident: str, status: str, budget: float | None, burns: dict, **extra) -> Slo:
    service, _, name = ident.partition("-")
    return Slo(source="prom", id=ident, service=service, name=name, objective=0.999,
               burn_rates=burns, error_budget_remaining=budget, status=status, **extra)


def slo_states() -> list[SourceState]:
    items = [
        slo("search-latency", "ok", 0.90, {"1h": 0.4, "6h": 0.5, "1d": 0.6, "3d": 0.7}),
        slo("login-availability", "ok", 0.35, {"1h": 1.5, "6h": 1.2, "1d": 0.9, "3d": 0.8}),
        slo("payments-availability", "ticket", 0.41, {"1h": 2.0, "6h": 1.5, "1d": 3.5, "3d": 1.1}),
        slo("checkout-availability", "page", 0.18,
            {"5m": 17.0, "30m": 12.0, "1h": 16.2, "2h": 9.0, "6h": 7.1, "1d": 2.5, "3d": 1.2},
            burn_history=RISING),
        slo("orders-availability", "page", 0.05, {"1h": 15.0, "6h": 6.5, "1d": 2.0, "3d": 0.9}),
    ]
    return [SourceState(name="prom", type="prometheus-slo", kind=SourceKind.SLOS,
                        status=SourceStatus.OK, fetched_at=ago(seconds=20), items=items)]


def rows(app: CockpitApp) -> list[list[str]]:
    table = app.main_screen.panel("slos").table
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_rows_sorted_worst_first_then_least_budget():
    app = make_app(slo_states())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        services = [r[0] for r in rows(app)]
        # page (least budget first), then ticket, then ok (least budget first)
        assert services == ["orders", "checkout", "payments", "login", "search"]
        statuses = [r[10] for r in rows(app)]
        assert statuses == ["▲ page", "▲ page", "△ ticket", "✓ ok", "✓ ok"]


async def test_budget_bar_burn_marks_and_sparkline_read_without_colour():
    app = make_app(slo_states())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        by_service = {r[0]: r for r in rows(app)}
        checkout = by_service["checkout"]
        assert checkout[2] == "99.9%"
        assert checkout[3].startswith("█") and "░" in checkout[3] and checkout[4] == " 18%"
        # 1h above its page threshold (14.4), 6h above page (6), 1d under ticket (3), 3d over ticket (1)
        assert checkout[6:10] == ["▲16.2", "▲7.1", " 2.5", "△1.2"]
        # the worst burn rate against its page threshold, with its window: 6h (7.1 / 6)
        assert checkout[5] == "▲7.1 6h"
        payments = by_service["payments"]
        # 1h = 2.0 is under 14.4 (no ticket rule uses 1h); 6h is the short window of the 3d ticket rule (>1)
        assert payments[6:10] == [" 2.0", "△1.5", "△3.5", "△1.1"]
        assert by_service["search"][6:10] == [" 0.4", " 0.5", " 0.6", " 0.7"]
        # the sparkline: flat, a gap, then climbing to the top block
        spark = checkout[11]
        assert spark == "▁▁▁▁▁▁ ▂▄▇█"
        assert by_service["search"][11] == "-"  # no history: a dash, not a flat line


async def test_enter_on_an_slo_shows_every_window_budget_exhaustion_and_chart():
    app = make_app(slo_states())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "j", "enter")  # the second row: checkout
        screen = app.screen
        assert isinstance(screen, SloDetailScreen)
        body = screen.query_one("#slo-fields").content.plain
        assert "checkout / availability" in screen.query_one("#slo-title").content.plain
        for window, shown, limits in (("5m", "▲17.0", "page >14.4"), ("30m", "▲12.0", "page >6"),
                                      ("1h", "▲16.2", "page >14.4"), ("2h", "△9.0", "ticket >3"),
                                      ("6h", "▲7.1", "page >6, ticket >1"), ("1d", "2.5", "ticket >3"),
                                      ("3d", "△1.2", "ticket >1")):
            line = next(line for line in body.splitlines() if line.startswith(window + " "))
            assert shown in line and limits in line, line
        assert "1d" in body and "below" in next(l for l in body.splitlines() if l.startswith("1d "))
        # 18% of a 30d budget at 16.2x: 0.18 * 30d / 16.2 = 8h
        assert "time to exhaustion: budget gone in 8h00m at the current 1h burn (16.2)" in body
        assert "18%" in body
        chart = [l for l in body.splitlines() if "┤" in l]
        assert len(chart) == 8
        assert chart[0].lstrip().startswith("18.0") and chart[-1].lstrip().startswith("0 ")
        assert any(l.endswith("page 14.4") for l in chart)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


def test_burn_mark_uses_the_thresholds_of_each_window():
    assert burn_mark("1h", 14.5) == ("▲14.5", "page")
    assert burn_mark("1h", 14.4)[0] == " 14.4"  # "above" is strict, like the rules
    assert burn_mark("3d", 1.01)[0] == "△1.0"
    assert burn_mark("6h", None)[0] == " -"


def test_exhaustion_spent_and_unknown():
    spent = slo("a-b", "page", -0.1, {"1h": 20.0})
    assert exhaustion_text(spent) == "budget already spent"
    unknown = slo("a-b", "ok", 0.5, {})
    assert exhaustion_text(unknown) == "unknown (1h burn rate unknown)"
    idle = slo("a-b", "ok", 0.5, {"1h": 0.0})
    assert exhaustion_text(idle) == "not burning at the current 1h rate"


def test_sparkline_scales_to_the_peak_keeps_gaps_and_floors_low_series():
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([1.0, None, 1.0]) == "█ █"
    assert sparkline([0.05, 0.05]) == "▁▁"  # far below the floor of 1: stays low, not full height
    assert sparkline([]) == ""
    # downsampling keeps each bucket's peak, so a short spike is not averaged away
    assert downsample([0, 0, 9, 0, 0, 0], 3) == [0, 9, 0]
    assert len(sparkline(list(range(100)), width=12)) == 12


def test_column_chart_fills_eighths_and_draws_marks_within_scale():
    lines = column_chart([8.0, 4.0, None, 1.0], width=10, height=2, marks=[(6.0, "six"), (50.0, "out")])
    assert lines == ["8.0 ┤█┈ ┈ six", "  0 ┤██ ▂"]
