"""The Report screen and the handoff notes in the TUI, on a recorded shift history (Pilot)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.ui.app import CockpitApp
from cockpit.engine.handoff import list_notes, pending_notes, write_note
from cockpit.engine.history import History
from cockpit.core.models import SourceKind
from cockpit.engine.report.render import SECTIONS
from cockpit.ui.screens.main import MainScreen
from cockpit.ui.screens.handoff import HandoffEditor
from cockpit.ui.screens.startup import StartupScreen
from cockpit.ui.screens.report import ReportScreen
from tests.app_fixtures import NOW, FakeEngine, make_app
from tests.history_data import Shift, alert, deploy, slo

SIZE = (120, 40)


def record_shift(cache: Path) -> History:
    """12 hours up to NOW: an alert 5h ago (resolved after 30 min), another firing for 20 min."""
    history = History(cache)
    shift = Shift(history, NOW - timedelta(hours=12))

    def alerts(minute: float) -> list:
        items = []
        if 420 <= minute < 450:
            items.append(alert("DiskSlow", severity="warning", service="db"))
        if minute >= 700:
            items.append(alert("CheckoutErrors", service="checkout"))
        return items

    shift.steady(0, 720, "am", alerts, step=1)
    shift.steady(0, 720, "ci", lambda m: [deploy("checkout", shift.at(690))] if m >= 690 else [],
                 step=1, kind=SourceKind.DEPLOYS)
    shift.steady(0, 720, "prom", lambda m: [slo("checkout", "page" if m >= 705 else "ok", 0.7)],
                 step=1, kind=SourceKind.SLOS)
    return history


@pytest.fixture
def recorded(tmp_path):
    history = record_shift(tmp_path)
    yield tmp_path, history
    history.close()


async def settle(app: CockpitApp, pilot) -> None:
    """Let the worker threads finish and their results reach the screen."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_report_screen_shows_every_section_for_the_default_12h(recorded):
    cache, history = recorded
    app = make_app(FakeEngine(cache_dir=cache))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        await settle(app, pilot)
        assert screen.state == "ready"
        shown = screen.query_one("#report-text").content
        for heading in SECTIONS:
            assert heading in shown.plain.splitlines(), heading
            assert any(span.style == "bold" and shown.plain[span.start:span.end] == heading for span in shown.spans)
        assert "(12h)" in shown.plain.splitlines()[0]
        assert "2 alerts fired, 1 pages" in shown.plain
        assert "1 deploys; 1 followed by a critical alert" in shown.plain
        assert "last 12h" in screen.query_one("#report-title").content.plain
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_keys_switch_the_window_and_recompute(recorded):
    cache, history = recorded
    app = make_app(FakeEngine(cache_dir=cache))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        await pilot.press("1")  # the main screen's panel key: no meaning here
        await settle(app, pilot)
        screen = app.screen
        assert screen.hours == 12
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert screen.hours == 1 and "(1h)" in screen.report_text.splitlines()[0]
        assert "1 alerts fired, 1 pages" in screen.report_text  # DiskSlow was 5h ago
        await pilot.press("left_square_bracket")  # no narrower window: stays
        assert screen.hours == 1
        await pilot.press(*["right_square_bracket"] * 9)  # past the widest: stays at 24h
        await settle(app, pilot)
        assert "(24h)" in screen.report_text.splitlines()[0]
        assert "2 alerts fired" in screen.report_text
        assert "last 24h" in screen.query_one("#report-title").content.plain


async def test_report_reads_the_history_another_process_recorded(recorded):
    cache, _history = recorded  # recorded through its own connection; the engine opens another
    app = make_app(FakeEngine(cache_dir=cache))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        assert "2 alerts fired" in app.screen.report_text


async def test_report_with_an_unreadable_history_says_so(tmp_path):
    (tmp_path / "history.sqlite").mkdir()  # where the history should be: a folder, not a database
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        assert app.screen.state == "failed"
        assert "The report could not be computed" in app.screen.query_one("#report-text").content.plain


async def test_write_a_handoff_note_from_the_report(recorded):
    cache, history = recorded
    app = make_app(FakeEngine(cache_dir=cache))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        await pilot.press("w")
        assert isinstance(app.screen, HandoffEditor)
        await pilot.press("ctrl+s")  # empty: refused, the editor stays
        assert isinstance(app.screen, HandoffEditor)
        await pilot.press(*"db-2 disk: watch it", "enter", *"Rollback done")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ReportScreen)
        notes = list_notes(cache)
        assert [n.text for n in notes] == ["db-2 disk: watch it\nRollback done"]
        await settle(app, pilot)
        assert "db-2 disk: watch it" in app.screen.report_text  # recomputed with the note


async def test_command_palette_offers_report_and_handoff(recorded):
    cache, history = recorded
    app = make_app(FakeEngine(cache_dir=cache))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "report: show" in titles and "handoff: write note" in titles


async def test_pending_notes_shown_at_start_until_dismissed(tmp_path):
    write_note(tmp_path, "NodeDown on node-3: DC team replacing it", author="dana")
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, StartupScreen)
        text = app.screen.query_one("#startup-list").get_row_at(0)[0].plain
        assert "dana" in text and "NodeDown on node-3: DC team replacing it" in text
        await pilot.press("escape")  # later: still pending
        assert isinstance(app.screen, MainScreen)
    assert len(pending_notes(tmp_path)) == 1

    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, StartupScreen)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert pending_notes(tmp_path) == [] and list_notes(tmp_path)[0].dismissed_at is not None

    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)  # dismissed: not shown again


async def test_report_screen_draws_pages_per_hour_and_each_slo_budget(recorded):
    cache, _history = recorded
    app = make_app(FakeEngine(cache_dir=cache))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        screen = app.screen
        charts = screen.query_one("#report-charts").content.plain.splitlines()
        assert charts[0].startswith("Pages per hour")
        columns = [line for line in charts if "┤" in line]
        assert len(columns) == 4  # four lines tall, the scale on the left
        assert columns[0].startswith("1 ┤") and columns[-1].startswith("0 ┤")
        assert columns[-1].rstrip().endswith("█")  # the one page, in the last hour
        # the figures stay in the text below the chart
        assert "2 alerts fired, 1 pages" in screen.report_text
        budget = next(line for line in charts if line.startswith("checkout / "))
        assert "70%→70%" in budget and "▆" in budget  # 0.7 of the budget left all along


async def test_report_screen_reads_as_cockpit_report_for_the_same_window_and_config(recorded, tmp_path_factory):
    """The screen and the command share one build: the configured "ending soon" (2h here, not the
    default 30m) names a silence ending 90 minutes after the window, and the texts are equal."""
    import os
    import subprocess
    import sys

    from cockpit.engine.config import CockpitSection
    from cockpit.engine.silence_soon import SilenceLedger
    from cockpit.sources.base import SilenceInfo

    cache, _history = recorded
    SilenceLedger(cache).observe([("am", SilenceInfo(
        id="s1", matchers=[{"name": "service", "value": "db", "isRegex": False, "isEqual": True}],
        starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(minutes=90), created_by="grace",
        comment="disk swap"))], NOW - timedelta(minutes=5))
    app = make_app(FakeEngine(cache_dir=cache, settings=CockpitSection(silence_ending_soon="2h")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        shown = app.screen.report_text
    section = shown.split("\nSilences\n", 1)[1].split("Handoff notes", 1)[0]
    assert 'service="db" by grace: disk swap' in section and "ends soon" in section
    config = tmp_path_factory.mktemp("config") / "cockpit.toml"
    config.write_text('[cockpit]\nsilence_ending_soon = "2h"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(COCKPIT_STATE_DIR=str(cache), COCKPIT_CACHE_DIR=str(cache))
    iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    done = subprocess.run([sys.executable, "-m", "cockpit", "report", "--config", str(config),
                           "--from", iso(NOW - timedelta(hours=12)), "--until", iso(NOW)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n") == shown.rstrip("\n")


async def test_the_budget_line_is_on_the_window_time_axis_and_blank_where_nothing_was_recorded(tmp_path):
    """SLO samples only in the last two hours of the 12: the line is empty for the first ten, then
    falls from 90% to 60%; its ends are the report's budget start and end."""
    history = History(tmp_path)
    shift = Shift(history, NOW - timedelta(hours=12))
    shift.steady(600, 720, "prom", lambda m: [slo("checkout", "ok", round(0.9 - 0.3 * (m - 600) / 120, 3))],
                 step=1, kind=SourceKind.SLOS)
    history.close()
    app = make_app(FakeEngine(cache_dir=tmp_path))
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("R")
        await settle(app, pilot)
        screen = app.screen
        line = next(row for row in screen.query_one("#report-charts").content.plain.splitlines()
                    if row.startswith("checkout / "))
    cells = line[len("checkout / availability") + 1:].split(" 90%")[0]
    assert len(cells) == 96  # the whole window, 7.5 minutes a cell
    assert cells[:78] == " " * 78 and " " not in cells[81:]  # not recorded, then the last two hours
    assert cells[-1] in "▄▅" and cells[81] in "▇█"  # 90% down to 60%
    assert line.endswith("90%→60%")
    assert "budget start" in screen.report_text and "90.0%" in screen.report_text and "60.0%" in screen.report_text
