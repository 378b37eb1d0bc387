"""The silence flow in the TUI (Pilot): dialog, preview, confirmation, one write, read-only, errors.

A fake engine runs writes on a worker thread's event loop, like the real engine's poller loop,
against a fake source that records every call. The end-to-end test against a real Alertmanager
is in test_silence_e2e.py.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from cockpit.actions import default_author
from cockpit.app import CockpitApp
from cockpit.audit import AuditLog
from cockpit.models import FetchResult, SourceKind
from cockpit.screens.detail import DetailScreen
from cockpit.screens.silence import ConfirmScreen, SilenceScreen
from cockpit.screens.silences import SilencesScreen, show_silences
from sources.base import SilenceInfo, SilenceRequest, Source, SourceContext, SourceOptions, SupportsSilences
from sources.errors import SourceUnreachable
from tests.app_fixtures import FakeEngine, fixed_clock

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


class FakeHistory:
    def __init__(self) -> None:
        self.actions: list[tuple[str, dict]] = []

    def record_action(self, kind: str, **kwargs) -> None:
        self.actions.append((kind, kwargs))


class WritableEngine(FakeEngine):
    """The fake engine plus what writes need: sources, a cache dir, history, a real submit()."""

    def __init__(self, source: FakeSilenceSource, cache_dir: Path, read_only: bool = False) -> None:
        super().__init__(read_only=read_only)
        self.sources = [source]
        self.cache_dir = cache_dir
        self.history = FakeHistory()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="fake-poller")

    def source(self, name: str):
        return next((s for s in self.sources if s.name == name), None)

    def submit(self, coro) -> Future:
        return self._pool.submit(asyncio.run, coro)

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=True)


@pytest.fixture
def source(tmp_path: Path) -> FakeSilenceSource:
    return FakeSilenceSource("am-prod", tmp_path)


def make_app(engine: FakeEngine, **kwargs) -> CockpitApp:
    return CockpitApp(engine=engine, low_bandwidth=False, clock=fixed_clock, **kwargs)


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
    engine = WritableEngine(source, tmp_path)

    class Section:
        user = "ada"
        alert_group_by = ["service"]

    engine.config = type("Config", (), {"cockpit": Section()})()
    app = make_app(engine)
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
    kind, recorded = engine.history.actions[0]
    assert kind == "silence" and recorded["silence_id"] == "sil-1" and recorded["source"] == "am-prod"
    audit = AuditLog.in_dir(tmp_path).entries()
    assert [(e["what"], e["result"]) for e in audit] == [("create_silence", "ok")]


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


async def test_failure_is_shown_in_one_line_and_not_retried(tmp_path):
    source = FakeSilenceSource("am-prod", tmp_path, fail=SourceUnreachable("peer http://127.0.0.1:9093: connection refused"))
    engine = WritableEngine(source, tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await fill(pilot, "silence-comment", "investigating")
        await review(pilot)
        await pilot.click("#confirm-yes")
        await settle(pilot, app)
    assert len(source.created) == 1
    errors = [t for t in toasts(app) if t.startswith("Silence not created")]
    assert errors == ["Silence not created: peer http://127.0.0.1:9093: connection refused"]
    assert engine.refreshed == [] and engine.history.actions == []
    assert [e["result"] for e in AuditLog.in_dir(tmp_path).entries()] == ["error"]


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
    assert AuditLog.in_dir(tmp_path).entries() == []


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
        assert row[:4] == ["am-prod", "old-1", "active", 'service="db"']
        assert "[b]maintenance[/b]" in row  # shown as text, not markup
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
    assert [(e["what"], e["result"]) for e in AuditLog.in_dir(tmp_path).entries()] == [("expire_silence", "ok")]


async def test_palette_lists_every_silenceable_source(source, tmp_path):
    app = make_app(WritableEngine(source, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert "alerts: silences" in commands
        show_silences(app)
        await settle(pilot, app)
        assert isinstance(app.screen, SilencesScreen)
        assert app.screen.query_one("#silences-table").row_count == 1

