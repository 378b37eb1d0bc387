"""At start, one list of what is pending: the last shift's handoff notes and the triages left open.

Two modals used to stack at start (the notes, then "resume triage?"). :func:`show_startup`
reads both in a worker thread and, when there is anything, shows :class:`StartupScreen`: one
row per note (its time, author and every line, inert) and per open triage, with the keys of the
other lists (``j``/``k``/``g``/``G``). ``enter`` acts on the highlighted row: it resumes a
triage, or dismisses a note (not shown again); ``d`` dismisses every note shown; ``esc`` leaves
it all for later (the next start shows it again). The list waits while another modal is on top.
When the look at the silences (the status bar's count) finds some ending soon, before the list
opens or while it is open, the list has a row for them; ``enter`` there opens the silences list.
"""

from __future__ import annotations

import textwrap
from datetime import UTC
from typing import TYPE_CHECKING, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from cockpit.core.textsafe import clean_line, clean_lines
from cockpit.ui.host import CockpitHost, host_of

if TYPE_CHECKING:  # at run time imported where used: the first frame does without them
    from cockpit.engine.facade import HandoffNote, Triage
from cockpit.ui.navigation import KeyTable

__all__ = ["StartupScreen", "show_startup"]

RETRY_SECONDS = 0.5
"""How often to look again whether another modal has gone."""

MAX_NOTE_LINES = 12
"""A note's lines shown in its row (the report shows all of them)."""


def note_text(note: HandoffNote, width: int = 200) -> Text:
    """A note's row: its local time and author, then each of its lines, inert, folded to
    ``width`` columns."""
    text = Text("✎ note  ", style="bold")
    text.append(note.at.astimezone().strftime("%a %d %b %H:%M"), style="bold")
    if note.author:
        text.append(f"  {clean_line(note.author, 40)}")
    lines = [part for line in clean_lines(note.text, max_len=4000)
             for part in textwrap.wrap(line, max(width - 4, 10), break_on_hyphens=False)]
    for line in lines[:MAX_NOTE_LINES]:
        text.append(f"\n    {line}")
    if len(lines) > MAX_NOTE_LINES:
        text.append(f"\n    … {len(lines) - MAX_NOTE_LINES} more lines (R: the report shows them all)", style="dim")
    return text


def triage_text(triage: Triage, width: int = 200) -> Text:
    """A triage's row: its alert, then its progress, last update and id (on a line of its own
    when they do not fit in ``width`` columns)."""
    done, total = triage.progress
    text = Text("▶ triage  ", style="bold")
    text.append(clean_line(triage.alert.name, 60), style="bold")
    status = f"    {done}/{total} steps · updated {triage.updated_at.astimezone(UTC):%Y-%m-%d %H:%MZ}"
    ident = clean_line(triage.id, 60)
    text.append("\n" + status)
    text.append(f" · {ident}" if len(status) + 3 + len(ident) <= width else f"\n    {ident}", style="dim")
    return text


class SilencesEnding:
    """The start-up list's row for the silences ending soon."""

    id = "silences-ending"

    def __init__(self, count: int, within: str) -> None:
        self.count = count
        self.within = within
        """How soon, as said (``30m``)."""

    def text(self) -> Text:
        text = Text("⏳ silences  ", style="bold")
        text.append(f"{self.count} end{'s' if self.count == 1 else ''} within {self.within}: enter lists them")
        return text


class StartupScreen(ModalScreen["Triage | str | None"]):
    """What is pending at start; the result is the triage to resume, ``"silences"`` to list
    them, or None."""

    DEFAULT_CSS = """
    StartupScreen { align: center middle; }
    StartupScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        padding: 0 1; background: $surface; border: round $primary;
    }
    StartupScreen #startup-title { text-style: bold; }
    StartupScreen KeyTable { height: auto; max-height: 30; }
    StartupScreen #startup-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("d", "dismiss_notes", "Start-up list: dismiss every handoff note shown", id="handoff-dismiss"),
        Binding("escape", "later", "Start-up list: later (shown again at the next start)", id="back"),
        Binding("q", "app.quit", "Quit", show=False, id="quit"),
    ]

    def __init__(self, notes: Sequence[HandoffNote], triages: Sequence[Triage]) -> None:
        super().__init__(id="startup")
        self.notes = list(notes)
        """The handoff notes not dismissed yet, oldest first."""
        self.triages = list(triages)
        """The open triages, most recently updated first."""
        self.silences: SilencesEnding | None = None
        """The silences ending soon, once the first look at them found some."""

    @property
    def items(self) -> list[HandoffNote | Triage | SilencesEnding]:
        """The rows, in order: the notes, the triages, the silences ending soon."""
        return [*self.notes, *self.triages, *([self.silences] if self.silences else [])]

    def show_silences_ending(self, count: int, within: str) -> None:
        """Add (or update) the row of the silences ending soon."""
        self.silences = SilencesEnding(count, within) if count else None
        if self.is_mounted:
            self._fill()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="startup-title", markup=False)
            table = KeyTable(cursor_type="row", zebra_stripes=False, show_header=False, id="startup-list")
            table.add_column(Text("Pending"), key="what", width=self._width())
            yield table
            yield Static(id="startup-hint", markup=False)

    def _width(self) -> int:
        """The text's width: the box (at most 100 columns) less its border, padding and cell padding."""
        return max(min(100, self.app.size.width) - 6, 20)

    def on_mount(self) -> None:
        self._fill()
        self.query_one(KeyTable).focus()

    def _fill(self) -> None:
        notes, triages = len(self.notes), len(self.triages)
        parts = [f"{notes} handoff note{'s' if notes != 1 else ''}"] if notes else []
        parts += [f"{triages} open triage{'s' if triages != 1 else ''}"] if triages else []
        parts += [f"silences ending within {self.silences.within}"] if self.silences else []
        self.query_one("#startup-title", Static).update(Text("Pending at start: " + " · ".join(parts)))
        enter = " / ".join((["resume triage"] if triages else []) + (["dismiss note"] if notes else [])
                           + (["list silences"] if self.silences else []))
        hint = ["j/k g/G move", f"enter {enter}"] + (["d dismiss all notes"] if notes else [])
        hint += ["esc later (next start)"]
        self.query_one("#startup-hint", Static).update(Text(" · ".join(hint)))
        from cockpit.engine.facade import HandoffNote

        table = self.query_one(KeyTable)
        row = table.cursor_row
        table.clear()
        for item in self.items:
            if isinstance(item, HandoffNote):
                text = note_text(item, self._width())
            elif isinstance(item, SilencesEnding):
                text = item.text()
            else:
                text = triage_text(item, self._width())
            table.add_row(text, key=item.id, height=len(text.plain.split("\n")))
        if self.items:
            table.move_cursor(row=min(max(row, 0), len(self.items) - 1), animate=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """``enter``: resume the triage, or dismiss the note."""
        from cockpit.engine.facade import HandoffNote

        event.stop()
        items = self.items
        if not 0 <= event.cursor_row < len(items):
            return
        item = items[event.cursor_row]
        if isinstance(item, HandoffNote):
            self._dismiss_notes([item])
        elif isinstance(item, SilencesEnding):
            self.dismiss("silences")
        else:
            self.dismiss(item)

    def action_dismiss_notes(self) -> None:
        """``d``: dismiss every note shown."""
        if self.notes:
            self._dismiss_notes(list(self.notes))

    def _dismiss_notes(self, notes: list[HandoffNote]) -> None:
        ids = [note.id for note in notes]
        engine = host_of(self).engine
        # On the app, not the screen: the write must finish even when this screen is gone.
        self.app.run_worker(lambda: engine.dismiss_notes(ids), thread=True, name="handoff: dismiss",
                            exit_on_error=False)
        self.notes = [note for note in self.notes if note.id not in ids]
        if not self.items:
            self.dismiss(None)
            return
        self._fill()
        self.notify(f"{len(ids)} handoff note{'s' if len(ids) != 1 else ''} dismissed", timeout=3)

    def action_later(self) -> None:
        self.dismiss(None)


def _show_when_free(app: CockpitHost, notes: list[HandoffNote], triages: list[Triage]) -> None:
    """Push the list once the main screen is on top (no other modal in the way)."""
    from cockpit.ui.screens.main import MainScreen
    from cockpit.ui.screens.triage import TriageScreen

    if not app.is_running:
        return
    # Not before the main screen's first frame: a screen pushed earlier would hold the app's
    # after-first-frame work (polls, clock, silences watch), queued on the main screen, forever.
    waiting = getattr(app, "after_first_frame", None)
    if waiting is not None and not getattr(app, "first_frame_drawn", True):
        waiting.append(lambda: _show_when_free(app, notes, triages))
        return
    if not isinstance(app.screen, MainScreen):
        app.set_timer(RETRY_SECONDS, lambda: _show_when_free(app, notes, triages))
        return

    def resume(chosen: Triage | str | None) -> None:
        from cockpit.engine.facade import Triage

        if chosen == "silences":
            from cockpit.ui.screens.silences import show_silences

            show_silences(app)
        elif isinstance(chosen, Triage):
            app.push_screen(TriageScreen(chosen, resumed=True))

    screen = StartupScreen(notes, triages)
    screen.show_silences_ending(*getattr(app, "silences_ending", (0, "")))  # when the look came first
    app.push_screen(screen, callback=resume)


def show_startup(app: CockpitHost) -> None:
    """Call once at start (the main screen is ready): one list of what is pending, if anything."""

    def load() -> None:
        notes = app.engine.pending_notes()
        triages = app.engine.triages()
        if notes or triages:
            app.call_from_thread(_show_when_free, app, notes, triages)

    app.run_worker(load, thread=True, name="start: pending", group="start-pending", exit_on_error=False)
