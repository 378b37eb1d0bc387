"""Issue 18 point 13: two modals stacked at start (the handoff notes, then "resume triage?").
Now one list of what is pending, each row actionable: enter resumes a triage or dismisses a
note or lists the silences ending soon, d dismisses every note, esc leaves it all for the next
start; j/k/g/G move."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.engine.handoff import pending_notes, write_note
from cockpit.engine.triage.store import TriageStore
from cockpit.ui.screens.main import MainScreen
from cockpit.ui.screens.startup import StartupScreen
from cockpit.ui.screens.triage import TriageScreen
from tests.app_fixtures import NOW, FakeEngine, fixed_states, make_app
from tests.runbook_fixtures import settle

SIZE = (120, 40)


def pending(directory: Path):
    """Two notes (one of two lines) and one open triage left in ``directory``."""
    write_note(directory, "db-2 disk: watch it\nCall dana if it pages", author="sam", now=NOW - timedelta(hours=2))
    write_note(directory, "deploy freeze until Monday", author="ana", now=NOW - timedelta(hours=1))
    store = TriageStore.in_cache(directory)
    return store.start(fixed_states()[0].items[1], None, now=NOW)


def rows(screen: StartupScreen) -> list[str]:
    """The list's rows as text (none while the screen is not composed yet)."""
    found = screen.query("#startup-list")
    if not found:
        return []
    table = found.first()
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


async def test_one_screen_lists_the_notes_and_the_open_triage_and_enter_resumes_it(tmp_path: Path):
    triage = pending(tmp_path)
    app = make_app(FakeEngine(cache_dir=tmp_path))
    pushed: list[str] = []
    original = app.push_screen

    def counting(screen, *args, **kwargs):
        pushed.append(type(screen).__name__)
        return original(screen, *args, **kwargs)

    app.push_screen = counting  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.pause(1.2)  # a second modal would come after the retry delay
        assert pushed == ["StartupScreen"] and [type(s).__name__ for s in app.screen_stack] == [
            "MainScreen", "StartupScreen"]
        screen = app.screen
        shown = rows(screen)
        assert len(shown) == 3
        assert shown[0].splitlines()[1:] == ["    db-2 disk: watch it", "    Call dana if it pages"]
        assert "sam" in shown[0] and "ana" in shown[1] and "deploy freeze until Monday" in shown[1]
        assert "KubePodCrashLooping" in shown[2] and triage.id in shown[2]
        title = str(screen.query_one("#startup-title").render())
        assert "2 handoff notes" in title and "1 open triage" in title
        await pilot.press("G", "enter")  # the last row: the triage
        await settle(app, pilot)
        assert isinstance(app.screen, TriageScreen) and app.screen.triage.id == triage.id
    assert len(pending_notes(tmp_path)) == 2  # resuming does not dismiss the notes


async def test_enter_on_a_note_dismisses_it_alone_and_d_the_rest(tmp_path: Path):
    pending(tmp_path)
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StartupScreen)
        await pilot.press("j", "enter")  # the second note
        await settle(app, pilot)
        assert [n.text for n in pending_notes(tmp_path)] == ["db-2 disk: watch it\nCall dana if it pages"]
        assert len(rows(screen)) == 2 and app.screen is screen
        await pilot.press("d")
        await settle(app, pilot)
        assert pending_notes(tmp_path) == []
        assert len(rows(screen)) == 1 and "KubePodCrashLooping" in rows(screen)[0]
        await pilot.press("escape")  # later: the triage stays open, offered again
        assert isinstance(app.screen, MainScreen)
    assert TriageStore.in_cache(tmp_path).list()[0].status == "open"


async def test_at_80_columns_a_long_note_line_folds_into_the_box_and_nothing_is_cut(tmp_path: Path):
    long = "the WAL volume on db-2 grows by about four gigabytes an hour since the 02:00 vacuum, " * 2
    write_note(tmp_path, long.strip(), author="sam", now=NOW)
    triage = TriageStore.in_cache(tmp_path).start(fixed_states()[0].items[1], None, now=NOW)
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StartupScreen)
        table = screen.query_one("#startup-list")
        width = table.columns[next(iter(table.columns))].width
        for row in rows(screen):
            assert all(len(line) <= width for line in row.splitlines()), row
        note, shown_triage = rows(screen)
        assert " ".join(line.strip() for line in note.splitlines()[1:]) == long.strip()
        assert triage.id in shown_triage


@pytest.mark.server
async def test_silences_ending_soon_join_the_open_list_and_enter_lists_them(tmp_path: Path):
    from cockpit.ui.screens.silences import SilencesScreen
    from tests.app_fixtures import engine_app, until
    from tests.servers import start_alertmanager
    from tests.test_silence_edit import post_silence
    from tests.test_silence_flow import E2E_CONFIG

    am = start_alertmanager(tmp_path)
    try:
        soon = post_silence(am.url, 10, "checkout")
        write_note(tmp_path / "cache", "db-2 disk: watch it", author="sam", now=NOW)
        app, _engine = engine_app(tmp_path, E2E_CONFIG.format(url=am.url))
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, StartupScreen) and len(rows(app.screen)) == 2,
                        "the list with its silences row")
            assert rows(app.screen)[1].startswith("⏳ silences  1 ends within 30m")
            await pilot.press("G", "enter")
            await until(pilot, lambda: isinstance(app.screen, SilencesScreen), "the silences list")
            await until(pilot, lambda: any(soon in str(row) for row in app.screen.query_one("#silences-table")
                                           .get_row_at(0)), "the silence ending soon, first")
        assert len(pending_notes(tmp_path / "cache")) == 1  # listing the silences dismisses no note
    finally:
        am.stop()


async def test_silences_found_ending_soon_before_the_list_opens_get_their_row(tmp_path: Path):
    write_note(tmp_path, "db-2 disk: watch it", author="sam", now=NOW)
    app = make_app(FakeEngine(cache_dir=tmp_path))
    app.silences_ending = (2, "30m")  # the look at the silences answered before the list was read
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, StartupScreen)
        assert rows(app.screen)[-1].startswith("⏳ silences  2 end within 30m")
        assert "silences ending within 30m" in str(app.screen.query_one("#startup-title").render())
