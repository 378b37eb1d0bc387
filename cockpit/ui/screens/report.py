"""The Report screen: the shift's on-call KPIs (``cockpit report`` in the TUI) and handoff notes.

The report is the engine's ``report_text`` over the last 12 hours by default; ``[`` and ``]``
narrow and widen the window through the timeline's steps (1h to 24h), as on the timeline screen
(``1``–``5`` keep meaning the main screen's panels). It reads exactly like the command's
output, section headings in bold. It is computed in a worker thread from the engine's shift
history (the one the poller records into; it is thread-safe), never on the UI loop. ``e`` writes the report as Markdown to the
state dir's ``reports/`` and says the path, ``c`` copies that Markdown (OSC 52), ``w`` writes a
handoff note (the report is recomputed to include it), ``r`` recomputes, ``esc`` goes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from cockpit.core.charts import ReportFigures, bar_chart, budget_line
from cockpit.core.osc import MAX_COPY_CHARS, copy_to_clipboard
from cockpit.core.textsafe import clean_line
from cockpit.core.timeline import WINDOWS
from cockpit.engine.facade import REPORT_SECTIONS
from cockpit.ui.host import CockpitHost, host_of
from cockpit.ui.screens.handoff import open_note_editor

__all__ = ["REPORT_HOURS", "ReportScreen", "open_report", "render_charts", "report_commands"]

REPORT_HOURS: tuple[int, ...] = tuple(int(w.total_seconds() // 3600) for w in WINDOWS)
"""The windows ``[`` and ``]`` step through, in hours: the timeline's."""
DEFAULT_HOURS = 12


def styled_report(text: str) -> Text:
    """The rendered report as inert Text: the title and the section headings in bold."""
    out = Text()
    lines = text.rstrip("\n").split("\n")
    for index, line in enumerate(lines):
        bold = index == 0 or line in REPORT_SECTIONS
        underline = line and set(line) <= {"-", "="}
        out.append(line, style="bold" if bold else ("dim" if underline else ""))
        out.append("\n")
    return out


def render_charts(figures: ReportFigures, width: int) -> Text:
    """The charts above the report for ``width`` columns: a column per hour of pages, a line
    per SLO of its budget (the figures themselves stay in the report's text)."""
    out = Text()
    out.append("Pages per hour", style="bold")
    if any(count for _label, count in figures.pages):
        out.append("\n")
        lines = bar_chart([c for _l, c in figures.pages], [label for label, _c in figures.pages],
                          height=4, width=width)
        out.append("\n".join(lines) + "\n")
    else:
        out.append("  none in this window\n", style="dim")
    if figures.budgets:
        title, legend = "SLO error budget over the window", "█ all left … ▁ little, _ exhausted, blank: not recorded"
        out.append(f"\n{title}", style="bold")
        out.append(" (this cockpit's samples)")
        out.append(("  " if len(title) + 27 + len(legend) <= width else "\n") + legend + "\n", style="dim")
        label_width = min(32, max(len(series.name) for series in figures.budgets))
        room = max(8, width - label_width - 14)
        for series in figures.budgets:
            first, last = (f"{v * 100:.0f}%" if v is not None else "?" for v in (series.start, series.end))
            step = max(1, -(-len(series.points) // room))
            name = series.name if len(series.name) <= label_width else series.name[: label_width - 1] + "…"
            groups = [series.points[i:i + step] for i in range(0, len(series.points), step)]
            cells = [next((p for p in reversed(group) if p is not None), None) for group in groups]  # the latest
            out.append(f"{name:<{label_width}} {budget_line(cells, room)} {first}→{last}\n")
    return out


class ReportScreen(Screen[None]):
    """The shift report; ``[``/``]`` narrow and widen the window, ``w`` writes a handoff note."""

    BINDINGS = [
        Binding("left_square_bracket", "window(-1)", "Report: narrower window", id="report-narrower"),
        Binding("right_square_bracket", "window(1)", "Report: wider window", id="report-wider"),
        Binding("w", "write_note", "Report: write a handoff note", id="handoff-write"),
        Binding("r", "recompute", "Report: recompute", id="report-recompute"),
        Binding("e", "export", "Report: export as Markdown to the state dir (the path is said)", id="report-export"),
        Binding("c", "copy", "Report: copy as Markdown (OSC 52)", id="report-copy"),
        Binding("escape", "back", "Back", id="back"),
    ]
    DEFAULT_CSS = """
    ReportScreen #report-title { height: auto; padding: 0 1; background: $primary; color: $text; }
    ReportScreen #report-body { padding: 0 1; }
    """

    def __init__(self, clock: Callable[[], datetime] | None = None, hours: int = DEFAULT_HOURS) -> None:
        super().__init__(id="report")
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.hours = hours
        self.state = "computing"
        """``computing``, ``ready`` or ``failed`` (for tests and the title)."""
        self.report_text = ""
        """The plain text shown (empty until computed)."""
        self.report_markdown = ""
        """The same report as Markdown (what ``e`` exports and ``c`` copies)."""
        self.until: datetime | None = None
        """The end of the window shown."""
        self.exported_to: str | None = None
        """Where ``e`` last wrote the report."""
        self.figures = ReportFigures()
        """What the charts above the text draw."""

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="report-title", markup=False)
        with VerticalScroll(id="report-body"):
            yield Static("", id="report-charts", markup=False)
            yield Static(Text("computing the report…", style="dim"), id="report-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#report-body").focus()
        self.action_recompute()

    def _title(self) -> Text:
        title = Text("Report: ", style="bold")
        title.append(f"last {self.hours}h")
        if self.state == "computing":
            title.append(" (computing…)")
        title.append("   ")
        for hours in REPORT_HOURS:
            title.append(f"{hours}h", style="bold reverse" if hours == self.hours else "")
            title.append(" ")
        title.append("  [ narrower  ] wider · e export · c copy · w handoff note · r recompute · esc back", style="dim")
        return title

    def _set_body(self, body: Text) -> None:
        self.query_one("#report-title", Static).update(self._title())
        self.query_one("#report-text", Static).update(body)

    def _draw_charts(self) -> None:
        if self.state == "ready":
            width = max(40, (self.size.width or 80) - 4)
            self.query_one("#report-charts", Static).update(render_charts(self.figures, width))

    def on_resize(self) -> None:
        self._draw_charts()

    # ----- actions ----------------------------------------------------------------------
    def action_window(self, step: int) -> None:
        """One step narrower (``-1``) or wider (``1``) through :data:`REPORT_HOURS`."""
        shorter = [h for h in REPORT_HOURS if h < self.hours]
        longer = [h for h in REPORT_HOURS if h > self.hours]
        hours = (shorter[-1] if shorter else self.hours) if step < 0 else (longer[0] if longer else self.hours)
        if hours != self.hours:
            self.hours = hours
            self.action_recompute()

    def action_recompute(self) -> None:
        """Compute the report for the current window in a thread (a newer request wins)."""
        self.state = "computing"
        self.query_one("#report-title", Static).update(self._title())
        hours, until, engine = self.hours, self.clock(), host_of(self).engine
        self.run_worker(lambda: (hours, until, *engine.report_view(until=until, hours=hours)),
                        thread=True, exclusive=True, group="report", name=f"report {hours}h",
                        exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "report":
            return
        if event.state == WorkerState.SUCCESS:
            hours, until, text, figures, markdown = event.worker.result
            if hours != self.hours:
                return
            self.state, self.report_text, self.figures = "ready", text, figures
            self.report_markdown, self.until = markdown, until
            self._draw_charts()
            self._set_body(styled_report(text))
        elif event.state == WorkerState.ERROR:
            self.state = "failed"
            self._set_body(Text(f"The report could not be computed: {clean_line(event.worker.error, 300)}"))

    def _ready(self, what: str) -> bool:
        if self.state != "ready":
            self.notify(f"{what}: the report is not computed yet", severity="warning", markup=False)
        return self.state == "ready"

    def action_export(self) -> None:
        """Write the report shown as Markdown in the state dir (in a thread) and say where."""
        if not self._ready("export") or self.until is None:
            return
        app, engine = self.app, host_of(self).engine
        markdown, until, hours = self.report_markdown, self.until, self.hours

        def write() -> None:
            try:
                target = engine.export_report(markdown, until=until, hours=hours)
            except OSError as exc:
                app.call_from_thread(app.notify, f"Report not exported: {clean_line(exc, 200)}",
                                     severity="error", markup=False)
                return
            self.exported_to = str(target)
            app.call_from_thread(app.notify, f"Report exported to {target}", title="Report export",
                                 markup=False, timeout=10)

        # On the app, not the screen: the file is written even if the screen is left at once.
        app.run_worker(write, thread=True, name="report: export", exit_on_error=False)

    def action_copy(self) -> None:
        """Copy the report shown as Markdown (OSC 52; terminals cap its length)."""
        if not self._ready("copy"):
            return
        if copy_to_clipboard(self.app, self.report_markdown):
            cut = len(self.report_markdown.strip()) > MAX_COPY_CHARS
            self.notify(f"Report copied as Markdown{f' (first {MAX_COPY_CHARS} characters; e exports it all)' if cut else ''}",
                        markup=False)

    def action_write_note(self) -> None:
        open_note_editor(host_of(self), on_saved=lambda _note: self.is_attached and self.action_recompute())

    def action_back(self) -> None:
        self.dismiss()


def open_report(app: CockpitHost) -> None:
    """Push the Report screen for the app's engine (no-op when it is already shown)."""
    if isinstance(app.screen, ReportScreen):
        return
    app.push_screen(ReportScreen(clock=app.clock))


def report_commands(app: CockpitHost) -> Iterable[SystemCommand]:
    """The command palette's "report: show" and "handoff: write note"."""
    yield SystemCommand("report: show", "The shift report (alerts, pages, MTTA/MTTR, SLOs, deploys)",
                        lambda: open_report(app))
    yield SystemCommand("handoff: write note", "Write a note for the next shift (shown at its start)",
                        lambda: open_note_editor(app))
