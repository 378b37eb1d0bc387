"""End of shift (issue 18 point 13): multi-line handoff notes keep their lines, report times
carry their date when not on the window's last day, the report can be exported and copied."""

from __future__ import annotations

import re
from datetime import timedelta

from cockpit.engine.handoff import write_note
from cockpit.ui.screens.startup import StartupScreen
from cockpit.ui.screens.report import ReportScreen
from tests.app_fixtures import NOW, FakeEngine
from tests.test_report_screen import SIZE, make_app, record_shift, settle

NOTE = "db-2 disk: watch it\n\x1b]52;c;ZXZpbA==\x07Rollback \x1b[31mdone\r\n\nCall dana if it pages"
LINES = ["db-2 disk: watch it", "Rollback done", "Call dana if it pages"]


def shift_with_note(directory):
    """An app on a recorded 12h shift with a two-line (hostile) note written an hour ago."""
    record_shift(directory).close()
    write_note(directory, NOTE, author="sam", now=NOW - timedelta(hours=1))
    return make_app(FakeEngine(cache_dir=directory))


async def test_a_two_line_note_keeps_its_lines_at_start_and_in_the_report(tmp_path):
    app = shift_with_note(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, StartupScreen)
        shown = app.screen.query_one("#startup-list").get_row_at(0)[0].plain.splitlines()
        assert [line.strip() for line in shown[1:]] == LINES  # line by line, escapes and the clipboard write gone
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


async def test_report_exports_markdown_to_the_state_dir_says_where_and_copies(tmp_path):
    app = shift_with_note(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")  # the start-up notes
        await pilot.press("R")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        assert "e export · c copy" in screen.query_one("#report-title").content.plain
        await pilot.press("e")
        await settle(app, pilot)
        written = sorted((tmp_path / "reports").glob("report-*-12h.md"))
        assert [str(p) for p in written] == [screen.exported_to]
        markdown = written[0].read_text(encoding="utf-8")
        assert markdown.startswith("# Shift report ") and "\n## Handoff notes\n" in markdown
        assert "sam: db-2 disk: watch it\\\n  Rollback done" in markdown  # its lines kept
        assert any(f"Report exported to {written[0]}" in str(n.message) for n in app._notifications)
        await pilot.press("c")
        assert app.clipboard == markdown.strip()
        assert any("Report copied as Markdown" in str(n.message) for n in app._notifications)
