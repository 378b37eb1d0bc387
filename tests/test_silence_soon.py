"""Silences about to end: the ledger the app keeps, the report's Silences section, the handoff prefill."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cockpit.engine.history import History
from cockpit.engine.report.build import ReportOptions, build_report
from cockpit.engine.report.render import render_text
from cockpit.engine.silence_soon import SilenceLedger, ending_soon, handoff_text, soonest_first
from cockpit.sources.base import SilenceInfo

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)


def silence(ident: str, minutes: float, service: str, state: str = "active") -> SilenceInfo:
    return SilenceInfo(id=ident, matchers=[{"name": "service", "value": service, "isRegex": False, "isEqual": True}],
                       starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(minutes=minutes),
                       created_by="grace", comment=f"work on {service}", state=state)


def test_the_soonest_ending_come_first_and_only_within_the_window() -> None:
    pairs = [("am", silence("a", 120, "search")), ("am", silence("b", 25, "checkout")),
             ("am", silence("c", 5, "db")), ("am", silence("d", 10, "x", state="pending"))]
    assert [s.id for _src, s in soonest_first(pairs, NOW, 1800)] == ["c", "b", "a", "d"]
    assert [s.id for s in ending_soon([s for _src, s in pairs], NOW, 600)] == ["c"]


def test_the_ledger_knows_what_ended_on_time_early_and_what_ends_soon(tmp_path) -> None:
    ledger = SilenceLedger(tmp_path)
    ledger.observe([("am", silence("a", 10, "checkout")), ("am", silence("b", 120, "db")),
                    ("am", silence("c", 240, "search"))], NOW)
    assert [e["id"] for e in ledger.ending_soon(NOW, 1800)] == ["a"]
    later = NOW + timedelta(minutes=40)
    # "a" ran out on its own; "b" was expired early (gone while its end was ahead); "c" still there
    ledger.observe([("am", silence("c", 240, "search"))], later)
    ended = ledger.expired_between(NOW, later)
    # oldest end first; an early expiry counts from when it was last seen
    assert [(e["id"], bool(e.get("expired_early"))) for e in ended] == [("b", True), ("a", False)]
    assert ended[1]["matchers"] == ['service="checkout"'] and ended[1]["created_by"] == "grace"
    assert (tmp_path / "silences_seen.json").stat().st_mode & 0o777 == 0o600


def test_the_report_names_silences_ending_soon_and_those_that_ended(tmp_path) -> None:
    ledger = SilenceLedger(tmp_path)
    ledger.observe([("am", silence("old", 30, "checkout")), ("am", silence("soon", 70, "db"))],
                   NOW - timedelta(hours=1))
    history = History(tmp_path)
    try:
        opts = ReportOptions(since=NOW - timedelta(hours=12), until=NOW + timedelta(minutes=50))
        report = build_report(history, tmp_path, opts)
    finally:
        history.close()
    assert [s["id"] for s in report["silences"]["expired"]] == ["old"]
    assert [s["id"] for s in report["silences"]["ending_soon"]] == ["soon"]
    text = render_text(report, timezone.utc)
    section = text.split("Silences", 1)[1].split("Handoff notes", 1)[0]
    assert 'ends soon' in section and 'service="db" by grace: work on db' in section
    assert 'ended' in section and 'service="checkout"' in section


def test_a_handoff_note_starts_with_the_silences_ending_soon(tmp_path) -> None:
    SilenceLedger(tmp_path).observe([("am", silence("a", 12, "checkout")), ("am", silence("b", 300, "db"))], NOW)
    text = handoff_text(tmp_path, NOW, 1800)
    assert text.startswith("Silences ending within 30m:\n")
    assert '- service="checkout" (ends 09:42Z, by grace: work on checkout)' in text
    assert "db" not in text
    assert handoff_text(tmp_path, NOW, 60) == ""


async def test_the_handoff_editor_opens_with_the_silences_ending_soon(tmp_path) -> None:
    from textual.widgets import TextArea

    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.handoff import HandoffEditor, open_note_editor
    from tests.app_fixtures import FakeEngine

    now = datetime.now(timezone.utc)
    SilenceLedger(tmp_path).observe([("am", SilenceInfo(
        id="s1", matchers=[{"name": "service", "value": "checkout", "isRegex": False, "isEqual": True}],
        ends_at=now + timedelta(minutes=20), created_by="grace", comment="deploy freeze"))], now)
    engine = FakeEngine(cache_dir=tmp_path)  # the state dir is the cache dir here
    app = CockpitApp(engine=engine, low_bandwidth=False)
    async with app.run_test(size=(100, 30)) as pilot:
        open_note_editor(app)
        await pilot.pause()
        assert isinstance(app.screen, HandoffEditor)
        text = app.screen.query_one(TextArea).text
        assert text.startswith("Silences ending within 30m:\n- service=\"checkout\" (ends ")
        assert "by grace: deploy freeze" in text
