"""The one place where cockpit leans on how Textual behaves beyond its documented contract.

Everything else uses Textual's public API, and so does what is here (no private attribute is
read, written, called or overridden), but it relies on details an upgrade could change;
``tests/test_textual_compat.py`` pins each one, so a Textual release that changes them fails
there first, by name. ``textual`` is pinned to the minor version those tests ran against
(pyproject.toml).

* :class:`CellTable`: a ``DataTable`` whose cell updates repaint that cell only. Relies on
  ``DataTable.update_cell`` asking for its repaint with a plain ``refresh()`` (no region).
  And on this: when a layout resizes a widget, Textual marks the widget's *old* area for a
  repaint that stays pending until the widget's next repaint, however small (so the first age
  tick after the Alerts panel grew rewrote the column header and the first row whole, bench
  row 2). ``CellTable`` asks for its whole repaint when it is resized (``on_resize``), which
  takes that mark along; it costs nothing because the panel around the table is resized too,
  and Textual repaints a resized container's whole area in a second pass in which the
  table's repaint is drawn.
* :func:`park_hover_cursor`: after the keyboard moves the cursor, the faint mouse-hover
  highlight must not stay behind. Relies on the cursor's style being drawn over the hover's.
* :func:`terminal_driver`: a driver class that lets the app write one escape sequence (OSC 9)
  to the terminal. Relies on ``App.driver_class`` being the class Textual instantiates, with the
  app as its first argument, for a non-headless run.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.driver import Driver
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

__all__ = ["CellTable", "park_hover_cursor", "terminal_driver"]


class CellTable(DataTable):
    """A DataTable with :meth:`set_cell` (repaint one cell) and :meth:`put_cells` (many, once)."""

    BATCH = 24
    """Past this many changed cells, :meth:`put_cells` repaints the table once instead."""

    _cells_pending = False
    """True while cells are written: the full-table repaint ``update_cell`` asks for is held."""

    def refresh(self, *regions: Any, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Any:
        if self._cells_pending and not regions and not layout and not recompose:
            return self  # update_cell's whole-table repaint: the caller repaints what changed
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def on_resize(self, event: events.Resize) -> None:
        """Repaint the whole table after a layout resized it.

        Textual marks the table's old area for a repaint when a layout resizes it, after the
        layout has painted the table's new area, and the mark waits for the table's next repaint:
        the first age tick after the Alerts panel grew with its first alerts rewrote the column
        header and the first row whole (~600 B). A whole repaint asked for now replaces that mark,
        and the panel's own second-pass repaint (its size changed too) draws it in the same frame.
        """
        self.refresh()

    def _needs_width(self, column_key: str, value: Text) -> bool:
        column = self.columns.get(ColumnKey(column_key))
        return column is None or (column.auto_width and value.cell_len > column.content_width)

    def _write(self, changes: Iterable[tuple[str, str, Text]]) -> None:
        """Store cells without repainting (a cell that widens its column is measured again)."""
        self._cells_pending = True
        try:
            for row_key, column_key, value in changes:
                self.update_cell(row_key, column_key, value, update_width=self._needs_width(column_key, value))
        finally:
            self._cells_pending = False

    def set_cell(self, row_key: str, column_key: str, value: Text) -> None:
        """Like ``update_cell``, but repaint only that cell when the column need not widen.

        ``update_cell`` repaints the whole table; an age ticking from 3m to 4m should cost
        a few bytes on a slow link, not a redraw of every row.
        """
        if self._needs_width(column_key, value):
            self.update_cell(row_key, column_key, value, update_width=True)
            return
        self._write([(row_key, column_key, value)])
        self.refresh_coordinate(Coordinate(self.get_row_index(row_key), self.get_column_index(column_key)))

    def put_cells(self, changes: list[tuple[str, str, Text]]) -> None:
        """Update many cells; repaint per cell when few change (fewer bytes on a slow link),
        else once for all (``refresh_coordinate`` per cell costs O(rows) each)."""
        if len(changes) <= self.BATCH:
            for row_key, column_key, value in changes:
                self.set_cell(row_key, column_key, value)
            return
        self._write(changes)
        self.refresh()


def park_hover_cursor(table: DataTable) -> None:
    """Hide the mouse-hover highlight after a keyboard move, as ``DataTable``'s own cursor
    actions do: the hover is put on the cursor's cell, where the cursor's style covers it.
    The next mouse move puts it back under the pointer."""
    table.hover_coordinate = table.cursor_coordinate


def terminal_driver(base: type[Driver], on_start: Callable[[Driver], None]) -> type[Driver]:
    """A subclass of ``base`` (the platform's driver) that hands itself to ``on_start`` when the
    app creates it, so the app can write a sequence Textual has no API for (OSC 9)."""

    class TerminalDriver(base):  # type: ignore[valid-type, misc]
        def __init__(self, app: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(app, *args, **kwargs)
            on_start(self)

    TerminalDriver.__name__ = TerminalDriver.__qualname__ = f"Terminal{base.__name__}"
    return TerminalDriver
