"""The main screen's two input lines: the filter of the focused panel (``/``) and the ``:``
command line, with ``esc`` closing them (or clearing the panel's filter, or restoring the
layout). :class:`MainInputs` is mixed into :class:`cockpit.ui.screens.main.MainScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input

from cockpit.core.models import SourceKind
from cockpit.ui.command_line import Command, CommandInput, CommandSuggester, parse
from cockpit.widgets.alerts import AlertsPanel

if TYPE_CHECKING:
    from textual.message import Message

    from cockpit.widgets.panel import Panel

__all__ = ["FilterInput", "MainInputs"]


class FilterInput(Input):
    """The filter line: each edit reaches the panel before the next frame is composed.

    ``Input.Changed`` travels through two message queues (the input's, then the screen's), so
    the screen's refresh timer could draw the input in a frame of its own and the panel's new
    rows in the next one (one more frame of latency per keystroke with thousands of alerts).
    Calling ``on_edit`` from the value watcher puts both in the same frame.

    Its size never depends on its text (one line, the screen's width), yet ``Input`` sets its
    virtual size on every edit and the layout pass sets it back, so each keystroke asked for a
    layout of the whole screen, and that layout repainted every table's scrollbar in a second
    frame. Here a new virtual size only repaints the input.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, on_edit: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_edit = on_edit

    def watch_value(self, value: str) -> None:
        """Textual calls it right after ``Input``'s own watcher, in the same frame."""
        self._on_edit(value)


class MainInputs:
    """The filter and the command line of the main screen (a mixin of ``MainScreen``)."""

    PANEL_IDS: tuple[str, ...]
    _current: str
    _filter_target: str | None
    view_changed: Callable[[], None]
    if TYPE_CHECKING:  # provided by MainScreen and Textual's Screen
        current_panel: Panel
        panels: list[Panel]

        def panel(self, panel_id: str) -> Panel: ...
        def shown_panels(self) -> list[str]: ...
        def arrange_panels(self) -> None: ...
        def action_focus_panel(self, panel_id: str) -> None: ...
        def action_triage(self) -> None: ...
        def query_one(self, selector: str, expect_type: Any = None) -> Any: ...
        def query(self, selector: str) -> Any: ...
        def mount(self, *widgets: Any, before: Any = None) -> Any: ...
        def set_focus(self, widget: Any) -> None: ...
        focused: Any
        is_attached: bool
        def post_message(self, message: Message) -> bool: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def minimize(self) -> None: ...
        maximized: Any
        CommandEntered: Callable[[Command], Message]

    # ----- the two lines, built after the first frame ------------------------------------
    def _built(self, input_id: str) -> Input | None:
        """The input ``filter`` or ``command`` if it was opened before, else None."""
        found = self.query(f"#{input_id}")
        return found.first(Input) if found else None

    def _is_open(self, input_id: str) -> bool:
        box = self._built(input_id)
        return box is not None and box.has_class("-open")

    def typing(self) -> bool:
        """Whether one of the input lines has the focus (keys are text there)."""
        return any(box is not None and box.has_focus for box in (self._built("filter"), self._built("command")))

    def _line(self, input_id: str) -> Input:
        """The input line, mounted above the status bar when first asked for (after the first
        frame, :meth:`build_input_lines`; hidden until opened)."""
        box = self._built(input_id)
        if box is None:
            if input_id == "filter":
                box = FilterInput(self._apply_filter, placeholder="filter (text, or matchers like severity=critical)",
                                  id="filter")
            else:
                box = CommandInput(placeholder=":alerts  :timeline SERVICE  :theme NAME  :q   (tab completes)",
                                   suggester=CommandSuggester(self.services, self.app_themes()), id="command")
            self.mount(box, before="#status-bar")
        return box

    def build_input_lines(self) -> None:
        """Build both lines now (the app calls it after the first frame), so that the first
        ``/`` or ``:`` can take the focus at once."""
        if not self.is_attached:  # the app quit before its first frame
            return
        self._line("filter")
        self._line("command")

    def _open(self, box: Input) -> None:
        """Show the line and give it the focus now, not on the next turn of the loop: keys
        that arrived with the ``/`` in one read (a paste, tmux's send-keys, a slow link) are
        then the line's (see :meth:`take_stray_key`)."""
        box.add_class("-open")
        if box.is_mounted:
            self.set_focus(box)
        else:
            box.focus()

    def take_stray_key(self, event: Any) -> bool:
        """Type into the open line a printable key that reached the app from elsewhere.

        A key is sent to the focused widget when it is read; keys read with the ``/`` that
        opened the filter went to the panel's table before the line took the focus, and would
        run the panel's bindings there (``s`` silences). A printable key typed into the line
        never reaches the app (``Input`` keeps it), so one that does while the line has the
        focus is one of those: it goes into the line. Returns whether it was taken."""
        focused = self.focused
        if not event.is_printable or not isinstance(focused, Input) or focused.id not in ("filter", "command"):
            return False
        if not focused.has_class("-open"):
            return False
        focused.insert_text_at_cursor(event.character or "")
        return True

    @property
    def filter_input(self) -> Input:
        return self._line("filter")

    # ----- filter ---------------------------------------------------------------------
    def action_filter(self) -> None:
        """Open the filter input for the focused panel, prefilled with its current filter."""
        target = self.current_panel
        self._filter_target = target.id
        box = self.filter_input
        box.value = target.filter_text
        box.placeholder = (
            "filter alerts: text, or matchers like severity=critical, service=~\"check.*\""
            if target.KIND == SourceKind.ALERTS
            else f"filter {target.TITLE.lower()}: text"
        )
        if isinstance(target, AlertsPanel):
            target.hold_row_count(True)
        self._open(box)

    def _apply_filter(self, value: str) -> None:
        """Called synchronously on each edit of the filter input (see :class:`FilterInput`)."""
        if self._filter_target:
            self.panel(self._filter_target).filter_text = value.strip()
            self.view_changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self._close_filter()
        elif event.input.id == "command":
            self._run_command(event.value)

    def _close_filter(self) -> None:
        box = self._built("filter")
        if box is not None and box.has_class("-open"):
            box.remove_class("-open")
            target = self.panel(self._filter_target or self._current)
            self._filter_target = None
            if isinstance(target, AlertsPanel):
                target.hold_row_count(False)
            target.table.focus()
            self.arrange_panels()

    # ----- the : command line -----------------------------------------------------------
    def services(self) -> list[str]:
        """Every service named by an alert, SLO or deploy on screen (completion of ``:timeline``)."""
        names: dict[str, None] = {}
        for panel in self.panels:
            for item in panel.items:
                service = getattr(item, "service", None)
                if service:
                    names.setdefault(str(service), None)
        return sorted(names, key=str.casefold)

    def app_themes(self) -> list[str]:
        from cockpit.themes import selectable_themes

        return [*selectable_themes(), "ansi"]

    def action_command_line(self) -> None:
        """``:``: open the command line."""
        self._close_filter()
        box = self._line("command")
        box.value = ""
        self._open(box)

    def _close_command_line(self, focus: str | None = None) -> None:
        """Close the command line and focus a panel (``focus``, else the current one): one
        focus change only, so the panel that ends up focused is the current one."""
        box = self._built("command")
        if box is not None and box.has_class("-open"):
            box.remove_class("-open")
            if focus is None or focus not in self.shown_panels():
                self.current_panel.table.focus()
            else:
                self.action_focus_panel(focus)

    def _run_command(self, line: str) -> None:
        try:
            command = parse(line)
        except ValueError as exc:
            self._close_command_line()
            self.notify(str(exc), severity="error", timeout=5, markup=False)
            return
        self._close_command_line(command.name if command.name in self.PANEL_IDS else None)
        if command.name in self.PANEL_IDS:
            self.action_focus_panel(command.name)
        elif command.name == "triage":
            self.action_triage()
        else:
            self.post_message(self.CommandEntered(command))

    def action_back(self) -> None:
        """esc: close the command line, or close and clear the filter, else clear the panel's
        filter, else restore layout."""
        if self._is_open("command"):
            self._close_command_line()
            return
        box = self._built("filter")
        if box is not None and box.has_class("-open"):
            target = self.panel(self._filter_target or self._current)
            target.filter_text = ""
            box.value = ""
            self._close_filter()
            return
        if self.current_panel.filter_text:
            self.current_panel.filter_text = ""
            self.view_changed()
            return
        if self.maximized is not None:
            self.minimize()
