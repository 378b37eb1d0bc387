"""Issue 18, points 1 and 2: action keys act on what the user sees, and the focused panel shows.

With Deploys focused, ``s`` used to open "Silence CheckoutHighErrorRate" (the Alerts panel's
dimly selected row), and ``o``/``t`` did the same; the Alerts header stayed highlighted after
``2``-``5``. Each action key is pressed on every panel and on every detail screen here.
"""

from __future__ import annotations

import pytest

from tests.app_fixtures import FakeEngine, fixed_clock
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.triage import TriageScreen

SIZE = (120, 40)
ACTION_KEYS = ("s", "o", "t")
PANELS = {"1": "alerts", "2": "slos", "3": "deploys", "4": "pipelines", "5": "runbooks"}
FIRST_ALERT = "CheckoutHighErrorRate"


class RecordingApp(CockpitApp):
    """The app, with the toasts it shows kept in a list."""

    def __init__(self, **kwargs) -> None:
        super().__init__(engine=FakeEngine(), low_bandwidth=False, clock=fixed_clock, **kwargs)
        self.said: list[str] = []

    def notify(self, message, *args, **kwargs) -> None:  # type: ignore[override]
        self.said.append(str(message))
        super().notify(message, *args, **kwargs)


async def settle(app, pilot) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def screens(app) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack]


@pytest.mark.parametrize("key", ACTION_KEYS)
@pytest.mark.parametrize("number", [n for n in PANELS if n not in ("1", "5")])
async def test_action_key_on_a_panel_without_alerts_says_why_and_never_acts_on_the_alert(number, key):
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.main_screen.panel("alerts").selected_item.name == FIRST_ALERT  # the hidden target
        await pilot.press(number)
        await pilot.press(key)
        await settle(app, pilot)
        assert screens(app) == ["MainScreen"], f"{key} on panel {PANELS[number]} opened a screen"
        assert len(app.said) == 1 and "select an alert" in app.said[0], app.said
        assert FIRST_ALERT not in " ".join(app.said)


async def test_o_on_the_runbooks_panel_opens_the_selected_runbook_not_the_alerts():
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("5", "j")
        path = app.main_screen.panel("runbooks").selected_item.path
        await pilot.press("o")
        await settle(app, pilot)
        # the fake engine has no runbooks directory: the viewer says which file it looked for
        assert any(path in said for said in app.said), app.said
        assert FIRST_ALERT not in " ".join(app.said)


@pytest.mark.parametrize("key", ["s", "t"])
async def test_silence_and_triage_on_the_runbooks_panel_say_why(key):
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("5", key)
        await settle(app, pilot)
        assert screens(app) == ["MainScreen"]
        assert len(app.said) == 1 and "select an alert" in app.said[0]


@pytest.mark.parametrize("key", ACTION_KEYS)
async def test_action_key_on_the_alerts_panel_acts_on_its_selection(key):
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3", "1", "j", key)  # second alert: KubePodCrashLooping
        await settle(app, pilot)
        assert not any("select an alert" in said for said in app.said), app.said
        acted_on = " ".join(app.said) + " ".join(screens(app))
        if key == "o":
            assert "KubePodCrashLooping" in acted_on
        assert FIRST_ALERT not in acted_on


@pytest.mark.parametrize("key", ACTION_KEYS)
@pytest.mark.parametrize("number", ["2", "3", "4"])
async def test_action_key_on_a_non_alert_detail_says_why(number, key):
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(number)
        if app.main_screen.current_panel.selected_item is None:
            await pilot.press("j")  # Pipelines starts on its first repo's header row
        await pilot.press("enter")
        await settle(app, pilot)
        before = screens(app)
        assert before[-1] in ("DetailScreen", "SloDetailScreen")
        app.said.clear()
        await pilot.press(key)
        await settle(app, pilot)
        assert screens(app) == before
        assert len(app.said) == 1 and "select an alert" in app.said[0], app.said
        assert FIRST_ALERT not in app.said[0]


@pytest.mark.parametrize("key", ["o", "t"])
async def test_alert_detail_takes_o_and_t_and_its_header_offers_them(key):
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "enter")
        await settle(app, pilot)
        title = str(app.screen.query_one("#detail-title").render())
        assert "o runbook" in title and "t triage" in title
        await pilot.press(key)
        await settle(app, pilot)
        assert not any("select an alert" in said for said in app.said)
        if key == "o":  # the fake engine has no runbook: what it says names the alert
            assert any("KubePodCrashLooping" in said for said in app.said), app.said
        else:  # a triage of that alert opens (its store is in the fake engine's temp cache dir)
            assert isinstance(app.screen, TriageScreen), screens(app)
            assert app.screen.triage.alert.name == "KubePodCrashLooping"


@pytest.mark.parametrize("number", list(PANELS))
async def test_only_the_focused_panels_header_is_highlighted(number):
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", number)
        await pilot.pause()
        main = app.main_screen
        backgrounds = {p.id: p.header.styles.background for p in main.panels}
        focused = backgrounds.pop(PANELS[number])
        assert all(other != focused for other in backgrounds.values()), backgrounds
        assert len(set(backgrounds.values())) == 1  # every other header looks the same
