"""The "new" markers of the Alerts and Pipelines panels (issue 18 point 12), through Pilot.

An arriving alert must not move any column; the marker sits in a column of its own; a row's
marker clears when the cursor has rested on that row with the panel focused, or its details
were opened, never because the panel was tabbed through; the header counts what is still marked.
"""

from __future__ import annotations

import pytest

from cockpit.core.models import Alert, SourceKind, SourceState, SourceStatus
from cockpit.ui.screens.detail import DetailScreen
from cockpit.ui.screens.main import MainScreen
from cockpit.widgets.alerts import NEW_MARK, AlertsPanel
from cockpit.widgets.new_rows import SEEN_AFTER_S
from tests.app_fixtures import NOW, FakeEngine, make_app
from tests.test_alerts_panel import alert, source

RESTED = SEEN_AFTER_S + 0.5
"""Long enough for the cursor to have rested on a row (the panel's timer has fired)."""


def firing_only() -> list:
    return [
        alert("c1", "HighErrorRate", "critical", minutes=30, instance="web-1", service="checkout"),
        alert("w1", "DiskFull", "warning", minutes=50, instance="db-1", service="db"),
        alert("i1", "TargetDown", "info", minutes=5, instance="s-1", service="search"),
    ]


def slos() -> SourceState:
    """A second panel to look at."""
    return SourceState(name="prom", type="prometheus-slo", kind=SourceKind.SLOS, status=SourceStatus.OK,
                       fetched_at=NOW, items=[])


async def arrive(app, pilot, *fresh: Alert) -> AlertsPanel:
    """With the user looking at the SLOs panel, ``fresh`` alerts arrive; the Alerts panel."""
    panel = app.main_screen.query_one(AlertsPanel)
    await pilot.press("2")
    app.apply_states([source([*firing_only(), *fresh])])
    await pilot.pause()
    return panel


def layout(panel: AlertsPanel) -> list[tuple[str, int, int]]:
    """Every visible column: its key, where it starts and how wide it is (padding included)."""
    table, start, out = panel.table, 0, []
    for column in table.columns.values():
        width = column.get_render_width(table)
        out.append((column.key.value, start, width))
        start += width
    return out


def marked(panel: AlertsPanel) -> list[str]:
    """The fingerprints of the alerts whose row carries the marker, in order."""
    return [item.fingerprint for row, (_key, item) in enumerate(panel._shown)
            if item is not None and panel.table.get_cell(f"r{row}", "new").plain == NEW_MARK]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_a_pending_alert_arriving_moves_no_column(size):
    app = make_app(FakeEngine([source(firing_only()), slos()]))
    async with app.run_test(size=size) as pilot:
        panel = app.main_screen.query_one(AlertsPanel)
        await pilot.press("2")  # looking elsewhere
        before = layout(panel)
        assert "new" in [key for key, _start, _width in before]  # the marker column, from the start
        pending = alert("p1", "DiskFull", "critical", "pending", minutes=0.5, instance="db-3", service="db")
        app.apply_states([source([*firing_only(), pending])])
        await pilot.pause()
        assert "◌ pending" in [panel.table.get_cell(f"r{r}", "state").plain for r in range(panel.table.row_count)]
        assert marked(panel) == ["p1"]
        assert layout(panel) == before  # no column wider, none moved: the name starts where it did


async def test_the_marker_has_a_column_of_its_own():
    app = make_app(FakeEngine([source(firing_only()), slos()]))
    async with app.run_test(size=(120, 40)) as pilot:
        fresh = alert("d9", "DiskFull", "warning", minutes=0.5, instance="db-9", service="db")
        panel = await arrive(app, pilot, fresh)
        row = f"r{[item for _key, item in panel._shown].index(fresh)}"
        assert panel.table.get_cell(row, "new").plain == NEW_MARK
        assert panel.table.get_cell(row, "name").plain == "DiskFull"  # the name cell is the name alone
        assert [c.label.plain for c in panel.table.columns.values()][:5] == ["Age", "Sev", "State", NEW_MARK, "Alert"]


async def test_tabbing_through_the_panel_clears_no_marker():
    app = make_app(FakeEngine([source(firing_only()), slos()]))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await arrive(app, pilot,
                             alert("d9", "DiskFull", "warning", minutes=0.5, instance="db-9", service="db"),
                             alert("k9", "NodeDown", "critical", minutes=0.2, instance="n-9", service="node"))
        assert sorted(marked(panel)) == ["d9", "k9"] and " · 2 new" in panel.header_text().plain
        await pilot.press("1", "2")  # into the panel and straight out
        await pilot.press("shift+tab", "tab")  # and through it with tab
        await pilot.pause(RESTED)
        assert sorted(marked(panel)) == ["d9", "k9"]
        assert " · 2 new" in panel.header_text().plain


async def test_resting_on_a_row_or_opening_it_clears_that_row_only_and_the_header_follows():
    app = make_app(FakeEngine([source(firing_only()), slos()]))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await arrive(app, pilot,
                             alert("d8", "DiskFull", "warning", minutes=0.5, instance="db-8", service="db"),
                             alert("d9", "DiskFull", "warning", minutes=0.2, instance="db-9", service="db"),
                             alert("t9", "TargetDown", "info", minutes=0.1, instance="s-9", service="search"))
        order = [a.fingerprint for a in panel.visible_items]
        assert order.index("d9") < order.index("d8")  # newest first: the way to d8 passes d9
        assert " · 3 new" in panel.header_text().plain
        await pilot.press("1", "g", *["j"] * order.index("d8"))
        assert panel.selected_item.fingerprint == "d8"
        await pilot.pause(RESTED)
        assert sorted(marked(panel)) == ["d9", "t9"]  # d9 was only passed over
        assert " · 2 new" in panel.header_text().plain
        await pilot.press(*["j"] * (order.index("t9") - order.index("d8")), "enter")
        assert isinstance(app.screen, DetailScreen)  # opened at once: seen without resting
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert marked(panel) == ["d9"] and " · 1 new" in panel.header_text().plain


async def test_a_new_alert_under_a_resting_cursor_waits_for_its_own_rest():
    app = make_app(FakeEngine([source(firing_only())]))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.main_screen.query_one(AlertsPanel)
        await pilot.press("1", "g")
        await pilot.pause(RESTED)
        first = panel.selected_item
        newer = alert("c9", "HighErrorRate", "critical", minutes=0.1, instance="web-9", service="checkout")
        # the alert under the cursor resolves; the new one takes its row
        app.apply_states([source([newer, *(a for a in firing_only() if a.fingerprint != first.fingerprint)])])
        await pilot.pause()
        assert panel.selected_item.fingerprint == "c9" and marked(panel) == ["c9"]
        await pilot.pause(RESTED)
        assert marked(panel) == [] and " new" not in panel.header_text().plain


# ----- pipelines -------------------------------------------------------------------------------
async def test_a_new_failed_pipeline_keeps_its_marker_until_its_row_is_seen():
    from tests.test_deploys_pipelines_panels import alert_state, app_and_engine, pipeline, pipeline_state, rows

    app, engine = app_and_engine(pipeline_state(), alert_state())
    async with app.run_test(size=(240, 50)) as pilot:
        await pilot.pause()
        panel = app.main_screen.panel("pipelines")
        widths = [c.get_render_width(panel.table) for c in panel.table.columns.values()]
        assert all(r[2] == "" for r in rows(app, "pipelines"))  # failures there at start: the baseline
        engine.push(pipeline_state(pipeline("p6", "shop/payments", "failed", 1)))
        await pilot.pause()
        new = [r for r in rows(app, "pipelines") if r[2] == NEW_MARK]
        assert len(new) == 1 and new[0][4] == "f6aaaaaa"
        assert [c.get_render_width(panel.table) for c in panel.table.columns.values()] == widths
        assert " · 1 new" in panel.header_text().plain
        await pilot.press("4", "1")  # tabbed through: still new
        await pilot.pause(RESTED)
        assert any(r[2] == NEW_MARK for r in rows(app, "pipelines"))
        target = [getattr(item, "id", None) for _key, item in panel._shown].index("p6")
        await pilot.press("4", "g", *["j"] * target)
        assert panel.selected_item.id == "p6"
        await pilot.pause(RESTED)
        assert all(r[2] == "" for r in rows(app, "pipelines")) and " new" not in panel.header_text().plain
        # a later failure is new again; the seen one stays unmarked
        engine.push(pipeline_state(pipeline("p6", "shop/payments", "failed", 1),
                                   pipeline("p7", "shop/search", "failed", 0.5)))
        await pilot.pause()
        assert [r[4] for r in rows(app, "pipelines") if r[2] == NEW_MARK] == ["f7aaaaaa"]


async def test_an_alert_leaving_narrows_no_column():
    long_name = alert("l1", "KubePersistentVolumeInodesFillingUp", "warning", minutes=3, service="storage-backend")
    app = make_app(FakeEngine([source([*firing_only(), long_name]), slos()]))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.main_screen.query_one(AlertsPanel)
        await pilot.pause()
        before = layout(panel)
        app.apply_states([source(firing_only())])  # the long-named alert resolves
        await pilot.pause()
        assert [a.fingerprint for a in panel.visible_items] == ["c1", "w1", "i1"]
        assert layout(panel) == before


async def test_a_folded_group_shows_the_marker_of_its_hidden_new_alert():
    app = make_app(FakeEngine([source(firing_only()), slos()]))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await arrive(app, pilot,
                             alert("w8", "DiskFull", "warning", minutes=0.5, instance="db-8", service="db"))
        header = next(row for row, (key, item) in enumerate(panel._shown) if item is None)
        assert panel.table.get_cell(f"r{header}", "new").plain == ""  # unfolded: the row itself is marked
        await pilot.press("1")
        panel.table.move_cursor(row=header)
        await pilot.press("enter")  # fold the warning group
        assert "w8" not in [a.fingerprint for a in panel.visible_items]
        await pilot.pause(RESTED)  # resting on the folded header is not seeing its alerts
        assert panel.table.get_cell(f"r{header}", "new").plain == NEW_MARK
        assert " · 1 new" in panel.header_text().plain
