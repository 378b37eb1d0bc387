"""The help screen: every key binding as it is in force now (after the config's ``[keys]``)."""

from __future__ import annotations

from typing import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cockpit.ui.keys import keys_in_force

__all__ = ["HelpScreen", "help_table"]


def help_table(keymap: Mapping[str, str] | None = None) -> Table:
    """A Rich table of key, action and binding id (the name to use in ``[keys]``)."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column(Text("Key"), no_wrap=True)
    table.add_column(Text("Does"))
    table.add_column(Text("[keys] id"), style="dim", no_wrap=True)
    for binding_id, keys, description in keys_in_force(keymap):
        table.add_row(Text(keys, style="bold"), Text(description), Text(binding_id))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the bindings; ``esc`` (or the help key again) closes it."""

    # A modal screen cuts off the app's bindings, so help and quit are repeated here with
    # the same ids: the config's [keys] remaps them here too.
    BINDINGS = [
        Binding("escape", "dismiss", "Close", show=False, id="back"),
        Binding("question_mark", "help", "Close", show=False, id="help"),
        Binding("q", "app.quit", "Quit", show=False, id="quit"),
    ]

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__(id="help")
        self._keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys in force", style="bold"), id="help-title")
            yield Static(help_table(self._keymap), id="help-table")
            yield Static(
                Text("Rebind any key in the config's [keys] table, e.g.  help = \"f1\".  "
                     "esc closes."),
                id="help-footer",
            )

    def action_help(self) -> None:
        """The help key pressed again closes the help."""
        self.dismiss()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
