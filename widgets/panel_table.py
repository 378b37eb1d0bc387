"""The focusable table inside a panel: it shows the columns that fit (see
:mod:`cockpit.widgets.columns`) and repaints single cells where it can (see
:class:`cockpit.widgets.textual_compat.CellTable`)."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.binding import Binding

from cockpit.widgets.columns import ColumnSpec, fit_cell
from cockpit.widgets.textual_compat import CellTable

__all__ = ["PanelTable"]


class PanelTable(CellTable):
    """The focusable table inside a panel; ``j``/``k``/``enter``/``g``/``G`` live here
    (remappable by id; :mod:`cockpit.ui.keys` lists them from here).

    The panel gives it every cell of a row; it keeps the columns that fit (see
    :meth:`Panel.fit_layout`) and shortens text cells to their column with an ellipsis.
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Move down (also the arrow keys)", id="cursor-down"),
        Binding("k", "cursor_up", "Move up (also the arrow keys)", id="cursor-up"),
        Binding("enter", "details", "Details of the selected item", id="details"),
        Binding("g", "first", "First row", id="first"),
        Binding("G", "last", "Last row", id="last"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.all_keys: list[str] = []
        """Every column key of the panel, in the order the panel gives cells."""
        self.widths: dict[str, int] = {}
        """The visible columns and their widths (empty: every column, fit to content)."""
        self.keep_match: set[str] = set()
        """Columns whose cuts keep the first match in view."""

    def set_layout(self, specs: Sequence[ColumnSpec], widths: dict[str, int], labels: dict[str, Text]) -> None:
        """Replace the columns: ``widths`` names the visible ones (rows are cleared)."""
        all_keys = [spec.key for spec in specs]
        self.all_keys, self.widths = all_keys, dict(widths)
        self.keep_match = {spec.key for spec in specs if spec.keep_match}
        self.clear(columns=True)
        for key in all_keys:
            if not widths or key in widths:
                self.add_column(labels[key], width=widths.get(key), key=key)

    def _fit(self, column_key: str, value: Text) -> Text:
        width = self.widths.get(column_key)
        return value if width is None else fit_cell(value, width, column_key in self.keep_match)

    def add_cells(self, cells: Sequence[Text], key: str) -> None:
        """Add a row from every cell of the panel's columns (hidden ones are left out)."""
        if not self.widths:
            self.add_row(*cells, key=key)
            return
        self.add_row(*(self._fit(k, c) for k, c in zip(self.all_keys, cells) if k in self.widths), key=key)

    def set_cell(self, row_key: str, column_key: str, value: Text) -> None:
        """As :meth:`CellTable.set_cell` (repaint that cell only); a hidden column is skipped
        and text is shortened to its column."""
        if self.widths:
            if column_key not in self.widths:
                return
            value = self._fit(column_key, value)
        super().set_cell(row_key, column_key, value)

    def put_cells(self, changes: list[tuple[str, str, Text]]) -> None:
        """As :meth:`CellTable.put_cells`, for the visible columns, text shortened to fit."""
        if self.widths:
            changes = [(row, column, self._fit(column, value)) for row, column, value in changes
                       if column in self.widths]
        super().put_cells(changes)

    def action_details(self) -> None:
        request = getattr(self.parent, "request_details", None)
        if request is not None:
            request()

    def action_first(self) -> None:
        """``g``: the first row where the cursor stops."""
        stop = getattr(self.parent, "next_stop", None)
        row = stop(-1, 1) if stop is not None else 0
        if row is not None and self.row_count:
            self.move_cursor(row=row, animate=False)

    def action_last(self) -> None:
        """``G``: the last row where the cursor stops."""
        stop = getattr(self.parent, "next_stop", None)
        row = stop(self.row_count, -1) if stop is not None else self.row_count - 1
        if row is not None and self.row_count:
            self.move_cursor(row=row, animate=False)
