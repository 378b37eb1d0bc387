"""Every saved triage, open and closed, to read back or reopen (command palette "triage: list").

A closed triage's notes used to be out of reach from the TUI; here ``enter`` opens any triage in
:class:`~cockpit.ui.screens.triage.TriageScreen` (read its steps and notes; ``x`` reopens a closed
one) and ``esc`` goes back. The list is read in a worker thread.
"""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cockpit.ui.navigation import KeyTable

from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import Triage, TriageError
from cockpit.ui.host import CockpitHost

__all__ = ["TriagesScreen", "show_triages"]


class TriagesScreen(Screen[None]):
    """The triages, most recently updated first."""

    DEFAULT_CSS = """
    TriagesScreen #triages-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    TriagesScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, triages: list[Triage]) -> None:
        super().__init__(id="triages")
        self.triages = list(triages)

    def compose(self) -> ComposeResult:
        closed = sum(1 for t in self.triages if t.status == "closed")
        title = Text(f"Triages: {len(self.triages) - closed} open · {closed} closed", style="bold")
        title.append("   j/k g/G move · enter open · x in a triage closes/reopens · esc back", style="dim")
        yield Static(title, id="triages-title", markup=False)
        table = KeyTable(cursor_type="row", zebra_stripes=False, id="triages-table")
        for key, label in (("status", "Status"), ("alert", "Alert"), ("steps", "Steps"),
                           ("notes", "Notes"), ("updated", "Updated (UTC)"), ("id", "Id")):
            table.add_column(Text(label), key=key)
        for triage in self.triages:
            done, total = triage.progress
            notes = sum(1 for e in triage.events if e.kind == "note")
            table.add_row(Text(triage.status, style="dim" if triage.status == "closed" else "bold"),
                          Text(clean_line(triage.alert.name, 60)), Text(f"{done}/{total}"),
                          Text(str(notes) if notes else ""),
                          Text(f"{triage.updated_at.astimezone(UTC):%Y-%m-%d %H:%M}"),
                          Text(clean_line(triage.id, 60), style="dim"), key=triage.id)
        yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from cockpit.ui.screens.triage import TriageScreen

        chosen = next((t for t in self.triages if t.id == event.row_key.value), None)
        if chosen is not None:
            self.app.push_screen(TriageScreen(chosen))

    def action_back(self) -> None:
        self.dismiss()


def show_triages(app: CockpitHost) -> None:
    """Read the triages (open and closed) in a worker, then show them."""

    def work() -> None:
        try:
            triages = app.engine.triages(include_closed=True)
        except TriageError as exc:
            app.call_from_thread(app.notify, exc.message, severity="error", markup=False)
            return
        if not triages:
            app.call_from_thread(app.notify, "No triages yet: t on an alert starts one")
            return
        app.call_from_thread(app.push_screen, TriagesScreen(triages))

    app.run_worker(work, thread=True, exclusive=True, group="triage-list", exit_on_error=False)
