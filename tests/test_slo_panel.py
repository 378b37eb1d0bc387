"""The SLO panel (rows, burn marks, order, sparkline) and the SLO detail screen, through Pilot."""

from __future__ import annotations

from cockpit.ui.app import CockpitApp
from cockpit.core.models import Slo, SloStatus, SourceKind, SourceState, SourceStatus
from cockpit.core.slo_rules import BurnRule, Thresholds
from cockpit.ui.screens.main import MainScreen
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
        slo("orders-availability", "page", 0.05, {"5m": 16.0, "1h": 15.0, "6h": 6.5, "1d": 2.0, "3d": 0.9}),
    ]
    return states_of(items)


def states_of(items: list[Slo]) -> list[SourceState]:
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
        # page by 1h+5m (16.2, 17) and 6h+30m (7.1, 12): those windows marked; 3d (1.2) is over the
        # ticket factor but the status is page, so it is not marked
        assert checkout[6:10] == ["▲16.2", "▲7.1", " 2.5", " 1.2"]
        assert checkout[10:12] == ["▲ page", "1h+5m 6h+30m"]
        # the worst burn rate against its page threshold, with its window: 6h (7.1 / 6)
        assert checkout[5] == "▲7.1 6h"
        payments = by_service["payments"]
        # ticket by 3d+6h (1.1, 1.5); 1d = 3.5 is above 3 but its pair 2h is unknown: no mark
        assert payments[6:10] == [" 2.0", "△1.5", " 3.5", "△1.1"]
        assert payments[10:12] == ["△ ticket", "3d+6h"]
        # the Burn figure is one of the deciding windows (6h: 1.5 over its lowest factor 1), not
        # 1d (3.5 / 3), which decides nothing
        assert payments[5] == "△1.5 6h"
        assert by_service["search"][6:12] == [" 0.4", " 0.5", " 0.6", " 0.7", "✓ ok", ""]
        # the sparkline: flat, a gap, then climbing to the top block
        spark = checkout[12]
        assert spark == "▁▁▁▁▁▁ ▂▄▇█"
        assert by_service["search"][12] == "-"  # no history: a dash, not a flat line


CONTRADICTION = slo("cart-availability", "ok", 0.8,
                    {"5m": 1.0, "30m": 1.2, "1h": 1.1, "2h": 3.5, "6h": 2.0, "1d": 2.5, "3d": 0.7})
"""Issue 18: 6h (2.0) is above the ticket factor 1 and 2h (3.5) above 3, each on its own; their
pairs (3d 0.7, 1d 2.5) are not, so the status is ok, and nothing may say otherwise."""


async def test_a_window_above_its_threshold_alone_is_not_marked_when_the_status_is_ok():
    app = make_app(states_of([CONTRADICTION]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (row,) = rows(app)
        assert row[10] == "✓ ok"
        assert row[6:10] == [" 1.1", " 2.0", " 2.5", " 0.7"]
        assert not any(mark in cell for cell in row for mark in "▲△")
        await pilot.press("2", "enter")
        body = app.screen.query_one("#slo-fields").content.plain
        assert "status: ✓ ok (no window pair above its threshold)" in body
        table = {line.split()[0]: line for line in body.splitlines() if line[:3].strip() in
                 ("5m", "30m", "1h", "2h", "6h", "1d", "3d")}
        assert not any(mark in line for line in table.values() for mark in "▲△")
        assert table["2h"].endswith("above ticket >3 alone; 1d is not")
        assert table["6h"].endswith("above ticket >1 alone; 3d is not")
        assert "level" not in body  # no "above: ticket level" beside an ok status


async def test_detail_and_panel_agree_on_status_pairs_and_marks():
    app = make_app(slo_states())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel_rows = {r[0]: r for r in rows(app)}
        for index, service in enumerate(["orders", "checkout", "payments"]):
            await pilot.press("2", "g", *(["j"] * index), "enter")
            body = app.screen.query_one("#slo-fields").content.plain
            row = panel_rows[service]
            status_line = next(l for l in body.splitlines() if l.startswith("status: "))
            assert status_line.startswith("status: " + row[10]), (service, status_line)
            for pair in row[11].split():
                assert pair in status_line, (service, pair, status_line)
            for window, cell in zip(("1h", "6h", "1d", "3d"), row[6:10]):
                line = next(l for l in body.splitlines() if l.startswith(window + " "))
                marked_here = "  decides " in line  # the meaning column starts with "decides"
                assert cell.strip() in line and (cell[0] in "▲△") == marked_here, (service, line)
            await pilot.press("escape")
        await pilot.press("2", "g", "j", "enter")  # checkout: both page pairs hold
        body = app.screen.query_one("#slo-fields").content.plain
        assert "status: ▲ page (page by 1h+5m > 14.4, 6h+30m > 6)" in body


async def test_a_source_with_its_own_thresholds_is_marked_by_them_in_panel_and_detail():
    """A source paging at 1h+5m > 2 (its own rule): 3.0 on both windows decides the page, so the
    panel marks them and names the pair, and the detail says the same (the defaults would not)."""
    strict = Thresholds(page=[BurnRule(long="1h", short="5m", factor=2)], ticket=[])
    judged = slo("strict-availability", "page", 0.8, {"5m": 3.0, "1h": 3.0, "6h": 0.5}, thresholds=strict)
    app = make_app(states_of([judged]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (row,) = rows(app)
        assert row[10] == "▲ page" and row[11] == "1h+5m", row
        assert row[6] == "▲3.0", row
        await pilot.press("2", "enter")
        body = app.screen.query_one("#slo-fields").content.plain
        assert "status: ▲ page (page by 1h+5m > 2)" in body
        one_hour = next(l for l in body.splitlines() if l.startswith("1h "))
        assert "page >2" in one_hour and "decides page" in one_hour, one_hour


async def test_sparklines_share_one_scale_so_a_low_burn_draws_low():
    low = slo("a-low", "ok", 0.9, {"1h": 0.9}, burn_history=[0.9] * 12)
    high = slo("b-high", "page", 0.1, {"1h": 15.5, "5m": 15.5}, burn_history=[15.5] * 12)
    app = make_app(states_of([low, high]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sparks = {r[0]: r[12] for r in rows(app)}
        assert sparks["b"] == "█" * 12
        assert sparks["a"] == "▁" * 12  # 0.9 of 15.5: the lowest block, not full height like 15.5


async def test_enter_on_an_slo_shows_every_window_budget_exhaustion_and_chart():
    app = make_app(slo_states())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "j", "enter")  # the second row: checkout
        screen = app.screen
        assert isinstance(screen, SloDetailScreen)
        body = screen.query_one("#slo-fields").content.plain
        assert "checkout / availability" in screen.query_one("#slo-title").content.plain
        for window, shown, limits, meaning in (
                ("5m", "▲17.0", "page >14.4", "decides page: 1h+5m > 14.4"),
                ("30m", "▲12.0", "page >6", "decides page: 6h+30m > 6"),
                ("1h", "▲16.2", "page >14.4", "decides page: 1h+5m > 14.4"),
                ("2h", " 9.0", "ticket >3", "above ticket >3 alone; 1d is not"),
                ("6h", "▲7.1", "page >6, ticket >1", "decides page: 6h+30m > 6"),
                ("1d", " 2.5", "ticket >3", "below"),
                ("3d", " 1.2", "ticket >1", "ticket 3d+6h holds, page decides")):
            line = next(line for line in body.splitlines() if line.startswith(window + " "))
            assert shown in line and limits in line and line.endswith(meaning), line
        # 18% of a 30d budget at 16.2x: 0.18 * 30d / 16.2 = 8h
        assert "time to exhaustion: budget gone in 8h00m at the current 1h burn (16.2)" in body
        assert "18%" in body
        chart = [l for l in body.splitlines() if "┤" in l]
        assert len(chart) == 8
        assert chart[0].lstrip().startswith("18.0") and chart[-1].lstrip().startswith("0 ")
        assert any(l.endswith("page 14.4") for l in chart)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


def test_burn_mark_shows_the_level_its_pair_decides():
    assert burn_mark(14.5, SloStatus.PAGE) == ("▲14.5", "page")
    assert burn_mark(14.5) == (" 14.5", "ok")  # above 14.4, but its pair does not decide anything
    assert burn_mark(1.01, SloStatus.TICKET)[0] == "△1.0"
    assert burn_mark(None, SloStatus.PAGE)[0] == " -"


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
