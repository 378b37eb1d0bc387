"""One confirmation dialog for every destructive key: it restates what will happen and takes ``y``.

``y`` (or the focused button, or ``enter``) confirms; ``n``, ``esc`` or "Back" answers no. The
silence and expire writes, closing a triage and quitting from inside a screen all go through it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

__all__ = ["ConfirmScreen"]


class ConfirmScreen(ModalScreen[bool]):
    """Restates what a key will do and asks for a yes (``y``); ``n``, ``esc`` or "Back" answer no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Confirmations: no", id="confirm-back"),
        Binding("y", "answer(True)", "Confirmations: yes (n or esc: no)", id="confirm-yes"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    #confirm-dialog { width: 80; max-width: 100%; height: auto; max-height: 100%;
                      border: round $warning; background: $surface; padding: 0 1; }
    #confirm-buttons { height: auto; margin: 1 0 0 0; }
    #confirm-buttons Button { margin: 0 2 0 0; }
    """

    def __init__(self, title: str, body: Text, confirm_label: str) -> None:
        super().__init__(id="confirm")
        self._title, self._body, self._confirm_label = title, body, confirm_label

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="confirm-dialog"):
            yield Static(Text(self._title, style="bold"), id="confirm-title", markup=False)
            yield Static(self._body, id="confirm-body", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._confirm_label} (y)", id="confirm-yes", variant="warning", compact=True)
                yield Button("Back (n/esc)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
