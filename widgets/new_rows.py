"""Rows marked new until the user has seen them (the Alerts and Pipelines panels).

The marker is a column of its own, one cell wide (:func:`new_column`), so a row turning new or
seen never widens or moves another column; the panel header counts the rows still marked.

A row counts as seen when the cursor has rested on it for :data:`SEEN_AFTER_S` seconds while its
panel has the focus, or when its details are opened. Focusing a panel, or tabbing through it,
marks nothing; nor does the cursor passing over rows on its way to another (``j j j``): only the
row it stops on. What was seen is kept in memory, per panel.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.events import DescendantBlur, DescendantFocus
from textual.timer import Timer
from textual.widgets import DataTable

from cockpit.widgets.columns import ColumnSpec

__all__ = ["NEW_MARK", "SEEN_AFTER_S", "NewRows", "new_column"]

NEW_MARK = "✱"
"""The marker of a row the user has not seen yet (its column's header too)."""

SEEN_AFTER_S = 1.0
"""How long the cursor rests on a row, its panel focused, before the row counts as seen."""


def new_column(priority: int) -> ColumnSpec:
    """The marker column: one cell wide whatever the rows hold, not a sort key."""
    return ColumnSpec("new", NEW_MARK, priority, reserve=len(NEW_MARK), sortable=False)


class NewRows:
    """Mixed into a :class:`cockpit.widgets.panel.Panel` (before it): the marker cell, the
    cursor's rest and the opened details make a row seen. The panel says which items are new
    (:meth:`is_new`) and remembers what was seen (:meth:`see`)."""

    seen_after_s: float = SEEN_AFTER_S
    """Seconds the cursor rests on a row before it counts as seen."""
    _rest_timer: Timer | None = None
    _resting_on: str | None = None
    _shown: list[tuple[str, Any]]
    table: Any
    selected_item: Any
    cell_style: Any
    set_timer: Any

    def is_new(self, item: Any) -> bool:
        """Whether the row of this item carries the marker."""
        raise NotImplementedError

    def see(self, item: Any) -> None:
        """Remember the item as seen and redraw its marker and the header's count."""
        raise NotImplementedError

    def new_cell(self, item: Any) -> Text:
        """The marker column's cell of an item's row."""
        return Text(NEW_MARK, style=self.cell_style("accent")) if self.is_new(item) else Text("")

    def _cursor_key(self) -> str | None:
        """The key of the row under the cursor (a group row's too), None when there is none."""
        row = self.table.cursor_row
        return self._shown[row][0] if 0 <= row < len(self._shown) else None

    # ----- the cursor's rest ----------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._rest()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._rest()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self._stop_rest()

    def cursor_drawn(self) -> None:
        """After a redraw: a different row under the cursor (its alert resolved, the rows moved)
        starts a new rest; the same row keeps its rest going."""
        if self._cursor_key() != self._resting_on:
            self._rest()

    def _rest(self) -> None:
        """The cursor is on a row now: it counts as seen if it stays there, focused."""
        self._stop_rest()
        if self.table.has_focus:
            self._resting_on = self._cursor_key()
            self._rest_timer = self.set_timer(self.seen_after_s, self._rested, name="row-seen")

    def _stop_rest(self) -> None:
        if self._rest_timer is not None:
            self._rest_timer.stop()
        self._rest_timer = None
        self._resting_on = None

    def _rested(self) -> None:
        self._rest_timer = None
        if not self.table.has_focus or self._cursor_key() != self._resting_on:
            return
        item = self.selected_item
        if item is not None and self.is_new(item):
            self.see(item)

    # ----- details --------------------------------------------------------------------
    def request_details(self) -> None:
        """Opening an item's details is seeing it."""
        item = self.selected_item
        if item is not None and self.is_new(item):
            self.see(item)
        super().request_details()  # type: ignore[misc]
