"""The shared base of the five panels: a header line and a table of items.

A panel is given :class:`~cockpit.core.models.SourceState` objects (every source of its kind; their
items are merged) and a clock reading; it never fetches anything. The header says what an
on-call engineer needs before trusting the rows: how many items, how old the data is, and
whether the source is ``STALE`` or in ``ERROR`` (in words, not only colour). The last good data
stays on screen whatever the status.

Repaints are kept small for slow links: when a refresh brings the same rows in the same order
only the cells whose text changed are updated, and the header is only rewritten when its text
changes. The selection follows the item (by :meth:`Panel.item_key`), not the row number.
The header line is drawn by :class:`cockpit.widgets.panel_header.PanelHeader`, a mixin.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Generic, Iterable, Sequence, TypeVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from cockpit.core.durations import format_coarse, format_duration
from cockpit.core.models import SourceKind, SourceState, utcnow
from cockpit.core.textsafe import clean_line
from cockpit.themes import THEMES, cell_styles
from cockpit.widgets.columns import SORT_MARK, ColumnSpec, cell_order, fit_columns, natural_widths, next_sort
from cockpit.widgets.panel_header import PanelHeader, worst_status
from cockpit.widgets.panel_table import PanelTable

__all__ = ["ColumnSpec", "Panel", "PanelTable", "age_text", "plain", "worst_status"]

T = TypeVar("T")


def plain(value: object, max_len: int = 200, style: Style | str = "") -> Text:
    """Untrusted text as an inert one-line Rich Text (never parsed as markup)."""
    return Text(clean_line(value, max_len=max_len) if value is not None else "", style=style)


def age_text(when: datetime | None, now: datetime, coarse: bool = False) -> str:
    """Compact age of a timestamp (``45s``, ``3m``, ``2h05m``), ``-`` when unknown.

    ``coarse`` (low-bandwidth mode): ``<1m``, 5-minute steps, hours, days.
    """
    if when is None:
        return "-"
    seconds = (now - when).total_seconds()
    return format_coarse(seconds) if coarse else format_duration(seconds)


class Panel(PanelHeader, Vertical, Generic[T]):
    """Base panel: subclasses set the class variables and the four item hooks."""

    KIND: ClassVar[SourceKind]
    ITEM_TYPE: ClassVar[str]
    """The ``item_type`` of the models this panel shows."""
    TITLE: ClassVar[str]
    number: int = 0
    """The key that focuses the panel, shown in its header (0: none); the screen that lays the
    panels out sets it."""
    COLUMNS: ClassVar[Sequence[ColumnSpec]]
    """Every column, with its priority and minimum width (see :mod:`cockpit.widgets.columns`)."""
    AGE_COLUMN: ClassVar[tuple[str, str] | None] = None
    coarse_ages: bool = False
    """Low-bandwidth mode: ages in 5-minute steps, so age cells repaint rarely."""
    """(column key, datetime attribute) of the one cell that changes with the clock."""
    TABLE_CLASS: ClassVar[type[PanelTable]] = PanelTable
    """The table widget class (a subclass can change how the cursor moves)."""
    ALLOW_MAXIMIZE = True

    filter_text: reactive[str] = reactive("", init=False, repaint=False)
    """Case-insensitive text the visible rows must contain (empty: no filter).

    No repaint of its own: the watcher redraws the header and only the cells that changed
    (a repaint of the panel would rewrite every row of it on every keystroke)."""

    class DetailsRequested(Message):
        """The user asked for every field of the selected item (``enter``)."""

        def __init__(self, panel: Panel, item: object) -> None:
            super().__init__()
            self.panel = panel
            """The panel the item is in."""
            self.item = item
            """The selected model (an Alert, Slo, Deploy, Pipeline or RunbookDoc)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or self.KIND.value, classes=classes)
        self._states: dict[str, SourceState] = {}
        self._items: list[T] = []
        self._shown: list[tuple[str, T]] = []
        self._now: datetime = utcnow()
        self._header_text = ""
        self._cache: dict[str, tuple[T, list[Text]]] = {}
        self._next_cache: dict[str, tuple[T, list[Text]]] = {}
        self._drawn: dict[str, list[Text]] = {}
        self._column_index = {spec.key: i for i, spec in enumerate(self.COLUMNS)}
        self._layout: tuple[tuple[str, ...], dict[str, int]] | None = None
        self._widest: tuple[int, dict[str, int]] = (0, {})
        """The panel width and, per column, the widest cell held at that width."""
        self.sort_column: str | None = None
        """The column the rows are sorted by (None: the panel's own order)."""
        self._styles = cell_styles(THEMES["dark"])
        self.add_class("panel")

    # ----- hooks for subclasses -------------------------------------------------------
    def item_key(self, item: T) -> str:
        """A key that survives refreshes (e.g. source and alert fingerprint)."""
        raise NotImplementedError

    def row_cells(self, item: T, now: datetime) -> list[Text]:
        """The cells of one row, in COLUMNS order, as inert Text."""
        raise NotImplementedError

    def sort_items(self, items: list[T]) -> list[T]:
        """The order rows are shown in."""
        return items

    def keep_item(self, item: T) -> bool:
        """Whether an item of this kind belongs in the panel at all (e.g. not a passed pipeline)."""
        return True

    def matches_filter(self, item: T, cells: list[Text], text: str) -> bool:
        """Whether a row passes the filter; default: substring of the visible cells."""
        needle = text.casefold()
        return any(needle in cell.plain.casefold() for cell in cells)

    # ----- composition ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Text(self.TITLE), classes="panel-header", markup=False)
        table = self.TABLE_CLASS(cursor_type="row", zebra_stripes=False, id=f"{self.KIND.value}-table")
        for spec in self.columns():
            table.add_column(self.column_label(spec), key=spec.key)
        yield table

    # ----- columns --------------------------------------------------------------------
    def columns(self) -> Sequence[ColumnSpec]:
        """The columns in force (a panel may switch sets, e.g. Runbooks while searching)."""
        return self.COLUMNS

    def column_label(self, spec: ColumnSpec) -> Text:
        """The header cell of a column (``Age ▲`` for the column the rows are sorted by)."""
        return Text(spec.label + (SORT_MARK if spec.key == self.sort_column else ""))

    def cycle_sort(self) -> str | None:
        """Sort by the next sortable column on screen; after the last, the panel's own order.
        Returns the column now sorted by (None: the panel's own order)."""
        self.sort_column = next_sort(self.columns(), list(self.table.widths), self.sort_column)
        self._render_all()
        return self.sort_column

    def sort_value(self, item: T, cells: Sequence[Text]) -> tuple:
        """The key rows are sorted by when a column is chosen: its age (newest first) for the
        age column, else the cell's value (see :func:`cockpit.widgets.columns.cell_order`)."""
        if self.AGE_COLUMN is not None and self.sort_column == self.AGE_COLUMN[0]:
            when = getattr(item, self.AGE_COLUMN[1], None)
            return (0, -when.timestamp(), "") if when is not None else (2, 0.0, "")
        index = self._column_index.get(self.sort_column or "", 0)
        return cell_order(cells[index].plain if index < len(cells) else "")

    def fit_layout(self, rows: Sequence[Sequence[Text]]) -> bool:
        """Choose the columns that fit the table's width for these rows' cells.

        Returns True when the columns changed (the table was cleared: every row must be added
        again). Nothing changes while the width is unknown or the choice is the same.

        Widths stay put: a column is as wide as the widest cell it has held at this panel
        width, so rows that leave (a resolved alert, a filter) never narrow it and move the
        columns after it; it narrows back when the panel's width changes.
        """
        table = self.table
        available = table.scrollable_content_region.width or table.size.width
        if available <= 0:
            return False
        specs = self.columns()
        labels = {s.key: self.column_label(s) for s in specs}
        natural = natural_widths(specs, rows, {key: label.cell_len for key, label in labels.items()})
        if available != self._widest[0]:
            self._widest = (available, {})
        widest = self._widest[1]
        for key, width in natural.items():
            natural[key] = widest[key] = max(width, widest.get(key, 0))
        widths = fit_columns(specs, natural, available)
        layout = (tuple(labels[s.key].plain for s in specs), widths)
        if layout == self._layout:
            return False
        self._layout = layout
        table.set_layout(specs, widths, labels)
        return True

    def on_resize(self) -> None:
        self._render_all()

    @property
    def table(self) -> PanelTable:
        return self.query_one(PanelTable)

    @property
    def header(self) -> Static:
        return self.query_one(".panel-header", Static)

    def on_mount(self) -> None:
        self._render_all()

    # ----- what the app calls ---------------------------------------------------------
    def set_states(self, states: Iterable[SourceState], now: datetime | None = None) -> None:
        """Show the items of this panel's type from every source, merged.

        A source counts for the header (status, age) when it is of the panel's kind or
        brings items of its type (the demo source feeds every panel).
        """
        self._states = {}
        items: list[T] = []
        for state in states:
            mine = [i for i in state.items if getattr(i, "item_type", None) == self.ITEM_TYPE]
            if state.kind == self.KIND or mine:
                self._states[state.name] = state
            items.extend(i for i in mine if self.keep_item(i))  # type: ignore[misc]
        self._items = self.sort_items(items)
        if now is not None:
            self._now = now
        self._render_all()

    def tick(self, now: datetime) -> None:
        """Advance the clock: header ages and age cells, only where the text changes."""
        self._now = now
        self._render_all()

    def set_theme(self, theme_name: str) -> None:
        """Recolour the cells for the theme in force."""
        theme = THEMES.get(theme_name) or (self.app.get_theme(theme_name) if self.is_attached else None)
        if theme is not None:
            self._styles = cell_styles(theme)
            self._render_all(force=True)

    def cell_style(self, role: str) -> Style:
        """The Rich style of a semantic role (error, warning, success, info, muted, accent)."""
        return self._styles.get(role, Style())

    @property
    def states(self) -> list[SourceState]:
        return list(self._states.values())

    @property
    def items(self) -> list[T]:
        """Every merged item, before the filter."""
        return list(self._items)

    @property
    def visible_items(self) -> list[T]:
        """The items shown, in order, after the filter."""
        return [item for _key, item in self._shown]

    @property
    def selected_item(self) -> T | None:
        if not self._shown or not self.is_mounted:
            return None
        row = self.table.cursor_row
        if 0 <= row < len(self._shown):
            return self._shown[row][1]
        return None

    @property
    def has_source(self) -> bool:
        """Whether any source feeds this panel (one of its kind, or one bringing its items)."""
        return bool(self._states)

    def wanted_lines(self) -> int:
        """Lines the panel needs to show every row: its header, the column header, the rows."""
        return 2 + max(1, len(self._shown))

    def shown_count(self) -> int:
        """How many items pass the filter (the header's ``shown/total``)."""
        return len(self._shown)

    def select_key(self, key: str) -> bool:
        """Move the cursor to the item with this key; False when it is not shown."""
        for index, (row_key, _item) in enumerate(self._shown):
            if row_key == key:
                self.table.move_cursor(row=index, animate=False)
                return True
        return False

    def request_details(self) -> None:
        item = self.selected_item
        if item is not None:
            self.post_message(self.DetailsRequested(self, item))

    def watch_filter_text(self) -> None:
        self._render_all()

    # ----- rendering ------------------------------------------------------------------
    def _cells(self, key: str, item: T) -> list[Text]:
        """Row cells, reused while the item is unchanged; only the age cell follows the clock."""
        cached = self._cache.get(key)
        if cached is not None and (cached[0] is item or cached[0] == item):
            cells = cached[1]
        else:
            cells = self.row_cells(item, self._now)
        if self.AGE_COLUMN is not None:
            column, attribute = self.AGE_COLUMN
            index = self._column_index[column]
            age = age_text(getattr(item, attribute), self._now, self.coarse_ages)
            if cells[index].plain != age:
                cells = list(cells)
                cells[index] = Text(age)
        self._next_cache[key] = (item, cells)
        return cells

    def _rows(self) -> list[tuple[str, T, list[Text]]]:
        rows = []
        self._next_cache = {}
        for item in self._items:
            key = self.item_key(item)
            if key in self._next_cache:  # a duplicate key would break the table; keep the first
                continue
            cells = self._cells(key, item)
            if self.filter_text and not self.matches_filter(item, cells, self.filter_text):
                continue
            rows.append((key, item, cells))
        self._cache, self._next_cache = self._next_cache, {}
        if self.sort_column is not None:
            rows.sort(key=lambda row: self.sort_value(row[1], row[2]))
        return rows

    def _render_all(self, force: bool = False) -> None:
        if not self.is_mounted:
            return
        table = self.table
        if force:
            self._cache = {}
        rows = self._rows()
        old_keys = [key for key, _item in self._shown]
        new_keys = [key for key, _item, _cells in rows]
        selected = old_keys[table.cursor_row] if 0 <= table.cursor_row < len(old_keys) else None
        column_keys = [spec.key for spec in self.columns()]
        if self.fit_layout([cells for _key, _item, cells in rows]):
            old_keys = []  # the table was cleared
        if new_keys == old_keys and not force:
            for key, _item, cells in rows:
                previous = self._drawn.get(key)
                if previous is cells:
                    continue
                for column, old, new in zip(column_keys, previous or [None] * len(cells), cells):
                    if old is new:
                        continue
                    if old is None or old.plain != new.plain or old.spans != new.spans:
                        table.set_cell(key, column, new)
        else:
            index = table.cursor_row
            table.clear()
            for key, _item, cells in rows:
                table.add_cells(cells, key=key)
            if selected in new_keys:
                index = new_keys.index(selected)
            if rows:
                table.move_cursor(row=min(max(index, 0), len(rows) - 1), animate=False)
        self._drawn = {key: cells for key, _item, cells in rows}
        self._shown = [(key, item) for key, item, _cells in rows]
        self._refresh_header()
        self.cursor_drawn()

    def cursor_drawn(self) -> None:
        """Called after each draw, the cursor in place (see :class:`cockpit.widgets.new_rows.NewRows`)."""
