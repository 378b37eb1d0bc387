"""The Textual app: wires the engine to the screens; fetches nothing itself.

Run it as ``CockpitApp(engine=engine, settings=config.cockpit, keys=config.keys).run()``.
The engine polls in its own thread and reports each new :class:`SourceState` through the
callback given to ``start``; the callback only posts a message (thread-safe), and the app
applies it on its own loop. First paint comes from ``engine.initial_states()`` (the cache).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.message import Message
from textual.screen import Screen

from cockpit.core.settings import section_value
from cockpit.core.startup import release_collector
from cockpit.engine.facade import Engine, PendingWrite, PendingWrites
from cockpit.ui.host import CockpitHost
from cockpit.ui.view_memory import ViewMemory
from cockpit.ui.screens.intents import act_on
from cockpit.ui.keys import keymap_from_config, keys_in_force
from cockpit.core.models import SourceState, utcnow
from cockpit.ui.screens.main import MainScreen
from cockpit.core.textsafe import clean_line
from cockpit.themes import STYLESHEET, THEMES, choose_theme
from cockpit.widgets.alerts import AlertsPanel
from cockpit.widgets.panel import Panel
from cockpit.widgets.runbooks import RunbooksPanel
from cockpit.widgets.textual_compat import terminal_driver

__all__ = ["CockpitApp", "SourceUpdated", "binding_owners", "main_binding_owners"]


class SourceUpdated(Message):
    """A source has a new state (posted from the engine's thread)."""

    def __init__(self, state: SourceState) -> None:
        super().__init__()
        self.state = state


log = logging.getLogger(__name__)


class CockpitApp(CockpitHost):
    """The full-screen cockpit, on an :class:`~cockpit.engine.facade.Engine` (tests pass
    ``tests.app_fixtures.FakeEngine``, the same facade without a poller)."""

    TITLE = "cockpit"
    CSS_PATH = STYLESHEET
    BINDINGS = [
        Binding("question_mark", "app.help", "Show the keys in force", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("ctrl+p", "app.command_palette", "Command palette", priority=True, id="command-palette"),
        Binding("R", "app.show_report", "Shift report and handoff notes", id="report"),
        Binding("T", "app.show_timeline", "Timeline: alerts, deploys, failures, silences, triages on one axis", id="timeline"),
    ]

    def __init__(
        self,
        engine: Engine,
        settings: Any = None,
        *,
        keys: Mapping[str, object] | None = None,
        read_only: bool | None = None,
        theme: str | None = None,
        low_bandwidth: bool | None = None,
        clock: Callable[[], datetime] = utcnow,
        tick_seconds: float | None = None,
    ) -> None:
        """``settings`` is the config's ``[cockpit]`` section (object or mapping); the keyword
        arguments override it (command-line flags). ``keys`` is the ``[keys]`` table; an
        unknown binding id raises :class:`cockpit.ui.keys.KeymapError` (a ValueError)."""
        super().__init__(engine, clock=clock)
        self._terminal: Driver | None = None
        """The terminal's driver once it runs (None in a headless test run)."""
        if low_bandwidth is None:  # the CLI resolved the session's default (resolve_session)
            low_bandwidth = section_value(settings, "low_bandwidth", False)
        self.low_bandwidth = bool(low_bandwidth)
        self.read_only = bool(
            (read_only if read_only is not None else section_value(settings, "read_only", False))
            or engine.read_only
        )
        table = keys if keys is not None else section_value(settings, "keys")
        self.keymap = keymap_from_config(table, binding_owners)
        self.tick_seconds = tick_seconds or (30.0 if self.low_bandwidth else 5.0)
        for cockpit_theme in THEMES.values():
            self.register_theme(cockpit_theme)
        self.theme = choose_theme(theme or section_value(settings, "theme"), self.low_bandwidth,
                                  explicit=theme is not None)
        if self.low_bandwidth:
            self.animation_level = "none"
        self.set_keymap(self.keymap)
        self.settings = settings
        """The ``[cockpit]`` section as given (panels read their own settings from it)."""
        self._states: dict[str, SourceState] = {}
        self._raw_states: dict[str, SourceState] = {}
        self.pending = PendingWrites()
        """Writes sent from here, shown in the panel until a poll confirms (or contradicts) them."""
        self.user_action_keys = {str(a.key) for a in engine.actions}
        """Keys of the config's ``[[actions]]`` (the main screen passes them on)."""
        self.silences_ending: tuple[int, str] = (0, "")
        """How many silences end soon and within what (``30m``), as the last look found."""
        self.view_memory: ViewMemory | None = None
        """Keeps the main screen's view across restarts (from the first paint on)."""
        self.first_frame_drawn = False  # once the main screen's first frame is drawn ...
        self.after_first_frame: list[Callable[[], None]] = []  # ... these run (the start-up list)

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Textual's toast; warnings and errors also go to the log file (cockpit.log)."""
        if severity in ("warning", "error"):
            log.log(logging.ERROR if severity == "error" else logging.WARNING, "%s%s",
                    f"{title}: " if title else "", message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # ----- lifecycle ------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        return MainScreen(on_ready=self._first_paint)

    @property
    def main_screen(self) -> MainScreen:
        return self.get_screen_stack_main()

    def get_screen_stack_main(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not mounted")

    def _first_paint(self) -> None:
        """The main screen's panels are mounted: the cache goes into the first frame."""
        main = self.main_screen
        main.set_theme(self.theme)
        main.status_bar.set_read_only(self.read_only)
        main.status_bar.set_hint(f"{self._key_for('help')} help")
        main.query_one(AlertsPanel).configure(
            group_by=section_value(self.settings, "alert_group_by"),
            bell_on_critical=section_value(self.settings, "bell_on_critical"),
            notify_cooldown=section_value(self.settings, "notify_cooldown"),
        )
        for panel in main.panels:
            panel.coarse_ages = self.low_bandwidth
        self.apply_states(self.engine.initial_states())
        self.view_memory = ViewMemory(self, main)  # the last run's filters, focus, rows, sort
        main.view_changed = self.view_memory.changed
        self.view_memory.load()
        # Read now, before a key can start a triage of this session's own.
        from cockpit.ui.screens.startup import show_startup

        show_startup(self)  # one list: the last shift's handoff notes, the triages left open
        # The engine serves requests at once; its polls, the clock and the cache's notice wait
        # until the first frame (the cache) is drawn.
        self.engine.start(self._on_engine_update, hold=True)
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """The engine's polls, the clock, the silences watch, the cache's notice, the input lines."""
        self.first_frame_drawn = True
        self.main_screen.build_input_lines()
        while self.after_first_frame:
            self.call_later(self.after_first_frame.pop(0))
        release_collector()  # held by the cockpit command since its first line
        self.engine.release_polls()
        self.set_interval(self.tick_seconds, self._tick, name="ages")
        if self.engine.silence_sources():
            self.set_interval(300.0 if self.low_bandwidth else 60.0, self.watch_silences, name="silences")
            self.call_later(self.watch_silences)
        notice = self.engine.notice  # e.g. the cache was rebuilt: said once
        if notice:
            self.notify(notice, title="Cache", severity="warning", timeout=10, markup=False)

    async def on_unmount(self) -> None:
        if self.view_memory is not None:
            await asyncio.to_thread(self.view_memory.write)  # the last change, if not written yet
        await asyncio.to_thread(self.engine.stop)

    def get_driver_class(self) -> type[Driver]:
        """The platform's driver, handing itself to the app when created (for OSC 9)."""
        return terminal_driver(super().get_driver_class(), self._terminal_started)

    def _terminal_started(self, driver: Driver) -> None:
        self._terminal = driver

    def run(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Run the app; low-bandwidth mode turns mouse tracking off (no motion reports)."""
        kwargs.setdefault("mouse", not self.low_bandwidth)
        return super().run(**kwargs)

    def _on_engine_update(self, state: SourceState) -> None:
        """Called from the engine's thread: hand over to the app's loop, touch no widget."""
        self.post_message(SourceUpdated(state))

    def on_key(self, event: events.Key) -> None:
        if isinstance(self.screen, MainScreen) and self.screen.take_stray_key(event):
            event.prevent_default()  # no binding: it was text for the input line
            event.stop()

    def on_source_updated(self, message: SourceUpdated) -> None:
        self.apply_states([message.state])

    def apply_states(self, states: Iterable[SourceState]) -> None:
        """Merge new source states and repaint what changed (also used by tests), each shown
        with the pending writes of its source applied (:attr:`pending`)."""
        now = self.clock()
        for state in states:
            self._raw_states[state.name] = state
            self._states[state.name] = self.pending.overlay(state, now)
        self.main_screen.show_states(self._states.values(), now)
        if self.view_memory is not None:
            self.view_memory.find_rows()  # a kept row that was not there yet

    def watch_silences(self) -> None:
        """List the silences (on the engine's loop) and count in the status bar those ending soon."""
        self.run_worker(self._watch_silences(), name="silences-watch", group="silences-watch",
                        exclusive=True, exit_on_error=False)

    async def _watch_silences(self) -> None:
        from cockpit.core.durations import format_duration
        from cockpit.engine.facade import ending_soon

        try:
            found = await asyncio.wrap_future(self.engine.watch_silences())
        except Exception:  # noqa: BLE001 - a read for the status bar: the sources show their own errors
            return
        within = float(self.engine.setting("silence_ending_soon", 1800.0))
        soon = ending_soon([s for _name, s in found], utcnow(), within)
        text = f"{len(soon)} end within {format_duration(within)}" if soon else None
        self.main_screen.status_bar.set_extra("⏳ silences", text)
        from cockpit.ui.screens.startup import StartupScreen

        self.silences_ending = (len(soon), format_duration(within))
        for screen in self.screen_stack:  # the start-up list, open: a row of its own
            if isinstance(screen, StartupScreen):
                screen.show_silences_ending(*self.silences_ending)

    def add_pending_writes(self, writes: Iterable[PendingWrite]) -> None:
        """Show writes the upstream answered ``ok`` at once, marked pending until a poll decides."""
        sources = set()
        for write in writes:
            self.pending.add(write)
            sources.add(write.source)
        self.apply_states([self._raw_states[name] for name in sources if name in self._raw_states])

    @property
    def states(self) -> list[SourceState]:
        return list(self._states.values())

    def alert_group_by(self) -> list[str]:
        """The labels the Alerts panel groups by (its ``group_by``), else the config's."""
        try:
            group_by = self.main_screen.query_one(AlertsPanel).group_by
        except Exception:  # noqa: BLE001 - no main screen (yet): the config's
            group_by = None
        return [str(name) for name in group_by or self.engine.setting("alert_group_by", ["severity", "alertname"])]

    def _tick(self) -> None:
        self.main_screen.tick(self.clock())

    def watch_theme(self, theme: str) -> None:
        if self.is_mounted:
            try:
                self.main_screen.set_theme(theme)
            except LookupError:
                pass
        self.set_class(theme == "mono", "-mono")

    # ----- keys and screens -----------------------------------------------------------
    def _key_for(self, binding_id: str) -> str:
        for bid, keys, _desc in keys_in_force(self.keymap, owners=[CockpitApp]):
            if bid == binding_id:
                return keys.split(" ")[0]
        return binding_id

    async def action_quit(self) -> None:
        """``q``: quit at once from the main screen; from any other screen (a triage, a dialog,
        a detail) ask first, so a key meant for that screen cannot throw its work away."""
        from cockpit.ui.app_commands import quit_or_ask

        quit_or_ask(self)

    def action_help(self) -> None:
        from cockpit.ui.app_commands import toggle_help

        toggle_help(self, binding_owners)

    def on_alerts_panel_new_critical(self, message: AlertsPanel.NewCritical) -> None:
        """A critical alert started firing: terminal bell and an OSC 9 desktop notification
        (the panel applies ``bell_on_critical`` and the cooldown)."""
        self.bell()
        if self._terminal is not None:
            self._terminal.write(f"\x1b]9;{clean_line(message.text, 200)}\x07")

    def action_show_report(self) -> None:
        from cockpit.ui.screens.report import open_report

        open_report(self)

    def on_panel_details_requested(self, message: Panel.DetailsRequested) -> None:
        from cockpit.ui.app_commands import open_details

        open_details(self, message.item)

    def on_runbooks_panel_query_changed(self, message: RunbooksPanel.QueryChanged) -> None:
        from cockpit.ui.screens.runbook_view import search_runbooks

        search_runbooks(self, message.panel, message.query)

    def on_runbooks_panel_open_requested(self, message: RunbooksPanel.OpenRequested) -> None:
        from cockpit.ui.screens.runbook_view import open_runbook_file

        open_runbook_file(self, message.root, message.path, message.title)

    def on_main_screen_intent(self, message: MainScreen.Intent) -> None:
        if message.action == "refresh":
            self.engine.refresh()
            self.notify("Refreshing every source", timeout=2)
            return
        if message.action == "silences":
            self.show_silence_list()
            return
        if message.action == "user-action":
            from cockpit.ui.screens.user_actions import action_for_key, selected_for, start_user_action

            focused = getattr(self.main_screen.current_panel, "ITEM_TYPE", None)
            spec = action_for_key(self, str(message.item), focused)
            if spec is not None:
                start_user_action(self, spec, selected_for(self, spec))
            return
        act_on(self, message.action, message.item, message.where)

    def on_main_screen_command_entered(self, message: MainScreen.CommandEntered) -> None:
        """The ``:`` commands the main screen does not handle itself."""
        from cockpit.ui.app_commands import run_command

        run_command(self, message.command.name, message.command.argument)

    def action_show_timeline(self, service: str = "") -> None:
        """``T`` / ``:timeline [SERVICE]``: alerts, deploys, failures, silences and triages on one time axis."""
        from cockpit.ui.screens.timeline import open_timeline

        open_timeline(self, service or None)

    # ----- command palette ------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Commands named "area: verb" (:mod:`cockpit.ui.app_commands`)."""
        from cockpit.ui.app_commands import system_commands

        return system_commands(self)

    def show_silence_list(self) -> None:
        from cockpit.ui.screens.silences import show_silences

        show_silences(self)


def binding_owners() -> tuple[type, ...]:
    """Every class that declares key bindings, in the order the help lists them: what
    ``[keys]`` may rebind. Imported when asked (the help, or a config with a ``[keys]`` table),
    so that starting the app does not import every screen."""
    from cockpit.ui.command_line import CommandInput
    from cockpit.ui.screens.acknowledge import NoteInput
    from cockpit.ui.screens.silence_edit import SilenceEditScreen
    from cockpit.ui.screens.user_actions import ActionOutputScreen
    from cockpit.ui.navigation import KeyScroll, KeyTable
    from cockpit.ui.screens.confirm import ConfirmScreen
    from cockpit.ui.screens.detail import DetailScreen
    from cockpit.ui.screens.handoff import HandoffEditor
    from cockpit.ui.screens.help import HelpScreen
    from cockpit.ui.screens.intents import ItemScreen
    from cockpit.ui.screens.report import ReportScreen
    from cockpit.ui.screens.startup import StartupScreen
    from cockpit.ui.screens.runbook_view import RunbookScreen, SafeMarkdownViewer
    from cockpit.ui.screens.silence import SilenceScreen
    from cockpit.ui.screens.silences import SilencesScreen
    from cockpit.ui.screens.slo_detail import SloDetailScreen
    from cockpit.ui.screens.triage import StepsTable, TriageScreen
    from cockpit.ui.screens.triages import TriagesScreen
    from cockpit.ui.screens.timeline import TimelineScreen
    from cockpit.widgets.panel_table import PanelTable

    return (CockpitApp, MainScreen, CommandInput, PanelTable, KeyScroll, KeyTable, ItemScreen, DetailScreen,
            SilencesScreen, StepsTable, TriageScreen, ConfirmScreen, ReportScreen, StartupScreen, HandoffEditor,
            SilenceScreen, RunbookScreen, SafeMarkdownViewer, SloDetailScreen, TriagesScreen, TimelineScreen,
            NoteInput, SilenceEditScreen, ActionOutputScreen, HelpScreen)


def main_binding_owners() -> tuple[type, ...]:
    """The classes whose bindings act on the main screen: an ``[[actions]]`` key must not hide them."""
    from cockpit.widgets.panel_table import PanelTable

    return (CockpitApp, MainScreen, PanelTable)
