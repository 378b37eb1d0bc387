"""End of shift (issue 18 point 13): multi-line handoff notes keep their lines, report times
carry their date when not on the window's last day, the report can be exported and copied."""

from __future__ import annotations

import re
from datetime import timedelta

from cockpit.engine.handoff import write_note
from cockpit.ui.screens.handoff import HandoffNotesScreen
from cockpit.ui.screens.report import ReportScreen
from tests.app_fixtures import NOW, FakeEngine
from tests.test_report_screen import SIZE, make_app, record_shift, settle

NOTE = "db-2 disk: watch it\n\x1b]52;c;ZXZpbA==\x07Rollback \x1b[31mdone\r\n\nCall dana if it pages"
LINES = ["db-2 disk: watch it", "Rollback done", "Call dana if it pages"]


async def test_a_two_line_note_keeps_its_lines_at_start_and_in_the_report(tmp_path):
    history = record_shift(tmp_path)
    history.close()
    write_note(tmp_path, NOTE, author="sam", now=NOW - timedelta(hours=1))
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HandoffNotesScreen)
        shown = app.screen.query_one("#handoff-text").content.plain.splitlines()
        assert shown[1:4] == LINES  # line by line, escapes and the clipboard write gone
        await pilot.press("escape")
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, ReportScreen)
        report = app.screen.report_text.splitlines()
        first = next(i for i, line in enumerate(report) if "db-2 disk: watch it" in line)
        assert report[first].endswith("sam: db-2 disk: watch it")
        assert [line.strip() for line in report[first + 1:first + 3]] == LINES[1:]
        assert "\x1b" not in app.screen.report_text and "ZXZpbA" not in app.screen.report_text


async def test_report_times_not_on_the_last_day_carry_their_date(tmp_path):
    history = record_shift(tmp_path)  # 12h up to Fri 27 Nov 09:30 UTC: starts on Thu 26 Nov
    history.close()
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        title = app.screen.report_text.splitlines()[0]
        since, until = (NOW - timedelta(hours=12)).astimezone(), NOW.astimezone()
        assert title.startswith(f"Shift report {since:%a %d %b %H:%M} to ")
        assert since.date() != until.date()  # the window crosses midnight in the local zone
        assert title.endswith(f" to {until:%H:%M} (12h)")  # the last day: the time alone
        hours = [line.split("  ")[1] for line in app.screen.report_text.splitlines()
                 if re.match(r"^  (\w{3} \d\d \w{3} )?\d\d:\d\d  +\d", line)]
        assert f"{since.replace(minute=0):%a %d %b %H:%M}" in hours  # pages per hour, before midnight
        assert f"{until.replace(minute=0):%H:%M}" in hours
