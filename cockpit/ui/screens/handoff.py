"""Handoff notes in the TUI: the pending notes at start, and the editor to write one.

At start the app calls :func:`show_pending_notes`: when the engine has notes not yet
dismissed (``Engine.pending_notes``), they are shown in a modal. ``d`` dismisses the notes shown
(each by its id, so a note written meanwhile by someone else stays pending); ``esc`` closes
the modal and keeps them pending for the next start. :func:`open_note_editor` asks for a new
note and saves it with ``Engine.write_note``. File access runs in worker threads,
never on the UI loop; note text is shown through ``clean_lines``/``clean_line``.
"""

from __future__ import annotations

from functools import partial
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from cockpit.core.textsafe import clean_line, clean_lines
from cockpit.engine.facade import HandoffNote, handoff_text
from cockpit.ui.host import CockpitHost, host_of

__all__ = ["HandoffEditor", "HandoffNotesScreen", "open_note_editor", "show_pending_notes"]

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80; max-width: 100%; height: auto; max-height: 90%;
    padding: 0 1; background: $surface; border: round $primary;
}}
{name} .handoff-title {{ text-style: bold; }}
{name} .handoff-hint {{ color: $text-muted; margin: 1 0 0 0; }}
"""


def render_notes(notes: Sequence[HandoffNote]) -> Text:
    """Each note: local time, author, then its text (inert, multi-line kept)."""
    out = Text()
    for index, note in enumerate(notes):
        if index:
            out.append("\n")
        out.append(note.at.astimezone().strftime("%a %d %b %H:%M"), style="bold")
        if note.author:
            out.append(f"  {clean_line(note.author, 40)}")
        out.append("\n")
        out.append("\n".join(clean_lines(note.text, max_len=4000)) + "\n")  # inert, line by line
    return out


class HandoffNotesScreen(ModalScreen[bool]):
    """The notes left by the previous shift; dismissed with ``d``, kept for later with ``esc``.

    The screen's result is True when the notes were dismissed.
    """

    BINDINGS = [
        Binding("d", "dismiss_notes", "Handoff notes: dismiss", id="handoff-dismiss"),
        Binding("escape", "later", "Keep them for later", id="back"),
    ]
    DEFAULT_CSS = _CSS.format(name="HandoffNotesScreen")

    def __init__(self, notes: Sequence[HandoffNote]) -> None:
        super().__init__(id="handoff-notes")
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        with Vertical():
            count = len(self.notes)
            yield Static(Text(f"Handoff: {count} note{'s' if count != 1 else ''} from the last shift"),
                         classes="handoff-title", markup=False)
            with VerticalScroll(id="handoff-body"):
                yield Static(render_notes(self.notes), id="handoff-text", markup=False)
            yield Static(Text("d dismiss (not shown again) · esc later (shown at the next start)"),
                         classes="handoff-hint", markup=False)

    def action_dismiss_notes(self) -> None:
        ids = [note.id for note in self.notes]
        engine = host_of(self).engine

        def run() -> None:
            engine.dismiss_notes(ids)

        # On the app, not the screen: the write must finish after this screen is gone.
        self.app.run_worker(run, thread=True, name="handoff: dismiss", exit_on_error=False)
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)


def show_pending_notes(app: CockpitHost) -> None:
    """Read the pending notes in a thread and, when there are any, show them in the modal."""

    def load() -> None:
        notes = app.engine.pending_notes()
        if notes:
            app.call_from_thread(app.push_screen, HandoffNotesScreen(notes))

    app.run_worker(load, thread=True, name="handoff: pending notes", exit_on_error=False)


class HandoffEditor(ModalScreen[str | None]):
    """A text area for a new note: ``ctrl+s`` saves (the result is the text), ``esc`` cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Handoff note: save", id="handoff-save", priority=True),
        Binding("escape", "cancel", "Cancel", id="back"),
    ]
    DEFAULT_CSS = _CSS.format(name="HandoffEditor") + """
    HandoffEditor TextArea { height: 10; }
    HandoffEditor #handoff-error { color: $error; height: auto; }
    """

    def __init__(self, initial: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.initial = initial
        """Prefilled text: the silences ending soon, for the next shift to know."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Handoff note for the next shift"), classes="handoff-title", markup=False)
            yield TextArea(self.initial, id="handoff-editor", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="handoff-error", markup=False)
            yield Static(Text("ctrl+s save (shown at the next start until dismissed) · esc cancel"),
                         classes="handoff-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip():
            self.query_one("#handoff-error", Static).update(Text("A note needs some text."))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_note_editor(app: CockpitHost, on_saved: Callable[[HandoffNote], None] | None = None) -> None:
    """Ask for a note, save it in a thread, say so; ``on_saved`` runs on the UI loop after."""

    def save(text: str) -> None:
        try:
            note = app.engine.write_note(text)
        except (OSError, ValueError) as exc:
            app.call_from_thread(app.notify, f"Note not saved: {clean_line(exc, 200)}", severity="error")
            return
        app.call_from_thread(app.notify, "Handoff note saved; the next start shows it until dismissed")
        if on_saved is not None:
            app.call_from_thread(on_saved, note)

    def written(text: str | None) -> None:
        if text is not None:
            app.run_worker(partial(save, text), thread=True, name="handoff: write", exit_on_error=False)

    within = float(app.engine.setting("silence_ending_soon", 1800.0))
    initial = handoff_text(app.engine.state_dir, datetime.now(timezone.utc), within)
    app.push_screen(HandoffEditor(initial, id="handoff-editor-screen"), written)
