"""Issue 18 point 13: a restart lost the filter and the selection. The main screen's view (each
panel's filter, selected row and sort, the focused panel) is kept in the state dir's view.json
and put back at the next start; a missing or bad file is ignored with a log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tests.app_fixtures import FakeEngine, _alert, fixed_states, make_app
from tests.runbook_fixtures import settle

SIZE = (160, 48)


def states_with_an_earlier_warning():
    """The fixed states plus a firing warning that sorts above the others: rows move down."""
    states = fixed_states()
    extra = _alert("a0", "AaaQueueBacklog", "warning", "firing", "queue", "backlog grows", 1)
    return [s.model_copy(update={"items": [extra, *s.items]}) if s.name == "am-prod" else s for s in states]


def row_of(panel, predicate) -> int:
    return next(i for i, item in enumerate(panel.visible_items) if predicate(item))


async def test_a_restart_puts_back_the_filter_focus_selected_rows_and_sort(tmp_path: Path):
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        await pilot.press("slash", *"warning", "enter", "G")  # the last warning
        alerts = main.panel("alerts")
        chosen = alerts.selected_item
        assert chosen is not None and chosen.fingerprint == "a3"
        row_before = row_of(alerts, lambda a: a.fingerprint == "a3")
        await pilot.press("3", "O", "j")  # Deploys: sorted by a column, the second row
        deploys = main.panel("deploys")
        sort, deploy = deploys.sort_column, deploys.selected_item
        assert sort is not None and deploy is not None and deploy.id != deploys.visible_items[0].id
    kept = tmp_path / "view.json"
    assert kept.stat().st_mode & 0o777 == 0o600
    assert json.loads(kept.read_text())["panels"]["alerts"]["filter"] == "warning"

    app = make_app(FakeEngine(states_with_an_earlier_warning(), cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        alerts, deploys = main.panel("alerts"), main.panel("deploys")
        assert alerts.filter_text == "warning"
        assert "filter: warning" in str(alerts.header.render())
        assert alerts.selected_item.fingerprint == "a3"  # the same alert, by its identity...
        assert row_of(alerts, lambda a: a.fingerprint == "a3") != row_before  # ...not its row number
        assert main.current_panel is deploys and deploys.table.has_focus
        assert deploys.sort_column == sort and deploys.selected_item.id == deploy.id
        await pilot.press("1", "escape")  # Alerts, then esc clears its filter: kept as cleared
    assert "filter" not in json.loads(kept.read_text())["panels"].get("alerts", {})


async def test_a_kept_row_not_there_yet_is_selected_when_it_shows_up(tmp_path: Path):
    (tmp_path / "view.json").write_text(json.dumps(
        {"version": 1, "focus": "alerts", "panels": {"alerts": {"selected": "am-prod/a0"}}}))
    engine = FakeEngine(cache_dir=tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        alerts = app.main_screen.panel("alerts")
        assert alerts.selected_item.fingerprint != "a0"
        engine.push(states_with_an_earlier_warning()[0])  # the next poll brings it
        await settle(app, pilot)
        assert alerts.selected_item.fingerprint == "a0"


async def test_a_corrupt_or_malformed_view_file_is_ignored_with_a_log_line(tmp_path: Path, caplog):
    for text in ("{not json", json.dumps({"version": 1, "panels": {"alerts": {"filter": 5}}}), "[]",
                 json.dumps({"version": 1, "hide_suppressed": "yes", "panels": {}})):
        (tmp_path / "view.json").write_text(text)
        app = make_app(FakeEngine(cache_dir=tmp_path))
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="cockpit.engine.view_state"):
            async with app.run_test(size=SIZE) as pilot:
                await settle(app, pilot)
                main = app.main_screen
                assert main.current_panel.id == "alerts" and main.panel("alerts").filter_text == ""
                assert len(main.panel("alerts").visible_items) == 5
        assert any("view.json" in r.getMessage() and "ignored" in r.getMessage() for r in caplog.records), text


async def test_a_restart_puts_back_hidden_suppressed_alerts_and_the_panel_shown_alone(tmp_path: Path):
    """``H`` (hide silenced and inhibited alerts) and ``z`` (one panel alone) are part of the view."""
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        alerts = app.main_screen.panel("alerts")
        everything = len(alerts.visible_items)
        await pilot.press("H", "3", "z")
        await settle(app, pilot)
        assert len(alerts.visible_items) < everything  # the fixture has suppressed alerts
    kept = json.loads((tmp_path / "view.json").read_text())
    assert kept["hide_suppressed"] is True and kept["maximized"] == "deploys" and kept["focus"] == "deploys"

    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        main = app.main_screen
        alerts = main.panel("alerts")
        assert alerts.hide_suppressed and len(alerts.visible_items) < everything
        assert main.maximized is main.panel("deploys") and main.current_panel.id == "deploys"
        await pilot.press("z", "H")  # all panels again, every alert
        await settle(app, pilot)
        assert main.maximized is None and len(alerts.visible_items) == everything
    kept = json.loads((tmp_path / "view.json").read_text())
    assert "maximized" not in kept and "hide_suppressed" not in kept
