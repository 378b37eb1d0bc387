"""The help screen: every key binding as it is in force now (after the config's ``[keys]``),
the keys of the screen it was opened from first."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from cockpit.core.textsafe import clean_line
from cockpit.ui.keys import keys_in_force
from cockpit.ui.navigation import KeyScroll

__all__ = ["HelpScreen", "help_table"]


def screen_binding_ids(screen: Screen | None) -> set[str]:
    """The ids of the bindings in force on ``screen`` (its focused widget's chain), the app's
    own left out."""
    if screen is None:
        return set()
    return {active.binding.id for active in screen.active_bindings.values()
            if active.binding.id and not isinstance(active.node, App)}


def help_table(keymap: Mapping[str, str] | None = None, first: Iterable[str] = (),
               where: str = "this screen", actions: Sequence[Any] = (), owners: Iterable[type] = ()) -> Table:
    """A Rich table of key, action and binding id (the name to use in ``[keys]``) of the
    bindings the classes ``owners`` declare; the ids in ``first`` (the current screen's keys)
    come first, under their own heading; the config's ``[[actions]]`` last (id
    ``[[actions]]``: their keys are set there)."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column(Text("Key"), no_wrap=True)
    table.add_column(Text("Does"))
    table.add_column(Text("[keys] id"), style="dim", no_wrap=True)
    rows = keys_in_force(keymap, owners)
    wanted = set(first)
    mine = [row for row in rows if row[0] in wanted]
    if mine:
        table.add_row(Text(f"On {where}", style="bold underline"), Text(""), Text(""))
        for binding_id, keys, description in mine:
            table.add_row(Text(keys, style="bold"), Text(description), Text(binding_id))
        table.add_row(Text(""), Text(""), Text(""))
        table.add_row(Text("Everywhere else", style="bold underline"), Text(""), Text(""))
    for binding_id, keys, description in rows:
        if binding_id not in wanted:
            table.add_row(Text(keys, style="bold"), Text(description), Text(binding_id))
    for action in actions:
        what = "runs " if getattr(action, "command", None) else "opens "
        does = f"{clean_line(action.name, 60)}: {what}on the selected {action.scope}"
        table.add_row(Text(clean_line(action.key, 20), style="bold"),
                      Text(does + (" (writes)" if action.writes else "")), Text("[[actions]]"))
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

    def __init__(self, keymap: Mapping[str, str] | None = None, current: Screen | None = None,
                 actions: Sequence[Any] = (), owners: Iterable[type] = ()) -> None:
        """``current``: the screen the help was opened from (its keys are listed first);
        ``actions``: the config's ``[[actions]]``, listed last; ``owners``: the classes whose
        bindings are listed (the app's ``binding_owners()``)."""
        super().__init__(id="help")
        self._keymap = dict(keymap or {})
        self.actions = list(actions)
        self._owners = tuple(owners)
        self._first = screen_binding_ids(current)
        name = type(current).__name__.removesuffix("Screen").lower() if current is not None else ""
        self._where = f"the {name} screen" if name else "this screen"

    def compose(self) -> ComposeResult:
        with KeyScroll(id="help-body"):
            yield Static(Text("Keys in force", style="bold"), id="help-title")
            yield Static(help_table(self._keymap, self._first, self._where, self.actions, self._owners), id="help-table")
            yield Static(
                Text("Rebind any key in the config's [keys] table, e.g.  help = \"f1\".  "
                     "j/k g/G move · esc closes."),
                id="help-footer",
            )

    def on_mount(self) -> None:
        self.query_one(KeyScroll).focus()  # j/k, g/G and the arrows scroll the list

    def action_help(self) -> None:
        """The help key pressed again closes the help."""
        self.dismiss()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
