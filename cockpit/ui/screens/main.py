"""The main screen: the five panels, the filter input and the status bar.

It owns navigation (which panel is focused, maximised, filtered) and turns the keys that need
the engine or a source (refresh, silence, runbook, triage) into messages for the app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.events import DescendantFocus
from textual.message import Message
from textual.screen import Screen

from cockpit.ui.command_line import Command
from cockpit.ui.screens.main_input import FilterInput, MainInputs
from cockpit.ui.layout import GRID_COLUMNS, Arrangement, arrange
from cockpit.core.models import SourceKind, SourceState
from cockpit.widgets.alerts import AlertsPanel
from cockpit.widgets.deploys import DeploysPanel
from cockpit.widgets.panel import Panel
from cockpit.widgets.pipelines import PipelinesPanel
from cockpit.widgets.runbooks import RunbooksPanel
from cockpit.widgets.slos import SlosPanel
from cockpit.widgets.status_bar import StatusBar

__all__ = ["FilterInput", "MainScreen", "PANELS", "PANEL_ORDER"]  # FilterInput: main_input.py

PANELS: tuple[type[Panel], ...] = (AlertsPanel, SlosPanel, DeploysPanel, PipelinesPanel, RunbooksPanel)
"""The panels in the order of the layout, of keys 1-5 and of ``tab``: the one place it is said."""

PANEL_ORDER = tuple(panel.KIND.value for panel in PANELS)
"""Panel ids (``alerts``, ``slos``...) in that order."""


class MainScreen(MainInputs, Screen[None]):
    """All panels on one screen (the filter and the ``:`` line: :class:`MainInputs`)."""

    PANEL_IDS = PANEL_ORDER
    ALLOW_IN_MAXIMIZED_VIEW = "#filter, #command, #status-bar"
    """A panel shown alone (``z``) keeps the input lines and the sources' health in view."""
    ESCAPE_TO_MINIMIZE = False
    """``esc`` goes through :meth:`action_back`: the open line, the filter, then the layout."""

    BINDINGS = [
        *(Binding(str(number), f"focus_panel('{panel.KIND.value}')", f"Focus {panel.TITLE}", id=f"focus-{panel.KIND.value}")
          for number, panel in enumerate(PANELS, 1)),
        Binding("tab", "next_panel(1)", "Next panel", id="next-panel"),
        Binding("shift+tab", "next_panel(-1)", "Previous panel", id="previous-panel"),
        Binding("slash", "filter", "Filter the focused panel", id="filter"),
        Binding("escape", "back", "Back: close this screen; on the panels clear the filter, restore the layout", id="back"),
        Binding("r", "refresh", "Refresh every source now", id="refresh"),
        Binding("z", "toggle_maximize", "Maximise / restore the focused panel", id="maximize"),
        Binding("s", "silence", "Silence the selected alert", id="silence"),
        Binding("H", "toggle_suppressed", "Alerts: hide / show silenced and inhibited alerts", id="hide-suppressed"),
        Binding("S", "silences", "List the silences: who, until when, why (x expires one)", id="silences"),
        Binding("o", "open_runbook", "Open the selected alert's runbook", id="open-runbook"),
        Binding("t", "triage", "Triage walkthrough for the selected alert", id="triage"),
        Binding("a", "acknowledge",
                "Acknowledge the selected alert or group (PagerDuty: ack; Alertmanager: short silence)", id="acknowledge"),
        Binding("X", "resolve", "Resolve the selected PagerDuty incident(s)", id="resolve"),
        Binding("n", "note", "Add a note to the selected PagerDuty incident", id="note"),
        Binding("colon", "command_line", "Command line (:alerts, :timeline SERVICE, :theme NAME, :q)", id="command-line"),
        Binding("O", "cycle_sort", "Sort the focused panel by the next column", id="sort"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]

    class Intent(Message):
        """The user asked for something the app (engine or a source) must do.

        ``action`` is ``refresh``, ``silences`` (the list), ``silence``, ``open-runbook``, ``triage``
        (``item``: the focused panel's selection), ``acknowledge``, ``resolve``, ``note`` (on the
        Alerts panel a list: the alert, or the whole group on its header) or ``user-action``
        (``item``: the key of one of the config's ``[[actions]]``, pressed with no binding of ours).
        """

        def __init__(self, action: str, item: object | None = None, where: str = "") -> None:
            super().__init__()
            self.action = action
            self.item = item
            """The focused panel's selection, whatever its type (the app checks it)."""
            self.where = where
            """The title of the focused panel (for "silence: select an alert; SLOs has none")."""

    class CommandEntered(Message):
        """A ``:`` command for the app (``:report``, ``:timeline SERVICE``, ``:theme NAME``...)."""

        def __init__(self, command: Command) -> None:
            super().__init__()
            self.command = command
            """The parsed command line."""

    def __init__(self, on_ready: Callable[[], None] | None = None) -> None:
        """``on_ready`` is called once the panels are mounted, before the first frame is
        drawn: what it shows is in that frame (the app paints the cache there)."""
        super().__init__(id="main")
        self._on_ready = on_ready
        self._current = "alerts"
        self._filter_target: str | None = None
        self._arrangement: Arrangement | None = None
        self._settled = False
        self.view_changed: Callable[[], None] = lambda: None
        """Called when the filter, focus, selected row or sort may have changed (the app keeps
        the view for the next start: :mod:`cockpit.ui.view_memory`)."""

    def compose(self) -> ComposeResult:
        # Only the panels of a kind some configured source feeds (the Alerts panel always: the
        # app configures it, and it stands in for an empty screen); the filter and the ``:``
        # line are built after the first frame (:class:`MainInputs`). Both cost the first frame.
        kinds = self._panel_kinds()
        with Container(id="panels"):
            for number, panel_class in enumerate(PANELS, 1):
                if panel_class is AlertsPanel or kinds is None or panel_class.KIND in kinds:
                    panel = panel_class()
                    panel.number = number
                    yield panel
        yield StatusBar()

    def _panel_kinds(self) -> frozenset[SourceKind] | None:
        """The kinds the engine's sources feed (None, every panel, for an app with no engine)."""
        engine = getattr(self.app, "engine", None)
        return None if engine is None else engine.panel_kinds()

    def on_mount(self) -> None:
        self.panel("alerts").table.focus()
        if self._on_ready is not None:
            self._on_ready()

    # ----- access ---------------------------------------------------------------------
    def panel(self, panel_id: str) -> Panel:
        """The panel ``panel_id`` (NoMatches when no source of its kind is configured)."""
        return self.query_one(f"#{panel_id}", Panel)

    def has_panel(self, panel_id: str) -> bool:
        """Whether the panel was built: a configured source feeds its kind."""
        return any(panel.id == panel_id for panel in self.panels)

    @property
    def panels(self) -> list[Panel]:
        """The panels built, in key order."""
        return list(self.query_one("#panels").query_children(Panel))

    @property
    def current_panel(self) -> Panel:
        """The panel that has (or last had) the focus."""
        return self.panel(self._current)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    # ----- data -----------------------------------------------------------------------
    def show_states(self, states: Iterable[SourceState], now: datetime | None = None) -> None:
        """Give every panel its sources and the status bar all of them."""
        states = list(states)
        for panel in self.panels:
            panel.set_states(states, now)
        self.status_bar.set_states(states, now)
        # Hide a panel for want of a source only once every source has reported: the demo
        # source, say, feeds every panel, but has no items of any kind before its first poll.
        self._settled = bool(states) and all(s.fetched_at is not None or s.error for s in states)
        built = {panel.id: panel for panel in self.panels}
        missing = [cls.TITLE for cls in PANELS
                   if cls.KIND.value not in built or not built[cls.KIND.value].has_source]
        self.status_bar.set_missing(missing if self._settled else [])
        self.arrange_panels()

    # ----- layout ---------------------------------------------------------------------
    def on_resize(self) -> None:
        self.arrange_panels()

    def arrange_panels(self) -> None:
        """Place the panels with a source, each row as tall as its content wants (see
        :mod:`cockpit.ui.layout`); nothing is touched when the arrangement is the same."""
        if self._filter_target is not None:
            return  # not while a filter is typed: the rows it hides come back (see _close_filter)
        container = self.query_one("#panels")
        height = container.size.height or max(self.size.height - 1, 0)
        if not height:
            return
        wants = {p.id or "": p.wanted_lines() for p in self.panels if p.has_source or not self._settled}
        if not wants:
            wants = {"alerts": self.panel("alerts").wanted_lines()}  # never an empty screen
        arrangement = arrange(wants, self.size.width, height)
        if arrangement == self._arrangement:
            return
        self._arrangement = arrangement
        container.styles.grid_size_columns = GRID_COLUMNS
        container.styles.grid_rows = " ".join(str(h) for h in arrangement.rows)
        spans = {panel: span for panel, _row, span in arrangement.spans}
        for panel in self.panels:
            panel.display = panel.id in spans
            if panel.id in spans:
                panel.styles.column_span = spans[panel.id]
        if self._current not in spans and self.is_mounted:
            self.action_focus_panel(arrangement.shown[0])

    def shown_panels(self) -> list[str]:
        """Panel ids on screen, in key order (a kind with no source is hidden)."""
        built = [panel.id for panel in self.panels]
        return [pid for pid in PANEL_ORDER
                if pid in built and (self._arrangement is None or pid in self._arrangement.shown)]

    def tick(self, now: datetime) -> None:
        """Coarse clock tick: ages in headers, cells and the status bar (changed text only)."""
        for panel in self.panels:
            panel.tick(now)
        self.status_bar.tick(now)

    def set_theme(self, theme_name: str) -> None:
        for panel in self.panels:
            panel.set_theme(theme_name)
        self.status_bar.set_theme(theme_name)

    # ----- focus ----------------------------------------------------------------------
    def on_descendant_focus(self, event: DescendantFocus) -> None:
        for node in event.widget.ancestors_with_self:
            if isinstance(node, Panel):
                self._current = node.id or self._current
                break
        self._mark_current()
        self.view_changed()

    def on_data_table_row_highlighted(self) -> None:
        self.view_changed()

    def _mark_current(self) -> None:
        """Only the current panel's header is highlighted (class ``-focused``).

        A class, not ``:focus-within`` on the header's parent: Textual restyles the focused
        widget's ancestors on a focus change, not their other children, so the header of the
        panel left behind stayed highlighted.
        """
        for panel in self.panels:
            panel.set_class(panel.id == self._current, "-focused")

    def action_focus_panel(self, panel_id: str) -> None:
        if panel_id not in PANEL_ORDER:
            return
        if panel_id not in self.shown_panels():
            self.notify(f"No {panel_id} source is configured", severity="warning", timeout=3)
            return
        self._close_filter()
        self._current = panel_id
        panel = self.panel(panel_id)
        if self.maximized is not None:
            self.maximize(panel, container=False)
        panel.table.focus()

    def action_next_panel(self, step: int = 1) -> None:
        shown = self.shown_panels()
        index = shown.index(self._current) if self._current in shown else 0
        self.action_focus_panel(shown[(index + step) % len(shown)])

    def watch_maximized(self) -> None:
        """A panel shown alone (``z``) or not any more (``z``, ``esc``): kept for the next start."""
        self.view_changed()

    def action_toggle_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.current_panel, container=False)
            self.current_panel.table.focus()

    def action_cycle_sort(self) -> None:
        """Sort the focused panel by its next column (the header marks it)."""
        panel = self.current_panel
        column = panel.cycle_sort()
        label = next((s.label for s in panel.columns() if s.key == column), None)
        self.notify(f"{panel.TITLE}: sorted by {label}" if label else f"{panel.TITLE}: its own order",
                    timeout=2)
        self.view_changed()

    # ----- intents for the app --------------------------------------------------------
    def action_refresh(self) -> None:
        self.post_message(self.Intent("refresh"))

    def _act(self, action: str) -> None:
        """An action key: on the focused panel's selection, never on another panel's row."""
        panel = self.current_panel
        if action == "open-runbook" and isinstance(panel, RunbooksPanel):
            panel.request_details()  # o on a runbook row opens that runbook
            return
        item: object = panel.selected_item
        if action in ("acknowledge", "resolve", "note") and isinstance(panel, AlertsPanel):
            item = panel.selected_alerts()  # on a group's header: the whole group
        self.post_message(self.Intent(action, item, panel.TITLE))

    def action_silence(self) -> None:
        self._act("silence")

    def action_toggle_suppressed(self) -> None:
        """``H``: the Alerts panel hides or shows its silenced and inhibited alerts."""
        panel = self.panel("alerts")
        if isinstance(panel, AlertsPanel):
            panel.toggle_suppressed()
            self.view_changed()

    def action_silences(self) -> None:
        self.post_message(self.Intent("silences"))

    def action_acknowledge(self) -> None:
        self._act("acknowledge")

    def action_resolve(self) -> None:
        self._act("resolve")

    def action_note(self) -> None:
        self._act("note")

    def on_key(self, event: Any) -> None:
        """A key no binding took: one of the config's ``[[actions]]`` keys, for the app to run."""
        if self.typing() or not getattr(self.app, "user_action_keys", None):
            return
        if event.key in self.app.user_action_keys:  # type: ignore[attr-defined]
            event.stop()
            self.post_message(self.Intent("user-action", event.key))

    def action_open_runbook(self) -> None:
        self._act("open-runbook")

    def action_triage(self) -> None:
        self._act("triage")
