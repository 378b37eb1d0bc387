"""The silence flow in the TUI (Pilot): dialog, preview, confirmation, one write, read-only, errors.

A fake engine runs writes on a worker thread's event loop, like the real engine's poller loop,
against a fake source that records every call. The last test drives the same flow against a
REAL Alertmanager through the real engine and checks the result with ``amtool``.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from cockpit.engine.actions import default_author
from cockpit.ui.app import CockpitApp
from cockpit.engine.audit import AuditLog
from cockpit.engine.config import CockpitSection
from cockpit.core.models import FetchResult, SourceKind
from cockpit.ui.screens.detail import DetailScreen
from cockpit.ui.screens.silence import ConfirmScreen, SilenceScreen
from cockpit.ui.screens.silences import SilencesScreen, show_silences
from cockpit.sources.base import SilenceInfo, SilenceRequest, Source, SourceContext, SourceOptions, SupportsSilences
from cockpit.core.errors import SourceUnreachable
from cockpit.core.times import rfc3339
from tests.app_fixtures import FakeEngine, engine_app, make_app, until
from tests.servers import require_binary, start_alertmanager

SIZE = (100, 40)
CHECKOUT_MATCHERS = ('alertname="CheckoutHighErrorRate", namespace="shop", service="checkout", '
                     'severity="critical"')


class FakeSilenceSource(Source, SupportsSilences):
    """Records every silence call; ``fail`` makes create_silence raise it."""

    kind = SourceKind.ALERTS

    def __init__(self, name: str, cache_dir: Path, fail: Exception | None = None) -> None:
        super().__init__(name, SourceOptions(), SourceContext(cache_dir=cache_dir))
        self.fail = fail
        self.created: list[SilenceRequest] = []
        self.expired: list[str] = []
        self.silences = [SilenceInfo(id="old-1", matchers=[{"name": "service", "value": "db", "isRegex": False}],
                                     created_by="grace", comment="[b]maintenance[/b]", state="active")]

    async def fetch(self) -> FetchResult:
        return FetchResult()

    async def create_silence(self, request: SilenceRequest) -> str:
        self.created.append(request)
        if self.fail is not None:
            raise self.fail
        return f"sil-{len(self.created)}"

    async def list_silences(self) -> list[SilenceInfo]:
        return list(self.silences)

    async def expire_silence(self, silence_id: str) -> None:
        self.expired.append(silence_id)
        self.silences = [s for s in self.silences if s.id != silence_id]


def WritableEngine(source: FakeSilenceSource, cache_dir: Path, read_only: bool = False) -> FakeEngine:
    """The fake engine on one source that can silence, its stores in ``cache_dir``."""
    return FakeEngine(read_only=read_only, sources=[source], cache_dir=cache_dir)


def recorded_actions(engine: FakeEngine) -> list[dict]:
    """The actions the shift history holds (recorded at the wall clock's now)."""
    now = datetime.now(timezone.utc)
    return engine.history.events(now - timedelta(hours=1), now + timedelta(hours=1), kinds=["action"])


@pytest.fixture
def source(tmp_path: Path) -> FakeSilenceSource:
    return FakeSilenceSource("am-prod", tmp_path)


def toasts(app: CockpitApp) -> list[str]:
    return [n.message for n in app._notifications]


async def settle(pilot, app: CockpitApp) -> None:
    """Let workers (and the writes they await) finish, then let the screen catch up."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def dialog(app: CockpitApp) -> SilenceScreen:
    assert isinstance(app.screen, SilenceScreen), f"expected the silence dialog, got {app.screen!r}"
    return app.screen


def field(app: CockpitApp, widget_id: str) -> str:
    return app.screen.query_one(f"#{widget_id}").value


def shown(app: CockpitApp, widget_id: str) -> str:
    content = app.screen.query_one(f"#{widget_id}").content
    return getattr(content, "plain", str(content))


async def review(pilot) -> None:
    """Enter in the comment field: the Review step (a button clicked twice within Textual's
    0.2 s press effect ignores the second click, so tests use the key)."""
    pilot.app.screen.query_one("#silence-comment").focus()
    await pilot.press("enter")
    await pilot.pause()


async def fill(pilot, widget_id: str, text: str) -> None:
    widget = pilot.app.screen.query_one(f"#{widget_id}")
    widget.value = text
    await pilot.pause()


async def test_dialog_is_prefilled_from_the_alert_with_a_preview(source, tmp_path):
    app = make_app(WritableEngine(source, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        dialog(app)
        assert field(app, "silence-matchers") == CHECKOUT_MATCHERS
        assert shown(app, "silence-preview") == "would match 1 current alert"
        assert field(app, "silence-author") == default_author()
        assert app.screen.query_one("#duration-1h").value  # 1h preselected
        # its group: the labels the panel groups by (severity, then alertname)
        await pilot.click("#scope-group")
        await pilot.pause()
        assert field(app, "silence-matchers") == 'severity="critical", alertname="CheckoutHighErrorRate"'
        # edited by hand: the preview follows
        await fill(pilot, "silence-matchers", 'severity="warning"')
        assert shown(app, "silence-preview") == "would match 2 current alerts"
        await fill(pilot, "silence-matchers", 'service=~"pay.*|db", severity!="none"')
        assert shown(app, "silence-preview") == "would match 2 current alerts"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SilenceScreen)
    assert source.created == []


async def test_author_defaults_to_the_configured_user(source, tmp_path):
    settings = CockpitSection(user="ada", alert_group_by=["service"])
    engine = FakeEngine(sources=[source], cache_dir=tmp_path, settings=settings)
    app = make_app(engine, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert field(app, "silence-author") == "ada"
        await pilot.click("#scope-group")
        await pilot.pause()
        assert field(app, "silence-matchers") == 'service="checkout"'


async def test_invalid_matchers_are_shown_inline_and_block_the_review(source, tmp_path):
    app = make_app(WritableEngine(source, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "silence-matchers", 'severity=="critical"')
        assert shown(app, "silence-matchers-error").startswith("invalid matchers:")
        assert shown(app, "silence-preview") == ""
        await fill(pilot, "silence-comment", "deploy rollback in progress")
        await review(pilot)
        dialog(app)  # still the dialog: no confirmation
        assert "matchers" in shown(app, "silence-error")
        # a matcher set that needs no label would silence everything: refused as well
        await fill(pilot, "silence-matchers", 'severity=~".*"')
        assert shown(app, "silence-matchers-error") == ""
        await review(pilot)
        assert "match every alert" in shown(app, "silence-error")
        dialog(app)
    assert source.created == []


async def test_comment_is_required(source, tmp_path):
    app = make_app(WritableEngine(source, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "silence-comment", "   ")
        await review(pilot)
        dialog(app)
        assert shown(app, "silence-error") == "a comment is required"
    assert source.created == []


async def test_confirmation_restates_and_the_silence_is_created_once(source, tmp_path):
    engine = WritableEngine(source, tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await pilot.click("#duration-4h")
        await pilot.click("#silence-comment")
        await pilot.press(*"rolling back v2.14.1")
        await pilot.press("enter")  # enter in the comment = Review
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        restated = shown(app, "confirm-body")
        for expected in ("am-prod", CHECKOUT_MATCHERS, "4h00m from now", "rolling back v2.14.1",
                         default_author(), "1 current alert"):
            assert expected in restated
        assert source.created == []  # nothing sent before the yes
        await pilot.click("#confirm-yes")
        await settle(pilot, app)
        assert not isinstance(app.screen, (ConfirmScreen, SilenceScreen))
    assert len(source.created) == 1
    request = source.created[0]
    assert request.comment == "rolling back v2.14.1"
    assert (request.ends_at - request.starts_at).total_seconds() == 4 * 3600
    assert {m["name"]: m["value"] for m in request.matchers}["alertname"] == "CheckoutHighErrorRate"
    assert any("Silence sil-1 created" in t for t in toasts(app))
    assert engine.refreshed == ["am-prod"]
    [recorded] = recorded_actions(engine)
    assert (recorded["state"], recorded["data"]["silence_id"], recorded["source"]) == ("silence", "sil-1", "am-prod")
    audit = AuditLog.in_dir(tmp_path).entries()
    assert [(e["what"], e["result"]) for e in audit] == [("create_silence", "sending"), ("create_silence", "ok")]


async def test_back_from_the_confirmation_sends_nothing_and_custom_duration(source, tmp_path):
    app = make_app(WritableEngine(source, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "silence-comment", "noisy")
        await fill(pilot, "silence-custom", "2h30x")
        assert app.screen.query_one("#duration-custom").value  # typing selects "custom"
        await review(pilot)
        assert "expected a duration" in shown(app, "silence-error")
        await fill(pilot, "silence-custom", "2h30m")
        await review(pilot)
        assert "2h30m from now" in shown(app, "confirm-body")
        await pilot.click("#confirm-no")
        await pilot.pause()
        dialog(app)
        await pilot.press("escape")
        await settle(pilot, app)
    assert source.created == []


async def silence_selected_alert(pilot, app: CockpitApp, comment: str = "investigating") -> None:
    """`s` on the selected alert, a comment, Review, then yes: the write is sent."""
    await pilot.press("s")
    await pilot.pause()
    await fill(pilot, "silence-comment", comment)
    await review(pilot)
    await pilot.click("#confirm-yes")
    await settle(pilot, app)


async def test_failure_is_shown_in_one_line_and_not_retried(tmp_path):
    source = FakeSilenceSource("am-prod", tmp_path, fail=SourceUnreachable("peer http://127.0.0.1:9093: connection refused"))
    engine = WritableEngine(source, tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await silence_selected_alert(pilot, app)
    assert len(source.created) == 1
    errors = [t for t in toasts(app) if t.startswith("Silence not created")]
    assert errors == ["Silence not created: peer http://127.0.0.1:9093: connection refused"]
    assert engine.refreshed == [] and recorded_actions(engine) == []
    assert [e["result"] for e in AuditLog.in_dir(tmp_path).entries()] == ["sending", "error"]


async def test_read_only_refuses_without_a_dialog_and_sends_nothing(source, tmp_path):
    engine = WritableEngine(source, tmp_path, read_only=True)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, SilenceScreen)
        assert any("Read-only mode: silencing is refused" in t for t in toasts(app))
        await pilot.press("enter")  # the detail's `s` refuses too
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        # listing is a read: allowed; expiring is refused
        await pilot.press("S")
        await settle(pilot, app)
        assert isinstance(app.screen, SilencesScreen)
        await pilot.press("x")
        await settle(pilot, app)
        assert isinstance(app.screen, SilencesScreen)
        assert any("Read-only mode: expiring a silence is refused" in t for t in toasts(app))
    assert source.created == [] and source.expired == []
    refusals = [(e["what"], e["result"], e["source"]) for e in AuditLog.in_dir(tmp_path).entries()]
    assert refusals == [("create_silence", "refused", "am-prod")] * 2 + [("expire_silence", "refused", "am-prod")]


async def test_a_source_that_cannot_silence_says_so(tmp_path):
    app = make_app(FakeEngine())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, SilenceScreen)
        assert any("cannot silence" in t for t in toasts(app))


async def test_silences_list_and_expire_after_confirmation(source, tmp_path):
    engine = WritableEngine(source, tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "S")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, SilencesScreen)
        table = screen.query_one("#silences-table")
        row = [c.plain for c in table.get_row_at(0)]
        assert row[0] == "am-prod"
        assert 'matchers  service="db"' in row[1] and "id        old-1" in row[1]
        assert "[b]maintenance[/b]" in row[1]  # shown as text, not markup
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "old-1" in shown(app, "confirm-body")
        assert source.expired == []
        await pilot.click("#confirm-yes")
        await settle(pilot, app)
        assert source.expired == ["old-1"]
        assert any("Silence old-1 expired" in t for t in toasts(app))
        assert app.screen.query_one("#silences-status").content.plain == "no active silences"
        assert table.row_count == 0
    assert engine.refreshed == ["am-prod"]
    assert [(e["what"], e["result"]) for e in AuditLog.in_dir(tmp_path).entries()] == [
        ("expire_silence", "sending"), ("expire_silence", "ok")]


async def test_palette_lists_every_silenceable_source(source, tmp_path):
    app = make_app(WritableEngine(source, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert "alerts: silences" in commands
        show_silences(app)
        await settle(pilot, app)
        assert isinstance(app.screen, SilencesScreen)
        assert app.screen.query_one("#silences-table").row_count == 1



# ----- against a real Alertmanager ---------------------------------------------------------------

E2E_CONFIG = """\
[cockpit]
user = "e2e-tester"

[[sources]]
name = "am-e2e"
type = "alertmanager"
urls = ["{url}"]
interval = "1s"
timeout = "900ms"
"""


def _post_alert(url: str) -> None:
    now = datetime.now(timezone.utc)
    alert = {
        "labels": {"alertname": "CockpitSilenceE2E", "severity": "warning", "service": "e2e",
                   "instance": "i-1"},
        "annotations": {"summary": "posted by the test", "runbook_url": "https://runbooks.example.test/e2e"},
        "startsAt": rfc3339(now - timedelta(minutes=1)),
        "endsAt": rfc3339(now + timedelta(hours=2)),
        "generatorURL": "http://127.0.0.1:9090/graph?g0.expr=vector(1)",
    }
    httpx.post(f"{url}/api/v2/alerts", json=[alert], timeout=10).raise_for_status()


def _amtool_silences(amtool: str, url: str) -> list[dict]:
    out = subprocess.run([amtool, "silence", "query", f"--alertmanager.url={url}", "-o", "json"],
                         capture_output=True, text=True, timeout=30, check=True)
    return json.loads(out.stdout or "[]") or []


def _e2e_alert_state(app: CockpitApp) -> str | None:
    for state in app.states:
        for item in state.items:
            if getattr(item, "name", None) == "CockpitSilenceE2E":
                return item.state.value
    return None


@pytest.mark.server
async def test_silence_from_the_tui_reaches_a_real_alertmanager_then_expires(tmp_path):
    amtool = require_binary("amtool")
    am = start_alertmanager(tmp_path)
    try:
        await asyncio.to_thread(_post_alert, am.url)
        app, engine = engine_app(tmp_path, E2E_CONFIG.format(url=am.url))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: _e2e_alert_state(app) == "firing", "the posted alert firing in the app")
            await pilot.pause()
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, SilenceScreen), "the silence dialog")
            assert 'alertname="CockpitSilenceE2E"' in field(app, "silence-matchers")
            assert field(app, "silence-author") == "e2e-tester"
            assert shown(app, "silence-preview") == "would match 1 current alert"
            await pilot.click("#duration-15m")
            await fill(pilot, "silence-comment", "e2e: silenced from the TUI")
            await review(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.click("#confirm-yes")
            created = await until(
                pilot, lambda: next((t for t in toasts(app) if re.match(r"Silence \S+ created", t)), None),
                "the created toast")
            silence_id = created.split()[1]

            listed = {s["id"]: s for s in await asyncio.to_thread(_amtool_silences, amtool, am.url)}
            assert silence_id in listed
            assert listed[silence_id]["comment"] == "e2e: silenced from the TUI"
            assert listed[silence_id]["createdBy"] == "e2e-tester"
            await until(pilot, lambda: _e2e_alert_state(app) == "silenced", "the alert turning silenced")
            now = datetime.now(timezone.utc)
            actions = engine.history.events(now - timedelta(hours=1), now + timedelta(hours=1), kinds=["action"])
            assert [(a["state"], a["data"].get("silence_id")) for a in actions] == [("silence", silence_id)]

            # expire it from the silences list (detail -> S -> x -> confirm)
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("S")
            await until(pilot, lambda: isinstance(app.screen, SilencesScreen)
                         and app.screen.query_one("#silences-table").row_count == 1, "the silences list")
            row = [c.plain for c in app.screen.query_one("#silences-table").get_row_at(0)]
            assert silence_id in row[1] and "CockpitSilenceE2E" in row[1]
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.click("#confirm-yes")
            await until(pilot, lambda: any(f"Silence {silence_id} expired" in t for t in toasts(app)),
                         "the expired toast")
            assert silence_id not in {s["id"] for s in await asyncio.to_thread(_amtool_silences, amtool, am.url)}
            await until(pilot, lambda: _e2e_alert_state(app) == "firing", "the alert firing again")
        entries = AuditLog.in_dir(tmp_path / "cache").entries()
        assert [(e["what"], e["result"]) for e in entries] == [
            ("create_silence", "sending"), ("create_silence", "ok"), ("expire_silence", "sending"), ("expire_silence", "ok")]
    finally:
        am.stop()
