"""Responsive layout: each panel keeps its key figures whole at 80x24, a number or an age is
never cut, panels without a source are hidden (the status bar names them) and rows follow
their content."""

from __future__ import annotations

import pytest
from rich.text import Text

from cockpit.core.models import SourceKind
from cockpit.ui.layout import MIN_ROW, arrange
from cockpit.widgets.columns import ColumnSpec, fit_columns
from cockpit.widgets.panel import Panel
from tests.app_fixtures import fixed_clock, fixed_states, make_app

KEY_FIGURES = {
    "alerts": {"severity", "state", "name", "age"},
    "slos": {"service", "budget", "worst", "status"},
    "deploys": {"service", "status", "when"},
    "pipelines": {"name", "status", "age"},
    "runbooks": {"title"},
}
"""Per panel, the columns an on-call engineer must see at 80x24 (issue 14)."""


def visible(panel) -> list[str]:
    return [str(key.value) for key in panel.table.columns]


@pytest.mark.parametrize("panel_id", sorted(KEY_FIGURES))
async def test_key_figures_are_whole_at_80x24(panel_id: str):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.main_screen.panel(panel_id)
        assert panel.display
        shown = visible(panel)
        assert KEY_FIGURES[panel_id] <= set(shown), shown
        uncut = {spec.key for spec in panel.columns() if spec.min_width is None}
        table = panel.table
        assert table.row_count
        for row in range(table.row_count):
            item = panel._shown[row][1]
            if item is None or not hasattr(item, "item_type"):
                continue  # a group header
            full = dict(zip([s.key for s in panel.columns()], panel.row_cells(item, fixed_clock())))
            drawn = dict(zip(shown, table.get_row_at(row)))
            for key in set(shown) & uncut:
                if panel.AGE_COLUMN and key == panel.AGE_COLUMN[0]:
                    continue  # the age cell is written apart from the others
                assert drawn[key].plain == full[key].plain, (panel_id, key)
            if panel.AGE_COLUMN and panel.AGE_COLUMN[0] in shown:
                assert not drawn[panel.AGE_COLUMN[0]].plain.endswith("…")
        # each cell under its own header: the first item's figures where their columns say
        first = next(item for _key, item in panel._shown if item is not None and hasattr(item, "item_type"))
        row = next(r for r, (_k, i) in enumerate(panel._shown) if i is first)
        drawn = dict(zip(shown, (c.plain for c in table.get_row_at(row))))
        expected = {"alerts": {"severity": first.severity if panel_id == "alerts" else None},
                    "deploys": {"service": getattr(first, "service", None)},
                    "slos": {"service": getattr(first, "service", None)}}.get(panel_id, {})
        for key, value in expected.items():
            if value is not None:
                assert drawn[key].strip() == value, (panel_id, key, drawn)
        if panel.AGE_COLUMN and panel.AGE_COLUMN[0] in shown:
            from cockpit.widgets.panel import age_text
            assert drawn[panel.AGE_COLUMN[0]] == age_text(getattr(first, panel.AGE_COLUMN[1]), fixed_clock())
        # the table is no wider than its panel: nothing is clipped at the right edge
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_a_wide_screen_shows_every_slo_column_and_a_narrow_one_drops_the_least_important():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        narrow = visible(app.main_screen.panel("slos"))
        assert "trend" not in narrow and "3d" not in narrow
    app = make_app()
    async with app.run_test(size=(240, 50)) as pilot:
        await pilot.pause()
        assert visible(app.main_screen.panel("slos")) == [s.key for s in app.main_screen.panel("slos").columns()]


def test_columns_drop_lowest_priority_first_and_never_cut_a_number():
    specs = [ColumnSpec("name", "Name", 0, min_width=6, max_width=20), ColumnSpec("age", "Age", 0),
             ColumnSpec("extra", "Extra", 5), ColumnSpec("more", "More", 3)]
    natural = {"name": 30, "age": 5, "extra": 8, "more": 8}
    assert fit_columns(specs, natural, 200) == {"name": 30, "age": 5, "extra": 8, "more": 8}
    # 40 cells: the least important column goes rather than the name being cut short
    assert fit_columns(specs, natural, 40) == {"name": 21, "age": 5, "more": 8}
    fitted = fit_columns(specs, natural, 20)
    assert fitted == {"name": 11, "age": 5}  # the age whole, the name shortened
    assert fit_columns(specs, natural, 5)["age"] == 5  # priority 0 is never dropped nor cut


def test_arrangement_hides_nothing_it_is_not_asked_to_and_rows_follow_content():
    wants = {"alerts": 8, "slos": 5, "deploys": 4, "pipelines": 6, "runbooks": 3}
    roomy = arrange(wants, 120, 50)
    assert roomy.rows == (8, 5, 6)  # as tall as the tallest panel of the row; no empty rows
    assert roomy.shown == tuple(wants)
    tight = arrange({**wants, "alerts": 40}, 80, 20)
    assert sum(tight.rows) <= 20 and min(tight.rows) >= MIN_ROW
    assert tight.rows[0] == max(tight.rows)  # the Alerts row gets the most room
    wide = arrange(wants, 200, 60)
    assert [(p, r) for p, r, _span in wide.spans][:2] == [("alerts", 0), ("slos", 0)]


async def test_alertmanager_only_hides_the_other_panels_and_names_them_in_the_status_bar():
    states = [s for s in fixed_states() if s.kind == SourceKind.ALERTS]
    app = make_app(states)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        main = app.main_screen
        assert main.panel("alerts").display
        assert [p.id for p in main.panels if p.display] == ["alerts"]
        bar = main.status_bar.render()
        plain = bar.plain if isinstance(bar, Text) else str(bar)
        assert "no source: SLOs, Deploys, Pipelines, Runbooks" in plain
        await pilot.press("3")  # no deploys source: the focus stays, a notice says why
        await pilot.pause()
        assert main.current_panel.id == "alerts"
        assert any("No deploys source" in str(n.message) for n in app._notifications)
        # the Alerts panel has the screen's whole width
        assert main.panel("alerts").size.width >= 118


async def test_alertmanager_only_builds_only_the_alerts_panel_and_says_there_is_no_deploy_source():
    """Panels of a kind no source feeds are not even built; ``3`` and ``:deploys`` say why in
    one line, and the filter and the ``:`` line still open (they are built on first use)."""
    states = [s for s in fixed_states() if s.kind == SourceKind.ALERTS]
    app = make_app(states)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        main = app.main_screen
        assert [p.id for p in main.query(Panel)] == ["alerts"]
        for keys in (["3"], ["colon", *"deploys", "enter"]):
            app._notifications.clear()
            await pilot.press(*keys)
            await pilot.pause()
            assert main.current_panel.id == "alerts" and main.panel("alerts").table.has_focus
            said = [str(n.message) for n in app._notifications]
            assert said == ["No deploys source is configured"]
        await pilot.press("tab")
        assert main.current_panel.id == "alerts"
        await pilot.press("slash", *"checkout")
        await pilot.pause()
        assert [a.name for a in main.panel("alerts").visible_items] == ["CheckoutHighErrorRate"]


async def test_demo_builds_every_panel_whose_kind_a_source_feeds():
    app = make_app(fixed_states())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [p.id for p in app.main_screen.query(Panel)] == ["alerts", "slos", "deploys", "pipelines", "runbooks"]
        await pilot.press("3")
        assert app.main_screen.current_panel.id == "deploys"
