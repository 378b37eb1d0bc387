"""Issue 18, point 7: silence defaults that survive a pod restart, an end time to read, one
highlight per choice, Enter that works in every field, and an error that goes when fixed."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from cockpit.core.models import utcnow
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.silence import SilenceScreen
from tests.app_fixtures import FakeEngine, fixed_states
from tests.runbook_fixtures import with_alert
from tests.test_silence_flow import FakeSilenceSource, WritableEngine, field, fill, make_app, shown

SIZE = (100, 40)
POD = {"alertname": "CheckoutHighErrorRate", "severity": "critical", "service": "checkout",
       "namespace": "shop", "pod": "orders-7d9f8-xk2lp", "instance": "10.1.2.3:8080"}


@pytest.fixture
def engine(tmp_path) -> FakeEngine:
    engine = WritableEngine(FakeSilenceSource("am-prod", tmp_path), tmp_path)
    engine.states = with_alert(fixed_states(), labels=POD)
    return engine


async def open_dialog(pilot) -> SilenceScreen:
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SilenceScreen)
    return pilot.app.screen


async def test_this_alert_leaves_out_the_pod_and_instance_and_says_so(engine):
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot)
        matchers = field(app, "silence-matchers")
        assert "pod=" not in matchers and "instance=" not in matchers
        assert 'namespace="shop"' in matchers and 'service="checkout"' in matchers
        left_out = shown(app, "silence-left-out")
        assert "pod=orders-7d9f8-xk2lp" in left_out and "instance=10.1.2.3:8080" in left_out


async def test_the_review_says_when_the_silence_ends_in_local_time_and_utc(engine, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await open_dialog(pilot)
            await fill(pilot, "silence-comment", "rollback in progress")
            app.screen.query_one("#silence-comment").focus()
            before = utcnow() + timedelta(hours=1)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            body = shown(app, "confirm-body")
            after = utcnow() + timedelta(hours=1)  # the review may fall on either side of a minute
            # "until 11:05 EST (16:05Z)"; an end past local midnight has its date: "until Tue 01 Dec 00:03 EST (05:03Z)"
            assert "from now, until " in body, body
            assert any(f" {end.astimezone():%H:%M} {end.astimezone():%Z} (" in body and f"{end:%H:%M}Z)" in body
                       for end in (before, after)), body
    finally:
        monkeypatch.undo()
        time.tzset()


async def test_enter_in_the_custom_duration_reviews_and_a_fixed_error_goes_away(engine):
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        await fill(pilot, "silence-custom", "2h30m")
        assert app.screen.query_one("#duration-custom").value
        app.screen.query_one("#silence-custom").focus()
        await pilot.press("enter")  # did nothing: now it reviews, and says what is missing
        await pilot.pause()
        assert shown(app, "silence-error") == "a comment is required"
        await fill(pilot, "silence-comment", "rollback in progress")
        assert shown(app, "silence-error") == ""  # fixed: the error is gone without a new Review
        app.screen.query_one("#silence-custom").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "2h30m from now" in shown(app, "confirm-body")
        assert dialog.duration_s() == 9000


async def test_a_choice_list_shows_one_highlight_when_it_has_no_focus(engine):
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        durations = dialog.query_one("#silence-duration")
        durations.focus()
        await pilot.press("right", "right")  # the cursor moves to 4h; the choice stays 1h
        dialog.query_one("#silence-comment").focus()
        await pilot.pause()
        buttons = list(durations.query("RadioButton"))
        looks = {b.id: b.get_component_rich_style("toggle--label") for b in buttons}
        chosen = looks.pop("duration-1h")
        assert chosen.bold
        assert len({(s.bgcolor, s.bold) for s in looks.values()}) == 1, looks  # the cursor is not shown
