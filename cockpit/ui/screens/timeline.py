"""The timeline screen (``T``, ``:timeline [SERVICE]``): alerts, deploys, pipeline failures,
silences and triages of one service, or of all, on one time axis; ``[`` and ``]`` narrow and
widen the window.

What is on screen now (every source's last state) is drawn at once; the window's own history is
then read in a worker thread through the engine's facade (:meth:`Engine.timeline`, the same
build as ``cockpit report``: alert spans rebuilt from a prometheus-alerts source's ``ALERTS``
where one is configured, else this cockpit's recorded history; the line under the title says
which) and drawn when it arrives, with what the sources show now and it lacks. The lines come
from :func:`cockpit.core.timeline.render_timeline` (the same text the triage export and the
Markdown report print); here they are only coloured by role, the glyphs carrying the meaning for
the mono theme.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from cockpit.core.durations import format_duration
from cockpit.core.textsafe import clean_line
from cockpit.core.timeline import WINDOWS, Mark, alerts_origin, marks_from_items, marks_from_section, merge_live, render_timeline
from cockpit.themes import THEMES, cell_styles
from cockpit.ui.host import CockpitHost, host_of
from cockpit.ui.navigation import KeyScroll

__all__ = ["TimelineScreen", "open_timeline"]


class TimelineScreen(Screen[None]):
    """One time axis; ``esc`` goes back."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("left_square_bracket", "window(-1)", "Timeline: narrower window", id="timeline-narrower"),
        Binding("right_square_bracket", "window(1)", "Timeline: wider window", id="timeline-wider"),
    ]
    DEFAULT_CSS = """
    TimelineScreen #timeline-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    TimelineScreen #timeline-origin { height: auto; padding: 0 1; color: $text-muted; }
    TimelineScreen #timeline-body { padding: 0 1; scrollbar-gutter: stable; }
    """

    def __init__(self, items: list[object], now: datetime, service: str | None = None,
                 window: int = 1) -> None:
        super().__init__(id="timeline")
        self.items = items
        self.now = now
        self.service = service
        self.window_index = window
        """Index into :data:`cockpit.core.timeline.WINDOWS` (default: the last 3 hours)."""
        self.sections: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}
        """Per window (index): the report's timeline section and the sources that did not answer."""

    @property
    def window(self) -> timedelta:
        return WINDOWS[self.window_index]

    @property
    def section(self) -> dict[str, Any] | None:
        """The current window's rebuilt section, once read."""
        got = self.sections.get(self.window_index)
        return got[0] if got else None

    def compose(self) -> ComposeResult:
        yield Static("", id="timeline-title", markup=False)
        yield Static("", id="timeline-origin", markup=False)
        with KeyScroll(id="timeline-body"):
            yield Static("", id="timeline-lines", markup=False)

    def on_mount(self) -> None:
        self._draw()
        self.query_one("#timeline-body").focus()
        self._read()

    def _read(self) -> None:
        """Read the current window's history in a thread (once per window)."""
        index = self.window_index
        if index in self.sections:
            return
        engine, since, until = host_of(self).engine, self.now - WINDOWS[index], self.now
        self.run_worker(lambda: (index, *engine.timeline(since, until)), thread=True, group="timeline",
                        name=f"timeline {index}", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "timeline":
            return
        if event.state == WorkerState.SUCCESS:
            index, section, failed = event.worker.result
            self.sections[index] = (section, failed)
            self._draw()
        elif event.state == WorkerState.ERROR:
            self.query_one("#timeline-origin", Static).update(
                Text(f"history not read ({clean_line(event.worker.error, 200)}): what the sources show now"))

    def on_resize(self) -> None:
        self._draw()

    def marks(self) -> list[Mark]:
        """Everything on the axis: the window's rebuilt history (once read) and what the sources
        show now that it lacks."""
        live = marks_from_items(self.items, self.now, self.service)
        if self.section is None:
            return live
        return merge_live(marks_from_section(self.section, self.now, self.service), live)

    def lines(self, width: int) -> list[tuple[str, str]]:
        """The timeline's lines for ``width`` columns."""
        return render_timeline(self.marks(), self.now - self.window, self.now, width)

    def origin(self) -> str:
        """Where the alert spans come from (the line under the title)."""
        if self.section is None:
            return "reading the window's history…: what the sources show now"
        return alerts_origin(self.section)

    def _draw(self) -> None:
        who = clean_line(self.service, 60) if self.service else "every service"
        title = Text("Timeline: ", style="bold")
        title.append(f"{who} · last {format_duration(self.window.total_seconds())}")
        title.append("   [ narrower  ] wider  esc back", style="dim")
        self.query_one("#timeline-title", Static).update(title)
        self.query_one("#timeline-origin", Static).update(Text(self.origin()))
        styles = cell_styles(THEMES.get(self.app.theme) or THEMES["dark"])
        width = max(40, (self.size.width or 80) - 4)  # the padding and the scrollbar's gutter, kept for it
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (line, role) in enumerate(self.lines(width)):
            if index:
                text.append("\n")
            text.append(line, style=styles.get(role, ""))  # labels were cleaned when built
        self.query_one("#timeline-lines", Static).update(text)

    def action_window(self, step: int) -> None:
        self.window_index = min(len(WINDOWS) - 1, max(0, self.window_index + step))
        self._draw()
        self._read()

    def action_back(self) -> None:
        self.dismiss()


def open_timeline(app: CockpitHost, service: str | None = None) -> None:
    """Push the timeline of the items on screen now (every source's last state)."""
    items = [item for state in app.states for item in state.items]
    app.push_screen(TimelineScreen(items, app.clock(), service))
