"""The timeline screen (``T``, ``:timeline [SERVICE]``): alerts, deploys and pipeline failures
of one service, or of all, on one time axis; ``[`` and ``]`` narrow and widen the window.

What is on screen now (every source's last state) is drawn at once; what the shift history
saw (alerts resolved since, older deploys) is read in a worker thread through the engine's
facade and added when it arrives. The lines come from
:func:`cockpit.core.timeline.render_timeline` (the same text the triage export and the Markdown
report print); here they are only coloured by role, the glyphs carrying the meaning for the
mono theme.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from cockpit.core.durations import format_duration
from cockpit.core.textsafe import clean_line
from cockpit.core.timeline import WINDOWS, Mark, marks_from_items, render_timeline
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
    TimelineScreen #timeline-body { padding: 0 1; }
    """

    def __init__(self, items: list[object], now: datetime, service: str | None = None,
                 window: int = 1) -> None:
        super().__init__(id="timeline")
        self.items = items
        self.now = now
        self.service = service
        self.window_index = window
        """Index into :data:`cockpit.core.timeline.WINDOWS` (default: the last 3 hours)."""
        self.history: list[Mark] = []
        """Alerts the shift history saw resolve in the widest window (read after mounting)."""

    @property
    def window(self) -> timedelta:
        return WINDOWS[self.window_index]

    def compose(self) -> ComposeResult:
        yield Static("", id="timeline-title", markup=False)
        with KeyScroll(id="timeline-body"):
            yield Static("", id="timeline-lines", markup=False)

    def on_mount(self) -> None:
        self._draw()
        self.query_one("#timeline-body").focus()
        engine, since, until = host_of(self).engine, self.now - WINDOWS[-1], self.now
        self.run_worker(lambda: engine.timeline_marks(since=since, until=until), thread=True,
                        group="timeline", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "timeline" and event.state == WorkerState.SUCCESS:
            # only what is over: what is still on screen is drawn from the sources' states
            self.history = [m for m in event.worker.result or [] if m.lane == "alert" and m.end is not None
                            and m.end < self.now]
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def marks(self) -> list[Mark]:
        """Everything on the axis: the items on screen, then what the history saw end."""
        marks = marks_from_items(self.items, self.now, self.service)
        wanted = (self.service or "").casefold()
        marks += [m for m in self.history if not wanted or wanted in m.service.casefold()]
        return marks

    def lines(self, width: int) -> list[tuple[str, str]]:
        """The timeline's lines for ``width`` columns."""
        return render_timeline(self.marks(), self.now - self.window, self.now, width)

    def _draw(self) -> None:
        who = clean_line(self.service, 60) if self.service else "every service"
        title = Text("Timeline: ", style="bold")
        title.append(f"{who} · last {format_duration(self.window.total_seconds())}")
        title.append("   [ narrower  ] wider  esc back", style="dim")
        self.query_one("#timeline-title", Static).update(title)
        styles = cell_styles(THEMES.get(self.app.theme) or THEMES["dark"])
        width = max(40, (self.size.width or 80) - 3)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (line, role) in enumerate(self.lines(width)):
            if index:
                text.append("\n")
            text.append(line, style=styles.get(role, ""))  # labels were cleaned when built
        self.query_one("#timeline-lines", Static).update(text)

    def action_window(self, step: int) -> None:
        self.window_index = min(len(WINDOWS) - 1, max(0, self.window_index + step))
        self._draw()

    def action_back(self) -> None:
        self.dismiss()


def open_timeline(app: CockpitHost, service: str | None = None) -> None:
    """Push the timeline of the items on screen now (every source's last state)."""
    items = [item for state in app.states for item in state.items]
    app.push_screen(TimelineScreen(items, app.clock(), service))
