"""The triage walkthrough in the TUI: start, tick, note, export, close, resume (Pilot), and a
triage that survives ``kill -9`` of the real app in a pty (end to end)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.core.models import RunbookRef, SourceState
from cockpit.ui.screens.main import MainScreen
from cockpit.ui.screens.startup import StartupScreen
from cockpit.ui.screens.triage import TriageScreen
from cockpit.engine.triage.store import TriageStore
from tests.app_fixtures import NOW, fixed_states, make_app
from tests.runbook_fixtures import RunbookEngine, settle, with_alert
from tests.terminal import REPO, PtyApp, wait_for

SIZE = (120, 40)


def saved(engine: RunbookEngine) -> list:
    """The triages as a fresh process would read them from disk (open and closed)."""
    return TriageStore.in_cache(engine.cache_dir).list(include_closed=True)


def table_row(screen, row: int) -> str:
    return screen.steps_table.get_row_at(row)[3].plain.strip()


def with_first_alert(**changes) -> list[SourceState]:
    return with_alert(fixed_states(), **changes)


async def test_t_starts_a_triage_from_the_runbook_and_every_action_is_saved(tmp_path: Path):
    engine = RunbookEngine(tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")  # CheckoutHighErrorRate
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        steps = [s.title for s in screen.triage.steps]
        assert steps == ["Meaning", "Diagnosis", "Look at the error dashboard for the failing endpoint",
                         "Check the last deploy of checkout", "Mitigation",
                         "Roll back the last deploy if the errors started with it"]
        # the checkout deploy 25 minutes before the alert... is after it (alert 12m ago): only
        # the failed checkout pipeline 40 minutes ago counts as a change before the alert
        assert [p.id for p in screen.triage.pipelines] == ["p1"]
        # headings are rows, not steps: the count and the cursor start at the first thing to do
        assert "0/3 steps done" in str(screen.query_one("#triage-title").render())
        assert table_row(screen, screen.steps_table.cursor_row).startswith("Look at the error dashboard")
        await pilot.press("space")  # tick "Look at the error dashboard..."
        await pilot.press("n", *"5xx on /pay only", "enter")
        await pilot.press("N", *"paged payments team", "enter")
        await settle(app, pilot)
        table = screen.steps_table
        assert table.get_row_at(2)[0].plain == "[x]" and table.get_row_at(2)[1].plain == "09:30:00Z"
        assert table.get_row_at(2)[2].plain == "1"  # one note on it
        assert table.get_row_at(2)[3].plain.strip().startswith("Look at the error dashboard")

    (triage,) = saved(engine)
    assert triage.runbook_path == "checkout/CheckoutHighErrorRate.md"
    step = triage.step(3)
    assert step.title.startswith("Look at the error dashboard") and step.done_at == NOW
    assert [(e.kind, e.step, e.text) for e in triage.events] == [
        ("started", None, None), ("step_done", 3, None),
        ("note", 3, "5xx on /pay only"), ("note", None, "paged payments team")]
    assert all(e.at == NOW for e in triage.events)


async def test_space_again_unticks_and_e_exports_the_timeline_with_times_and_notes(tmp_path: Path):
    engine = RunbookEngine(tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("space", "down", "space", "space")  # tick 3 (the first step: 1 and 2 are
        # headings); tick and untick 4
        await pilot.press("n", *"error budget burning", "enter", "e")
        await settle(app, pilot)
        path = Path(screen.exported_to)
        assert path == engine.state_dir / "exports" / f"triage-{screen.triage.id}.md"  # not beside the JSON
        assert path.stat().st_mode & 0o777 == 0o600
        assert any(str(path) in str(n.message) for n in app._notifications)
        assert f"exported to {path}" in str(screen.query_one("#triage-hint").render())  # stays said
        export = path.read_text()
    (triage,) = saved(engine)
    assert triage.step(3).done and not triage.step(4).done
    assert "- [x] Look at the error dashboard for the failing endpoint (done 2026-11-27 09:30:00Z)" in export
    assert "- [ ] Check the last deploy of checkout" in export
    assert "### Diagnosis" in export  # a heading, not a step
    assert "  - 2026-11-27 09:30:00Z note: error budget burning" in export
    timeline = export.split("## Timeline")[1].split("## Steps")[0]
    assert "2026-11-27 09:30:00Z done: Look at the error dashboard" in timeline
    assert "no longer done: Check the last deploy of checkout" in timeline
    assert "pipeline failed: shop/checkout ci" in export  # the change before the alert


async def test_t_again_resumes_the_open_triage_and_x_closes_it_after_a_yes(tmp_path: Path):
    engine = RunbookEngine(tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        first = app.screen.triage.id
        await pilot.press("enter", "n", *"never mind", "escape")  # esc drops the note unsaved
        await settle(app, pilot)
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.resumed
        assert screen.triage.id == first and screen.triage.step(3).done
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    (triage,) = saved(engine)
    assert triage.id == first and triage.status == "closed" and triage.closed_at == NOW
    assert [e.kind for e in triage.events] == ["started", "step_done", "closed"]


async def test_an_alert_without_any_runbook_gets_generic_steps(tmp_path: Path):
    engine = RunbookEngine(tmp_path, with_first_alert(name="Zzyzx", runbook=RunbookRef(url=None), annotations={}))
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        assert [s.kind for s in app.screen.triage.steps] == ["generic"] * 5
    assert saved(engine)[0].runbook_path is None


async def test_open_triages_are_offered_at_start_and_enter_resumes_one(tmp_path: Path):
    engine = RunbookEngine(tmp_path)
    alert = fixed_states()[0].items[1]
    store = TriageStore.in_cache(engine.cache_dir)
    left = store.start(alert, None, now=NOW)
    store.tick(left, 2, now=NOW)
    closed = store.close(store.start(fixed_states()[0].items[2], None, now=NOW), now=NOW)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        modal = app.screen
        assert isinstance(modal, StartupScreen)
        assert [t.id for t in modal.triages] == [left.id]  # the closed one is not offered
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.triage.id == left.id
        assert screen.steps_table.get_row_at(1)[0].plain == "[x]"
    assert closed.status == "closed"


async def test_the_resume_offer_waits_for_another_modal_and_esc_leaves_it_for_later(tmp_path: Path):
    from cockpit.ui.screens.help import HelpScreen

    engine = RunbookEngine(tmp_path)
    TriageStore.in_cache(engine.cache_dir).start(fixed_states()[0].items[1], None, now=NOW)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(HelpScreen())  # stands for a modal shown at start (handoff notes)
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: isinstance(app.screen, StartupScreen))
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert saved(engine)[0].status == "open"


async def wait_until(pilot, predicate, tries: int = 100) -> bool:
    """Let the app run (the offer looks again every half second) until ``predicate`` holds."""
    for _ in range(tries):
        if predicate():
            return True
        await pilot.pause(0.1)
    return predicate()


# ----- end to end: the real app in a pty, killed with SIGKILL -----------------------------------


def cockpit(cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COCKPIT_CACHE_DIR=str(cache), COCKPIT_STATE_DIR=str(cache))
    return subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=60)


@pytest.mark.e2e
def test_a_triage_started_in_the_tui_survives_kill_9_and_exports_its_timeline(tmp_path: Path):
    cache = tmp_path / "cache"
    term = PtyApp(["--demo"], env={"COCKPIT_CACHE_DIR": str(cache), "COCKPIT_STATE_DIR": str(cache)}, width=120, height=40)
    triages = cache / "triages"

    def ticked() -> list[dict]:
        found = []
        for path in triages.glob("*.json"):
            data = json.loads(path.read_text())
            found += [s for s in data["steps"] if s["done_at"]]
        return found

    try:
        assert term.wait_text("KubeP", 40), term.text()
        term.pump(1.0)
        term.send(b"1")
        term.pump(0.3)
        term.send(b"t")
        assert term.wait_text("steps done", 30), term.text()
        term.pump(0.5)
        term.send(b" ")
        assert wait_for(lambda: bool(ticked()), 20), term.text()
        os.kill(term.pid, signal.SIGKILL)
        assert wait_for(lambda: not term.alive(), 10)
    finally:
        term.close()
    (step,) = ticked()

    listing = cockpit(cache, "triage", "list")
    assert listing.returncode == 0, listing.stderr
    (line,) = listing.stdout.splitlines()
    triage_id = line.split()[0]
    assert "open" in line and "1/" in line
    export = cockpit(cache, "triage", "export", triage_id)
    assert export.returncode == 0, export.stderr
    stamp = step["done_at"].replace("T", " ")[:19] + "Z"
    assert f"(done {stamp})" in export.stdout
    assert f"{stamp} done: " in export.stdout
