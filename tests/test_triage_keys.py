"""Issue 18, point 4: one key must not destroy work.

``c`` closed a triage at once (elsewhere ``c`` copies), a closed triage's notes could not be
reached from the TUI, and ``q`` quit from inside a triage or a dialog at once. Now closing is
``x`` and asks first, ``q`` off the main screen asks first, and every triage can be listed and
reopened (command palette "triage: list").
"""

from __future__ import annotations

from pathlib import Path

from cockpit.ui.screens.main import MainScreen
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.triage import TriageScreen
from cockpit.ui.screens.triages import TriagesScreen
from cockpit.engine.triage.store import TriageStore
from tests.app_fixtures import make_app
from tests.runbook_fixtures import RunbookEngine, settle

SIZE = (120, 40)


def saved(engine: RunbookEngine) -> list:
    return TriageStore.in_cache(engine.cache_dir).list(include_closed=True)


async def start_triage_with_a_note(app, pilot) -> str:
    await pilot.press("t")
    await settle(app, pilot)
    assert isinstance(app.screen, TriageScreen)
    await pilot.press("N", *"rolled back v2.14.1", "enter")
    await settle(app, pilot)
    return app.screen.triage.id


async def test_c_no_longer_closes_a_triage_and_x_asks_first(tmp_path: Path):
    engine = RunbookEngine(tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await start_triage_with_a_note(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: the triage stays open and on screen
        await settle(app, pilot)
        assert isinstance(app.screen, TriageScreen)
        assert "x close triage" in str(app.screen.query_one("#triage-hint").render())
    assert [t.status for t in saved(engine)] == ["open"]


async def test_q_inside_a_triage_asks_before_quitting(tmp_path: Path):
    engine = RunbookEngine(tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await start_triage_with_a_note(app, pilot)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("q")  # a second q does not stack another question
        assert len([s for s in app.screen_stack if isinstance(s, ConfirmScreen)]) == 1
        await pilot.press("escape")
        assert isinstance(app.screen, TriageScreen) and app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
    assert not app.is_running and app.return_code == 0


async def test_q_inside_the_help_dialog_asks_and_on_the_main_screen_quits_at_once(tmp_path: Path):
    app = make_app(RunbookEngine(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark", "q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n", "escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_a_closed_triage_is_listed_with_its_notes_and_can_be_reopened(tmp_path: Path):
    engine = RunbookEngine(tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        first = await start_triage_with_a_note(app, pilot)
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+p", *"triage: list")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TriagesScreen)
        table = app.screen.query_one("#triages-table")
        row = [cell.plain for cell in table.get_row_at(0)]
        assert row[0] == "closed" and row[1] == "CheckoutHighErrorRate" and row[3] == "1"
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.triage.id == first
        assert "rolled back v2.14.1" in str(screen.query_one("#triage-notes").render())
        assert "x reopen" in str(screen.query_one("#triage-hint").render())
        await pilot.press("x")
        await settle(app, pilot)
        assert "open" in str(screen.query_one("#triage-title").render())
    (triage,) = saved(engine)
    assert triage.status == "open" and [e.kind for e in triage.events][-2:] == ["closed", "reopened"]
