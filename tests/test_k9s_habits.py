"""k9s habits: the ``:`` command line with completion, ``g``/``G``, the sort key, mouse selection;
all remappable and listed in the help."""

from __future__ import annotations

import pytest

from cockpit.ui.command_line import complete, parse
from cockpit.ui.app import binding_owners
from cockpit.ui.keys import keys_in_force
from cockpit.widgets.columns import cell_order
from tests.app_fixtures import make_app

SIZE = (120, 40)


def test_command_line_completes_commands_services_and_themes():
    assert complete(":ti") == ":timeline"
    assert complete("tim") == "timeline"
    assert complete(":timeline ch", services=["checkout", "search"]) == ":timeline checkout"
    assert complete(":theme mo", themes=["dark", "mono"]) == ":theme mono"
    assert complete(":zz") is None
    assert parse(":timeline checkout").argument == "checkout"
    assert parse(":tim").name == "timeline"  # a unique prefix is enough
    assert parse("quit").name == "q"
    with pytest.raises(ValueError, match="unknown command :bogus"):
        parse(":bogus")


def test_cells_sort_by_value_not_by_text():
    cells = ["1h05m", "9m", "45s", "-", "2d"]
    assert sorted(cells, key=cell_order) == ["45s", "9m", "1h05m", "2d", "-"]
    assert sorted([" 22%", "-12%", "100%"], key=cell_order) == ["-12%", " 22%", "100%"]
    assert sorted(["▲15.5 6h", " 0.3 6h", "△5.2 6h"], key=cell_order) == [" 0.3 6h", "△5.2 6h", "▲15.5 6h"]


async def test_colon_opens_the_command_line_and_runs_focus_and_theme_commands():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"dep")
        await pilot.pause()  # the completion is computed off the key handler
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert app.main_screen.current_panel.id == "deploys"
        assert app.focused is app.main_screen.panel("deploys").table
        await pilot.press("colon", *"theme mono", "enter")
        await pilot.pause()
        assert app.theme == "mono"
        await pilot.press("colon", *"nonsense", "enter")
        await pilot.pause()
        assert any("unknown command :nonsense" in str(n.message) for n in app._notifications)
        await pilot.press("colon", "escape")
        await pilot.pause()
        assert not app.main_screen.query_one("#command").has_class("-open")


async def test_g_and_shift_g_go_to_the_first_and_last_alert():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main_screen.panel("alerts")
        await pilot.press("G")
        last = panel.selected_item
        assert last is not None and last.fingerprint == panel.visible_items[-1].fingerprint
        await pilot.press("g")
        assert panel.selected_item.fingerprint == panel.visible_items[0].fingerprint


async def test_sort_key_cycles_columns_and_marks_the_header():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")  # Deploys: newest first by default
        panel = app.main_screen.panel("deploys")
        services = [d.service for d in panel.visible_items]
        assert services == ["payments", "checkout", "search"]
        await pilot.press("O")  # first sortable column: service
        await pilot.pause()
        assert [d.service for d in panel.visible_items] == sorted(services)
        labels = [c.label.plain for c in panel.table.columns.values()]
        assert "Service ▲" in labels
        for _ in range(len(panel.columns()) + 1):  # all the way round: the panel's own order
            if panel.sort_column is None:
                break
            await pilot.press("O")
        assert panel.sort_column is None
        assert [d.service for d in panel.visible_items] == services
        assert all("▲" not in c.label.plain for c in panel.table.columns.values())


async def test_sorting_alerts_by_age_keeps_groups_and_orders_within_them():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main_screen.panel("alerts")
        while panel.sort_column != "age":
            await pilot.press("O")
        await pilot.pause()
        for group in panel.groups:
            starts = [a.starts_at for a in group.alerts]
            assert starts == sorted(starts, reverse=True)  # youngest first


async def test_a_mouse_click_selects_the_row_and_focuses_its_panel():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        deploys = app.main_screen.panel("deploys")
        table = deploys.table
        await pilot.pause()  # the panels placed
        # the third data row of the Deploys table (under its column header)
        await pilot.click(table, offset=(3, 3))
        await pilot.pause()
        assert app.main_screen.current_panel.id == "deploys"
        assert app.focused is table
        assert deploys.selected_item is deploys.visible_items[2]


def test_new_keys_are_remappable_and_listed():
    ids = {binding_id for binding_id, _keys, _desc in keys_in_force(None, binding_owners())}
    assert {"command-line", "first", "last", "sort", "timeline"} <= ids
    shown = dict((i, k) for i, k, _d in keys_in_force({"sort": "ctrl+o"}, binding_owners()))
    assert shown["sort"] == "^o" or "o" in shown["sort"].lower()
