"""The table inside the Alerts panel: group-aware cursor steps and batched cell updates."""

from __future__ import annotations

from rich.text import Text
from textual.widgets.data_table import ColumnKey, RowKey

from cockpit.widgets.panel import PanelTable

__all__ = ["AlertsTable"]


class AlertsTable(PanelTable):
    """The alerts table: ``j``/``k`` step over group headers (a collapsed group's header stops
    the cursor, so ``enter`` can open it again) and never onto the "… more" line."""

    BATCH = 24
    """Past this many changed cells, write them all and repaint the table once."""

    def put_cells(self, changes: list[tuple[str, str, Text]]) -> None:
        """Update many cells; repaint per cell when few change (fewer bytes on a slow link),
        else once for all (``refresh_coordinate`` per cell costs O(rows) each)."""
        if len(changes) <= self.BATCH:
            for row_key, column_key, value in changes:
                self.set_cell(row_key, column_key, value)
            return
        for row_key, column_key, value in changes:
            column = self.columns.get(ColumnKey(column_key))
            if column is None or (column.auto_width and value.cell_len > column.content_width):
                self.update_cell(row_key, column_key, value, update_width=True)
            else:
                self._data[RowKey(row_key)][ColumnKey(column_key)] = value
        self._update_count += 1  # invalidates the table's render caches
        self.refresh()

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        panel = self.parent
        if not hasattr(panel, "next_stop"):  # the Alerts panel knows where its rows stop
            return super().action_cursor_down() if step > 0 else super().action_cursor_up()
        row = panel.next_stop(self.cursor_row, step)
        if row is not None:
            self._set_hover_cursor(False)
            self.move_cursor(row=row, animate=False)
