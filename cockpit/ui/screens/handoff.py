"""Handoff notes in the TUI: the editor to write one for the next shift.

:func:`open_note_editor` asks for a new note and saves it with ``Engine.write_note`` in a
worker thread, never on the UI loop. The pending notes are shown at start in the one list of
what is pending (:mod:`cockpit.ui.screens.startup`), where ``enter`` dismisses one and ``d`` all.
"""

from __future__ import annotations

from functools import partial
from datetime import datetime, timezone
from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import HandoffNote, handoff_text
from cockpit.ui.host import CockpitHost

__all__ = ["HandoffEditor", "open_note_editor"]

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80; max-width: 100%; height: auto; max-height: 90%;
    padding: 0 1; background: $surface; border: round $primary;
}}
{name} .handoff-title {{ text-style: bold; }}
{name} .handoff-hint {{ color: $text-muted; margin: 1 0 0 0; }}
"""


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
