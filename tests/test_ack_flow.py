"""`a`, `X`, `n` in the TUI through the real engine: a PagerDuty loopback server answering as the API
reference documents, and a REAL Alertmanager for the one-key ack silence.

Each flow: one-line preview, `y` sends once (any other key sends nothing), the panel shows the new
state at once marked pending, a later poll confirms it (or the panel says it was contradicted),
read-only refuses before anything is sent, and the audit log holds the intent and the outcome.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from cockpit.core.models import WRITE_NOTE
from cockpit.engine.audit import AuditLog
from cockpit.engine.facade import Engine
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.acknowledge import LineConfirm, NoteInput
from tests.app_fixtures import engine_app, until
from tests.pagerduty_server import PagerDutyServer, make_incident
from tests.servers import require_binary, start_alertmanager
from tests.test_silence_flow import E2E_CONFIG
from tests.test_silence_flow import _post_alert as post_e2e_alert

PD_CONFIG = """\
[cockpit]
user = "ada"
read_only = {read_only}

[[sources]]
name = "pd"
type = "pagerduty"
url = "{url}"
token_env = "COCKPIT_TEST_PD_TOKEN"
from_email = "ada@example.com"
on_call = false
interval = "{interval}"
timeout = "5s"
"""


@pytest.fixture
def api():
    server = PagerDutyServer(incidents=[make_incident(7, "Checkout 5xx above 5%")]).start()
    yield server
    server.stop()


def pd_app(api, tmp_path, monkeypatch, read_only: bool = False, interval: str = "1h") -> tuple[CockpitApp, Engine]:
    monkeypatch.setenv("COCKPIT_TEST_PD_TOKEN", api.token)
    return engine_app(tmp_path, PD_CONFIG.format(url=api.url, read_only=str(read_only).lower(), interval=interval))


def shown_alert(app: CockpitApp, name: str):
    return next((i for s in app.states for i in s.items if getattr(i, "name", None) == name), None)


def note_of(app: CockpitApp, name: str) -> str:
    alert = shown_alert(app, name)
    return alert.annotations.get(WRITE_NOTE, "") if alert else ""


def toasts(app: CockpitApp) -> list[str]:
    return [n.message for n in app._notifications]


def row_text(app: CockpitApp) -> str:
    table = app.main_screen.panel("alerts").table
    return " ".join(c.plain for r in range(table.row_count) for c in table.get_row_at(r))


async def test_a_acknowledges_the_incident_pending_then_confirmed(api, tmp_path, monkeypatch) -> None:
    app, engine = pd_app(api, tmp_path, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: shown_alert(app, "Checkout 5xx above 5%"), "the incident in the panel")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, LineConfirm), "the one-line preview")
        assert app.screen.line.startswith("Acknowledge #7 Checkout 5xx above 5% on pd?")
        assert api.writes() == []
        api.read_delay_s = 1.5  # the confirming poll takes a while: the pending mark shows meanwhile
        await pilot.press("y")
        await until(pilot, lambda: api.writes(), "the PUT")
        await until(pilot, lambda: "pending" in note_of(app, "Checkout 5xx above 5%"), "the pending mark")
        assert note_of(app, "Checkout 5xx above 5%") == "acknowledged by ada · pending"
        assert "acknowledged by ada · pending" in row_text(app)
        # the write asked for a refresh: that poll confirms it
        await until(pilot, lambda: note_of(app, "Checkout 5xx above 5%") == "acknowledged by ada", "the confirmation")
        assert shown_alert(app, "Checkout 5xx above 5%").labels["pd_status"] == "acknowledged"
    [write] = api.writes()
    assert write.headers["from"] == "ada@example.com" and write.path == "/incidents/PINC0007"
    entries = AuditLog.in_dir(tmp_path / "cache").entries()
    assert [(e["what"], e["result"], e["who"]) for e in entries] == [
        ("acknowledge_incident", "sending", "ada"), ("acknowledge_incident", "ok", "ada")]


async def test_a_poll_that_contradicts_the_ack_is_said(api, tmp_path, monkeypatch) -> None:
    app, engine = pd_app(api, tmp_path, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: shown_alert(app, "Checkout 5xx above 5%"), "the incident in the panel")
        api.read_delay_s = 1.5
        await pilot.press("a", "y")
        await until(pilot, lambda: api.writes(), "the PUT")
        await until(pilot, lambda: "pending" in note_of(app, "Checkout 5xx above 5%"), "the pending mark")
        api.incidents[0]["status"] = "triggered"  # someone re-triggered it upstream before the poll read it
        await until(pilot, lambda: note_of(app, "Checkout 5xx above 5%").startswith("⚠"), "the contradiction")
        assert note_of(app, "Checkout 5xx above 5%") == "⚠ not confirmed: pd still says triggered"
        assert "⚠ not confirmed: pd still says triggered" in row_text(app)


async def test_any_other_key_than_y_sends_nothing(api, tmp_path, monkeypatch) -> None:
    app, _engine = pd_app(api, tmp_path, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: shown_alert(app, "Checkout 5xx above 5%"), "the incident in the panel")
        await pilot.press("a", "n")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, LineConfirm)
    assert api.writes() == []
    assert AuditLog.in_dir(tmp_path / "cache").entries() == []


async def test_resolve_and_note_from_the_detail_screen(api, tmp_path, monkeypatch) -> None:
    app, _engine = pd_app(api, tmp_path, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: shown_alert(app, "Checkout 5xx above 5%"), "the incident in the panel")
        await pilot.press("enter", "n")
        await until(pilot, lambda: isinstance(app.screen, NoteInput), "the note input")
        await pilot.press(*"rolled back", "enter")
        await until(pilot, lambda: isinstance(app.screen, LineConfirm), "the note preview")
        assert '"rolled back"' in app.screen.line
        await pilot.press("y")
        await until(pilot, lambda: any("Note PNOTE001 added" in t for t in toasts(app)), "the note toast")
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, LineConfirm), "the resolve preview")
        assert app.screen.line.startswith("Resolve #7 Checkout 5xx above 5% on pd?")
        await pilot.press("y")
        await until(pilot, lambda: shown_alert(app, "Checkout 5xx above 5%") is None, "the incident gone")
    assert [(w.method, w.path) for w in api.writes()] == [("POST", "/incidents/PINC0007/notes"),
                                                          ("PUT", "/incidents/PINC0007")]
    entries = AuditLog.in_dir(tmp_path / "cache").entries()
    assert [(e["what"], e["result"]) for e in entries] == [
        ("note_incident", "sending"), ("note_incident", "ok"), ("resolve_incident", "sending"), ("resolve_incident", "ok")]
    assert entries[1]["details"]["note_id"] == "PNOTE001"


@pytest.mark.parametrize("key", ["a", "X", "n"])
async def test_read_only_refuses_in_the_tui_before_anything_is_sent(api, tmp_path, monkeypatch, key) -> None:
    app, _engine = pd_app(api, tmp_path, monkeypatch, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: shown_alert(app, "Checkout 5xx above 5%"), "the incident in the panel")
        await pilot.press(key)
        await pilot.pause(0.2)
        assert not isinstance(app.screen, (LineConfirm, NoteInput))
        assert any("Read-only mode" in t and "nothing was sent" in t for t in toasts(app))
    assert api.writes() == []
    [entry] = AuditLog.in_dir(tmp_path / "cache").entries()
    assert (entry["what"], entry["result"], entry["source"], entry["details"]["fingerprints"]) == (
        {"a": "acknowledge", "X": "resolve_incident", "n": "note_incident"}[key], "refused", "pd", ["pd-PINC0007"])


async def test_an_upstream_error_is_shown_and_not_retried(api, tmp_path, monkeypatch) -> None:
    app, _engine = pd_app(api, tmp_path, monkeypatch)
    api.fail_next = [("/incidents/PINC0007", 429, {"Retry-After": "60"})]
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: shown_alert(app, "Checkout 5xx above 5%"), "the incident in the panel")
        await pilot.press("a", "y")
        await until(pilot, lambda: any(t.startswith("Not acknowledged") for t in toasts(app)), "the error toast")
        assert any("429" in t for t in toasts(app))
        await pilot.pause(0.5)
        assert note_of(app, "Checkout 5xx above 5%") == ""
    assert len(api.writes()) == 1
    assert [e["result"] for e in AuditLog.in_dir(tmp_path / "cache").entries()] == ["sending", "error"]


# ----- the one-key ack on a REAL Alertmanager ------------------------------------------------------

@pytest.mark.server
async def test_a_on_an_alertmanager_alert_silences_its_exact_labels_for_an_hour(tmp_path) -> None:
    amtool = require_binary("amtool")
    am = start_alertmanager(tmp_path)
    try:
        await asyncio.to_thread(post_e2e_alert, am.url)
        app, _engine = engine_app(tmp_path, E2E_CONFIG.format(url=am.url))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: shown_alert(app, "CockpitSilenceE2E"), "the alert in the panel")
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, LineConfirm), "the preview")
            assert "silence 4 exact labels until" in app.screen.line and "as e2e-tester" in app.screen.line
            sent_at = datetime.now(timezone.utc)
            await pilot.press("y")
            await until(pilot, lambda: note_of(app, "CockpitSilenceE2E").startswith("acknowledged by e2e-tester until")
                        and "pending" not in note_of(app, "CockpitSilenceE2E"), "the confirmed ack")
            assert shown_alert(app, "CockpitSilenceE2E").state.value == "silenced"
        out = subprocess.run([amtool, "silence", "query", f"--alertmanager.url={am.url}", "-o", "json"],
                             capture_output=True, text=True, timeout=30, check=True)
        [silence] = json.loads(out.stdout)
        assert silence["comment"] == "ACK! e2e-tester via cockpit" and silence["createdBy"] == "e2e-tester"
        assert sorted((m["name"], m["value"], m["isEqual"], m["isRegex"]) for m in silence["matchers"]) == [
            ("alertname", "CockpitSilenceE2E", True, False), ("instance", "i-1", True, False),
            ("service", "e2e", True, False), ("severity", "warning", True, False)]
        ends = datetime.fromisoformat(silence["endsAt"].replace("Z", "+00:00"))
        assert timedelta(minutes=59) < ends - sent_at < timedelta(minutes=61)
        entries = AuditLog.in_dir(tmp_path / "cache").entries()
        assert [e["result"] for e in entries if e["what"] == "create_silence"][-1] == "ok"
    finally:
        am.stop()


@pytest.mark.server
async def test_read_only_a_on_an_alertmanager_alert_creates_no_silence(tmp_path) -> None:
    am = start_alertmanager(tmp_path)
    try:
        await asyncio.to_thread(post_e2e_alert, am.url)
        app, _engine = engine_app(tmp_path, E2E_CONFIG.format(url=am.url), read_only=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: shown_alert(app, "CockpitSilenceE2E"), "the alert in the panel")
            await pilot.press("a")
            await pilot.pause(0.2)
            assert not isinstance(app.screen, LineConfirm)
            assert any("Read-only mode: acknowledging is refused" in t for t in toasts(app))
        out = subprocess.run([require_binary("amtool"), "silence", "query", f"--alertmanager.url={am.url}", "-o", "json"],
                             capture_output=True, text=True, timeout=30, check=True)
        assert json.loads(out.stdout or "[]") in ([], None)
        assert [(e["what"], e["result"]) for e in AuditLog.in_dir(tmp_path / "cache").entries()] == [
            ("acknowledge", "refused")]
    finally:
        am.stop()
