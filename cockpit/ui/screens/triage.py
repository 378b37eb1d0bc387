"""The triage walkthrough: an alert worked through its runbook, one ticked step at a time.

``t`` on an alert resumes its open triage, or starts one: the runbook is found as ``o`` finds
it, its headings and ``- [ ]`` items become the steps, and the deploys and failed pipelines of
the alert's service are captured. Each step is shown whole: the Step column takes the width the
screen leaves and a row is as tall as its text wrapped in it (a code block shows its first lines
and says how many more). On the screen: ``space``/``enter`` ticks or unticks the
highlighted step, ``n`` writes a note on it, ``N`` a note on the whole triage, ``e`` exports
the Markdown timeline (into the cache dir, and to the clipboard), ``x`` closes the triage after
a confirmation (or reopens a closed one) and ``esc`` goes back (the triage stays open, to resume
later). Closed triages stay listed (:mod:`cockpit.ui.screens.triages`) with their notes.

Every action is stamped with the time of the key press and saved through the engine facade
(``tick_step``, ``note_triage``... atomic writes) at once, in a worker thread: actions are
queued and applied in order, so a fast double press cannot be saved out of order.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import UTC, datetime
from typing import Callable

from rich.console import Console
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from cockpit.core.models import Alert, Deploy, Pipeline
from cockpit.core.osc import copy_to_clipboard
from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import Triage, TriageError, TriageStep
from cockpit.ui.host import CockpitHost, host_of
from cockpit.ui.navigation import KeyTable
from cockpit.ui.inline import code_block_text, copy_text, inline_text

__all__ = ["StepsTable", "TriageScreen", "start_triage", "time_of"]


MAX_CODE_LINES = 8
"""A code block's row shows at most this many lines, then says how many more (``c`` copies it whole)."""

COLUMNS = (("mark", "", 3), ("done", "Done", 9), ("notes", "Notes", 5))
"""The fixed columns before the step: key, label, width (a mark, a time ``HH:MM:SSZ``, a count)."""

MIN_STEP_WIDTH = 20


def time_of(when: datetime | None) -> str:
    """A step's time as the export writes it (UTC), short."""
    return when.astimezone(UTC).strftime("%H:%M:%SZ") if when else ""


def _changes(app: CockpitHost) -> tuple[list[Deploy], list[Pipeline]]:
    items = [item for state in app.states for item in state.items]
    return [i for i in items if isinstance(i, Deploy)], [i for i in items if isinstance(i, Pipeline)]


def _wrapped(console: Console, text: Text, indent: str, width: int, more: str = "") -> Text:
    """``text`` wrapped to ``width`` cells, every line after ``indent`` (and ``more`` after the first)."""
    lines = text.wrap(console, max(1, width - len(indent) - len(more)))
    for line in lines:
        line.rstrip()
    return Text("\n").join(Text(indent + (more if i else "")) + line for i, line in enumerate(lines))


class StepsTable(KeyTable):
    """The steps; the keys that act on the highlighted step live here."""

    BINDINGS = [
        Binding("space,enter", "toggle", "Triage: tick / untick the step", id="triage-tick"),
        Binding("n", "note", "Triage: note on the step", id="triage-note"),
        Binding("N", "note(True)", "Triage: note on the whole triage", id="triage-note-all"),
        Binding("c", "copy", "Triage: copy the step's command (OSC 52)", id="triage-copy"),
    ]

    def on_resize(self) -> None:
        self.screen.steps_resized()  # type: ignore[attr-defined]

    def action_copy(self) -> None:
        self.screen.copy_step()  # type: ignore[attr-defined]

    def action_toggle(self) -> None:
        self.screen.toggle_step()  # type: ignore[attr-defined]

    def action_note(self, general: bool = False) -> None:
        self.screen.open_note(general)  # type: ignore[attr-defined]


class TriageScreen(Screen[None]):
    """One triage: the alert, the steps with their times, the notes."""

    DEFAULT_CSS = """
    TriageScreen #triage-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    TriageScreen #triage-alert { height: auto; max-height: 4; padding: 0 1; }
    TriageScreen StepsTable { height: 1fr; scrollbar-gutter: stable; }
    TriageScreen #triage-notes { height: auto; max-height: 8; padding: 0 1; color: $text-muted; }
    TriageScreen #triage-input { display: none; }
    TriageScreen #triage-input.-open { display: block; }
    TriageScreen #triage-hint { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("e", "export", "Triage: export the timeline to the state dir's exports/ (the path is said)",
                id="triage-export"),
        Binding("x", "close_triage", "Triage: close (confirmed) / reopen the triage", id="triage-close"),
        Binding("q", "app.quit", "Quit", show=False, id="quit"),
        Binding("question_mark", "app.help", "Help", show=False, id="help"),
    ]

    def __init__(self, triage: Triage, *, resumed: bool = False) -> None:
        super().__init__()
        self.triage = triage
        self.resumed = resumed
        self._pending: deque[Callable[[], object]] = deque()
        self._lock = threading.Lock()
        self._wanted: dict[int, bool] = {}
        self._note_step: int | None = None
        self._painted = False
        self._painted_width = 0
        self.exported_to: str | None = None
        """Where the last export (``e``) was written."""

    # ----- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="triage-title", markup=False)
        yield Static(self._alert_text(), id="triage-alert", markup=False)
        yield StepsTable(cursor_type="row", zebra_stripes=False, id="triage-steps")
        yield Static(id="triage-notes", markup=False)
        yield Input(id="triage-input")
        yield Static(id="triage-hint", markup=False)

    @property
    def steps_table(self) -> StepsTable:
        return self.query_one(StepsTable)

    @property
    def note_input(self) -> Input:
        return self.query_one("#triage-input", Input)

    def _step_width(self) -> int:
        """The Step column takes the width the fixed columns leave: its text wraps in it, never cut."""
        table = self.steps_table
        inner = table.scrollable_content_region.width if table.size.width else self.app.size.width - 2
        padding = 2 * table.cell_padding
        return max(MIN_STEP_WIDTH, inner - sum(width + padding for *_, width in COLUMNS) - padding)

    def steps_resized(self) -> None:
        """The table's width changed: repaint when the Step column's width would change with it."""
        if self._painted and self._step_width() != self._painted_width:
            self._paint()

    def on_mount(self) -> None:
        self._paint()
        self.steps_table.focus()
        if self.resumed:
            self.notify(f"Resumed triage {self.triage.id}", markup=False)

    def _alert_text(self) -> Text:
        alert, triage = self.triage.alert, self.triage
        text = Text()
        text.append(clean_line(alert.name, 100), style="bold")
        text.append(f" · {clean_line(alert.severity, 20)} · {alert.state.value}")
        if alert.starts_at:
            text.append(f" · since {alert.starts_at.astimezone(UTC):%Y-%m-%d %H:%M}Z")
        if alert.service:
            text.append(f" · service {clean_line(alert.service, 60)}")
        summary = alert.summary or alert.annotations.get("summary")
        if summary:
            text.append("\n" + clean_line(summary, 200))
        runbook = triage.runbook_title or triage.runbook_path
        text.append("\nRunbook: ", style="dim")
        text.append(clean_line(runbook, 120) if runbook else "none found (generic steps)")
        if triage.deploys or triage.pipelines:
            text.append(f" · before the alert: {len(triage.deploys)} deploy(s), "
                        f"{len(triage.pipelines)} failed pipeline(s)", style="dim")
        return text

    def _paint(self) -> None:
        triage = self.triage
        done, total = triage.progress
        title = Text(f"Triage {triage.id}", style="bold")
        title.append(f"  {done}/{total} steps done · {triage.status}")
        self.query_one("#triage-title", Static).update(title)
        closing = "x reopen" if triage.status == "closed" else "x close triage"
        hint = Text(f"j/k g/G move · space/enter tick · c copy · n note on step · N note on triage · e export · "
                    f"{closing} · esc back")
        if self.exported_to:  # said until the screen closes, not only in the toast
            hint.append(f"\nexported to {clean_line(self.exported_to, 1000)}", style="dim")
        self.query_one("#triage-hint", Static).update(hint)
        table = self.steps_table
        row = table.cursor_row
        self._painted_width = self._step_width()
        table.clear(columns=True)
        for key, label, width in COLUMNS:
            table.add_column(Text(label), key=key, width=width)
        table.add_column(Text("Step"), key="step", width=self._painted_width)
        for step in triage.steps:
            notes = len(triage.notes(step.id))
            mark = "" if not step.actionable else ("[x]" if step.done else "[ ]")
            # height None: the row is as tall as its text wrapped in the Step column
            table.add_row(Text(mark), Text(time_of(step.done_at)), Text(str(notes) if notes else ""),
                          self._step_text(step), key=str(step.id), height=None)
        if not self._painted:  # start on the first thing to do, not on a heading
            self._painted = True
            row = next((i for i, step in enumerate(triage.steps) if step.actionable and not step.done), 0)
        if triage.steps:
            table.move_cursor(row=min(max(row, 0), len(triage.steps) - 1), animate=False)
        self._paint_notes()

    def _step_text(self, step: TriageStep) -> Text:
        """A step as its row shows it: inline Markdown rendered, labels filled, whole, wrapped to
        the Step column with a hanging indent (a code line's own continuation a step further in)."""
        labels, width = self.triage.alert.labels, self._painted_width
        indent = "  " * max(0, step.level - 2) if step.kind in ("check", "code") else ""
        if step.kind != "code":
            text = _wrapped(self.app.console, inline_text(step.title, labels, 1000), indent, width)
        else:
            code = code_block_text(step.title, labels).split("\n")
            rows: list[Text] = []
            for shown, line in enumerate(code):
                lines = _wrapped(self.app.console, line, indent, width, more="  ").split("\n")
                if len(rows) + len(lines) > MAX_CODE_LINES and shown:
                    rows.append(Text(f"{indent}… {len(code) - shown} more lines (c copies the whole block)",
                                     style="dim italic"))
                    break
                rows.extend(lines)
            text = Text("\n").join(rows)
        if step.kind == "section":
            text.stylize("bold")
        elif step.done:
            text.stylize("dim")
        return text

    def _paint_notes(self) -> None:
        step = self.current_step
        text = Text()
        for label, notes in ((f"Notes on: {clean_line(step.title.split(chr(10))[0], 80)}" if step else "", self.triage.notes(step.id) if step else []),
                             ("Notes on the triage", self.triage.notes(None))):
            if not notes:
                continue
            if text:
                text.append("\n")
            text.append(label, style="bold")
            for note in notes:
                text.append(f"\n  {time_of(note.at)} {clean_line(note.text, 300)}")
        self.query_one("#triage-notes", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._paint_notes()

    @property
    def current_step(self) -> TriageStep | None:
        row = self.steps_table.cursor_row if self.is_mounted else -1
        return self.triage.steps[row] if 0 <= row < len(self.triage.steps) else None

    # ----- saving ---------------------------------------------------------------------
    def _now(self) -> datetime:
        return host_of(self).clock()

    def _save(self, action: Callable[[], object], after: Callable[[], None] | None = None) -> None:
        """Queue an action on the triage and apply it (with its save) in a worker thread."""
        self._pending.append(action)
        self.app.run_worker(lambda: self._drain(after), thread=True, group="triage-save", exit_on_error=False)

    def _drain(self, after: Callable[[], None] | None) -> None:
        with self._lock:
            while self._pending:
                action = self._pending.popleft()
                try:
                    action()
                except TriageError as exc:
                    self.app.call_from_thread(self.app.notify, f"Not saved: {exc.message}",
                                              severity="error", markup=False)
        self.app.call_from_thread(after or self._refresh_if_shown)

    def _refresh_if_shown(self) -> None:
        if self.is_attached:
            self._paint()

    # ----- actions --------------------------------------------------------------------
    def toggle_step(self) -> None:
        step = self.current_step
        if step is None or self.triage.status != "open":
            return
        if not step.actionable:
            self.notify(f"{clean_line(step.title, 60)} is a heading: tick the steps under it", markup=False)
            return
        done = not self._wanted.get(step.id, step.done)
        self._wanted[step.id] = done
        now = self._now()
        engine = host_of(self).engine
        self._save(lambda: engine.tick_step(self.triage, step.id, done, now=now))

    def copy_step(self) -> None:
        """``c``: the highlighted step's command (labels filled in) to the clipboard, OSC 52."""
        step = self.current_step
        if step is None or not step.actionable:
            self.notify("copy: select a step (a heading has nothing to copy)", severity="warning")
            return
        text = copy_text(step.title, self.triage.alert.labels, block=step.kind == "code")
        if copy_to_clipboard(self.app, text):
            first = text.split("\n")[0]
            self.notify(f"copied: {clean_line(first, 70)}" + (" …" if "\n" in text else ""), markup=False)

    def open_note(self, general: bool = False) -> None:
        step = None if general else self.current_step
        self._note_step = step.id if step else None
        box = self.note_input
        box.value = ""
        box.placeholder = (f"note on: {clean_line(step.title, 60)}" if step else "note on the whole triage") + \
            " (enter saves, esc cancels)"
        box.add_class("-open")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "triage-input":
            return
        text, step_id, now = event.value, self._note_step, self._now()
        self._close_note()
        if text.strip():
            engine = host_of(self).engine
            self._save(lambda: engine.note_triage(self.triage, text, step_id, now=now))

    def _close_note(self) -> None:
        box = self.note_input
        box.remove_class("-open")
        box.value = ""
        self.steps_table.focus()

    def action_back(self) -> None:
        if self.note_input.has_class("-open"):
            self._close_note()
        else:
            self.dismiss()

    def action_export(self) -> None:
        app = host_of(self)
        deploys, pipelines = _changes(app)

        def write() -> None:
            target, text = app.engine.export_triage(self.triage, deploys, pipelines)
            self.exported_to = str(target)
            app.call_from_thread(app.copy_to_clipboard, text)
            app.call_from_thread(app.notify, f"Timeline exported to {target} (also copied)",
                                 title="Triage export", markup=False, timeout=10)

        self._save(write)

    def action_close_triage(self) -> None:
        """``x``: close the triage after a confirmation (its notes stay, listed with the closed
        triages); on a closed triage, reopen it."""
        engine = host_of(self).engine
        if self.triage.status == "closed":
            now = self._now()
            self._save(lambda: engine.reopen_triage(self.triage, now=now),
                       after=lambda: (self._refresh_if_shown(),
                                      self.app.notify(f"Triage {self.triage.id} reopened", markup=False)))
            return
        from cockpit.ui.screens.confirm import ConfirmScreen

        done, total = self.triage.progress
        body = Text(f"{clean_line(self.triage.alert.name, 80)}: {done}/{total} steps done. The notes stay; "
                    "the closed triage can be listed and reopened (command palette: triage: list).")

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            now = self._now()
            self._save(lambda: engine.close_triage(self.triage, now=now),
                       after=lambda: self.app.notify(f"Triage {self.triage.id} closed", markup=False))
            self.dismiss()

        self.app.push_screen(ConfirmScreen(f"Close triage {self.triage.id}?", body, "Close triage"), answered)


def start_triage(app: CockpitHost, alert: Alert) -> None:
    """``t`` on an alert: resume its open triage, or start one from its runbook."""
    deploys, pipelines = _changes(app)
    now = app.clock()

    def work() -> None:
        try:
            triage, resumed = app.engine.start_triage(alert, deploys=deploys, pipelines=pipelines, now=now)
        except TriageError as exc:
            app.call_from_thread(app.notify, exc.message, severity="error", markup=False)
            return
        app.call_from_thread(app.push_screen, TriageScreen(triage, resumed=resumed))

    app.run_worker(work, thread=True, exclusive=True, group="triage-start", exit_on_error=False)
