"""Pilot tests of the TUI: what a user sees and can do with the keys (fixed data, fake engine)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from rich.console import Console

from tests.app_fixtures import NOW, FakeEngine, fixed_states, make_app
from cockpit.ui.app import CockpitApp
from cockpit.ui.keys import KeymapError
from cockpit.core.models import Alert, SourceKind, SourceState, SourceStatus
from cockpit.ui.screens.detail import DetailScreen
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.screens.main import MainScreen

SIZE = (100, 32)


def text_of(renderable, width: int = 160) -> str:
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def main(app: CockpitApp) -> MainScreen:
    return app.main_screen


def focused_panel_id(app: CockpitApp) -> str | None:
    focused = app.focused
    while focused is not None and not focused.has_class("panel"):
        focused = focused.parent
    return focused.id if focused is not None else None


def alert_names(app: CockpitApp) -> list[str]:
    return [a.name for a in main(app).panel("alerts").visible_items]


async def test_first_paint_fills_every_panel_with_freshness_in_the_headers():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        counts = {p.id: len(p.visible_items) for p in screen.panels}
        # pipelines: the succeeded one is left out (failed and running only)
        assert counts == {"alerts": 5, "slos": 3, "deploys": 3, "pipelines": 2, "runbooks": 3}
        headers = {p.id: p.header_text().plain for p in screen.panels}
        # states counted apart; coarse while healthy: no idle repaints
        assert headers["alerts"] == "1 Alerts 2 firing · 1 pending · 1 inhibited · 1 silenced · <1m ago"
        assert "STALE 3m" in headers["deploys"]
        assert "ERROR" in headers["pipelines"]
        status = screen.status_bar.content.plain
        assert "github ✗ error" in status
        assert "github: ERROR HTTP 503 from api.github.com" in status
        assert "on call: Ada Lovelace" in status
        # most severe first, firing before pending, newest first
        assert alert_names(app)[:3] == [
            "CheckoutHighErrorRate", "KubePodCrashLooping", "DiskWillFillIn4Hours"]


async def test_number_keys_and_tab_move_between_panels():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert focused_panel_id(app) == "alerts"
        await pilot.press("3")
        assert focused_panel_id(app) == "deploys"
        await pilot.press("tab")
        assert focused_panel_id(app) == "pipelines"
        await pilot.press("5", "tab")
        assert focused_panel_id(app) == "alerts"
        await pilot.press("shift+tab")
        assert focused_panel_id(app) == "runbooks"
        await pilot.press("2")
        assert focused_panel_id(app) == "slos"


async def test_j_and_k_move_the_selection():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        alerts = main(app).panel("alerts")
        assert alerts.selected_item.name == "CheckoutHighErrorRate"
        await pilot.press("j", "j")
        assert alerts.selected_item.name == "DiskWillFillIn4Hours"
        await pilot.press("k")
        assert alerts.selected_item.name == "KubePodCrashLooping"
        await pilot.press("down")
        assert alerts.selected_item.name == "DiskWillFillIn4Hours"


async def test_selection_follows_the_item_across_a_refresh_from_the_poller_thread():
    engine = FakeEngine()
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        alerts = main(app).panel("alerts")
        await pilot.press("j", "j")
        assert alerts.selected_item.fingerprint == "a3"
        state = fixed_states()[0]
        new = Alert(source="am-prod", fingerprint="n1", name="NewOutage", severity="critical",
                    starts_at=NOW - timedelta(seconds=30), labels={"service": "edge"})
        updated = state.model_copy(update={"items": [new, *state.items]})
        thread = threading.Thread(target=engine.push, args=(updated,))
        thread.start()
        thread.join()
        await pilot.pause()
        assert alert_names(app)[0] == "NewOutage"
        assert alerts.selected_item.fingerprint == "a3"
        assert alerts.header_text().plain.startswith("1 Alerts 3 firing")


async def test_slash_filters_the_focused_panel_and_esc_clears():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        await pilot.press("slash")
        assert screen.filter_input.has_focus
        await pilot.press(*"PAYMENTS")
        assert alert_names(app) == ["KubePodCrashLooping"]
        assert "1/5" in screen.panel("alerts").header_text().plain
        assert "filter: PAYMENTS" in screen.panel("alerts").header_text().plain
        assert len(screen.panel("deploys").visible_items) == 3  # other panels untouched
        await pilot.press("escape")
        assert len(alert_names(app)) == 5
        assert not screen.filter_input.display
        assert focused_panel_id(app) == "alerts"


async def test_filter_kept_after_enter_then_esc_clears_it():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "slash", *"staging", "enter")
        screen = main(app)
        deploys = screen.panel("deploys")
        assert [d.service for d in deploys.visible_items] == ["search"]
        assert focused_panel_id(app) == "deploys"
        await pilot.press("j")  # keys act on the panel again, not the input
        assert screen.filter_input.value == "staging"
        await pilot.press("escape")
        assert len(deploys.visible_items) == 3


async def test_alert_filter_accepts_matcher_syntax():
    pytest.importorskip("cockpit.core.matchers")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"severity=warning")
        assert sorted(alert_names(app)) == ["DiskWillFillIn4Hours", "KubePodCrashLooping"]
        await pilot.press("ctrl+a", "ctrl+k", *'service=~"pay.*|db"')
        assert sorted(alert_names(app)) == ["DiskWillFillIn4Hours", "KubePodCrashLooping"]
        await pilot.press("ctrl+a", "ctrl+k", *"service!=checkout,severity=warning")
        assert sorted(alert_names(app)) == ["DiskWillFillIn4Hours", "KubePodCrashLooping"]


async def test_enter_shows_every_field_and_esc_goes_back():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        body = app.screen.query_one("#detail-fields").content
        shown = body.plain
        for expected in ("CheckoutHighErrorRate", "namespace: shop", "summary: 5xx ratio",
                         "starts_at: 2026-11-27 09:18:00 UTC (12m ago)",
                         "https://runbooks.example.org/CheckoutHighErrorRate.md"):
            assert expected in shown
        links = {span.style.link for span in body.spans if hasattr(span.style, "link")}
        assert "https://prometheus.example.org/graph?g0.expr=up" in links
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_shows_the_remapped_keys_and_quit_works():
    app = make_app(keys={"help": "f1", "silence": "S,ctrl+s", "quit": "x"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)  # ? is no longer bound
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        table = text_of(app.screen.query_one("#help-table").content)
        assert any(line.split()[:1] == ["f1"] and "keys in force" in line for line in
                   table.splitlines())
        assert any("S ctrl+s" in line and "Silence" in line for line in table.splitlines())
        await pilot.press("f1")  # the help key closes the help again
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f1", "escape")
        assert isinstance(app.screen, MainScreen)
        assert "f1 help" in main(app).status_bar.content.plain
        await pilot.press("q")
        assert app.is_running  # q was remapped away
        await pilot.press("f1", "x", "y")  # the remapped quit works inside the help too (confirmed)
    assert app.return_code == 0 and not app.is_running


async def test_q_quits():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


def test_unknown_binding_id_is_refused_with_its_name():
    with pytest.raises(KeymapError, match="keys.sylence"):
        make_app(keys={"sylence": "S"})


async def test_refresh_key_asks_the_engine_and_z_maximises():
    engine = FakeEngine()
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        assert engine.refreshed == [None]
        await pilot.press("2", "z")
        screen = main(app)
        assert screen.maximized is screen.panel("slos")
        await pilot.press("4")  # focus moves to another panel: it is the one maximised
        assert screen.maximized is screen.panel("pipelines")
        await pilot.press("escape")
        assert screen.maximized is None


async def test_a_panel_shown_alone_keeps_the_filter_line_and_the_status_bar():
    """With ``z`` the filter was typed blind (its line was hidden with the rest of the screen)
    and the sources' health was gone; ``esc`` minimised before it closed the filter."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "z", "slash", *"avail")
        await pilot.pause()
        screen = main(app)
        line, status = screen.query_one("#filter"), screen.status_bar
        assert screen.maximized is screen.panel("slos")
        assert line.display and line.region.height == 1 and line.value == "avail"
        assert status.region.height >= 1 and status.region.y > line.region.y
        await pilot.press("escape")  # first the filter: closed and cleared, the panel still alone
        assert screen.maximized is screen.panel("slos") and not line.has_class("-open")
        assert screen.panel("slos").filter_text == ""
        await pilot.press("escape")  # then the layout
        assert screen.maximized is None


async def test_read_only_refuses_to_silence():
    app = make_app(FakeEngine(read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        assert "READ-ONLY" in main(app).status_bar.content.plain
        await pilot.press("s")
        await pilot.pause()
        assert any("Read-only" in n.message for n in app._notifications)


async def test_untrusted_text_is_shown_inert():
    hostile = Alert(source="am-prod", fingerprint="x1",
                    name="[bold red]Boom[/] \x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
                    severity="critical", starts_at=NOW, summary="[@click=app.quit]press\x1b[2J")
    state = SourceState(name="am-prod", type="alertmanager", kind=SourceKind.ALERTS,
                        status=SourceStatus.OK, fetched_at=NOW, items=[hostile])
    app = make_app(FakeEngine([state]))
    async with app.run_test(size=SIZE) as pilot:
        table = main(app).panel("alerts").table
        cells = [c.plain for c in table.get_row_at(0)]
        assert "[bold red]Boom[/] click" in cells
        assert "[@click=app.quit]press" in cells
        assert not any("\x1b" in c for c in cells)
        await pilot.press("enter")
        shown = app.screen.query_one("#detail-fields").content.plain
        assert "\x1b" not in shown and "[bold red]Boom[/]" in shown


async def test_ages_advance_on_the_clock_tick_without_rebuilding_rows():
    now = [NOW]
    app = make_app(clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        await pilot.press("j")
        before = screen.panel("alerts").selected_item
        now[0] = NOW + timedelta(minutes=2)
        app._tick()
        await pilot.pause()
        # two minutes without a poll of a 30 s source: past 2x its interval, so STALE on screen
        assert screen.panel("alerts").header_text().plain == (
            "1 Alerts 2 firing · 1 pending · 1 inhibited · 1 silenced · STALE 2m")
        row = [c.plain for c in screen.panel("alerts").table.get_row_at(0)]
        assert "14m" in row  # the critical alert started 12m before NOW
        assert screen.panel("alerts").selected_item is before


async def test_low_bandwidth_mode_and_no_color(monkeypatch):
    app = make_app(low_bandwidth=True)
    assert app.theme == "ansi" and app.animation_level == "none" and app.tick_seconds == 30
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_app(settings={"theme": "light"}).theme == "mono"
    # no-color.org: an explicit theme on the command line wins over NO_COLOR
    assert make_app(theme="light").theme == "light"
    # ... and an empty NO_COLOR means nothing
    monkeypatch.setenv("NO_COLOR", "")
    assert make_app(settings={"theme": "high-contrast"}).theme == "high-contrast"


async def test_textual_builtin_themes_are_selectable_by_name():
    app = make_app(settings={"theme": "nord"})
    assert app.theme == "nord"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.current_theme.name == "nord"
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "theme: gruvbox" in titles and "theme: high-contrast" in titles


async def test_command_palette_offers_area_verb_commands():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for expected in ("alerts: focus", "deploys: filter", "app: refresh all", "theme: mono"):
            assert expected in titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "theme: mono")
        command.callback()
        await pilot.pause()
        assert app.theme == "mono"
        await pilot.press("ctrl+p")
        assert app.screen.__class__.__name__ == "CommandPalette"
