"""The Alerts panel: alerts grouped and ordered by urgency, filterable, with "new" markers.

Rows: a header per group (``▼ critical · HighErrorRate (3)``; a group of one alert whose
group labels are already columns of its row gets none), then the group's alerts, most severe
first, firing before pending before suppressed, newest first. States are told apart by a
symbol and a word (never colour alone). The ``/`` filter takes free text or Alertmanager
matchers (``severity=critical, service=~"check.*"``); an invalid matcher is named in the panel
header and matches nothing.

Scale: the sorting and grouping happen once per refresh and the filter is a pass over
precomputed strings (:mod:`cockpit.widgets.alert_groups`); the table only ever holds the first
:data:`~cockpit.widgets.alert_groups.MAX_ROWS` rows plus a "… N more, refine the filter" line, and the
base panel leaves the table alone when the rows and their text did not change.

"New": an alert that arrived since the cockpit started carries ``✱`` in a column of its own
until the user has seen its row: the cursor rested on it with the panel focused, or its details
were opened (:mod:`cockpit.widgets.new_rows`); tabbing through the panel clears nothing. The
header counts the alerts still marked (``3 new``). The first data of each source counts as
seen, and so never rings: only a critical alert that starts firing after that posts
:class:`AlertsPanel.NewCritical` (once per alert, at most once per cooldown), for the app to
ring the bell and send a desktop notification.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Iterable

from rich.text import Text
from textual.message import Message

from cockpit.core.durations import parse_duration
from cockpit.core.heap import HeapKeeper
from cockpit.core.models import Alert, AlertState, SourceKind, SourceState
from cockpit.widgets.alert_groups import (
    MAX_ROWS,
    AlertView,
    Filtered,
    Group,
    alert_key,
    field_order,
    layout_rows,
    notification_text,
)
from cockpit.widgets.alert_arrivals import CriticalArrivals
from cockpit.widgets.alert_cells import STATE_MARKS, STATE_WIDTH, AlertCells
from cockpit.widgets.alerts_table import AlertsTable
from cockpit.widgets.new_rows import NEW_MARK, NewRows, new_column
from cockpit.widgets.panel import ColumnSpec, Panel

__all__ = ["NEW_MARK", "STATE_MARKS", "AlertsPanel", "AlertsTable"]

LARGE_REFRESH = 2000
"""A refresh bringing at least this many alerts is followed by a full garbage collection."""

class AlertsPanel(AlertCells, NewRows, Panel[Alert]):
    """Every alert of every alerts source, grouped, most urgent first."""

    KIND = SourceKind.ALERTS
    ITEM_TYPE = "alert"
    TITLE = "Alerts"
    AGE_COLUMN = ("age", "starts_at")
    TABLE_CLASS = AlertsTable
    COLUMNS = (
        # The age first: the one cell that changes with the clock sits at the panel's left edge,
        # where Textual starts rewriting a line, so an age turning a minute costs its own cell
        # (about 25 bytes) instead of the row up to it (bench row 2).
        ColumnSpec("age", "Age", 0, reserve=5),
        # Widths that stay put when alerts arrive: the severity and state columns are as wide as
        # their widest words from the start, the "new" marker has a column of its own, and the
        # name and service columns keep room for common names (26 cells hold half of the
        # kube-prometheus alert names and every demo one), so only a longer one widens them.
        ColumnSpec("severity", "Sev", 0, reserve=len("critical")),
        ColumnSpec("state", "State", 0, reserve=STATE_WIDTH),
        new_column(0),
        ColumnSpec("name", "Alert", 0, min_width=12, max_width=40, reserve=26),
        ColumnSpec("service", "Service", 2, min_width=8, max_width=20, reserve=10),
        ColumnSpec("summary", "Summary", 3, min_width=12),
    )

    class NewCritical(Message):
        """Critical alerts started firing since the last refresh (not on the first data).

        Posted once per alert, and not again before the cooldown has passed; never when
        ``bell_on_critical`` is off.
        """

        def __init__(self, panel: AlertsPanel, alerts: list[Alert], text: str) -> None:
            super().__init__()
            self.panel = panel
            """The panel that saw them."""
            self.alerts = alerts
            """The new critical alerts, most urgent first."""
            self.text = text
            """One clean line for a desktop notification (no escape or control characters)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group_by: list[str] = ["severity", "alertname"]
        """Labels the rows are grouped by, outermost first (``[cockpit] alert_group_by``)."""
        self.bell_on_critical = True
        """Whether a new critical alert posts :class:`NewCritical` (``[cockpit]`` setting)."""
        self.notify_cooldown_s = 300.0
        """Least seconds between two :class:`NewCritical` messages."""
        self.max_rows = MAX_ROWS
        """Table rows drawn at most; the rest is counted on a "… more" line."""
        self._view = AlertView([], self.group_by)
        self._result = Filtered([], 0)
        self._counted_items: list[Alert] | None = None
        self._counts: dict[AlertState, int] = {}
        self._new_count = 0
        """How many alerts are marked new (counted with the states)."""
        self._collapsed: set[str] = set()
        self._groups: dict[str, tuple[Group, bool]] = {}
        self._looked: set[str] = set()
        self._arrivals = CriticalArrivals(self._looked)
        self._notified_at: datetime | None = None
        self._drawn_rows: list[list[Text]] = []
        self._collected_for: tuple[int, ...] = ()
        self._hold_rows = False
        self.hide_suppressed = False
        """``H``: silenced and inhibited alerts are left out of the rows (the header counts them)."""
        self._heap = HeapKeeper()

    def hold_row_count(self, hold: bool) -> None:
        """While the filter is being typed, keep the table's row count (blank rows pad it).

        A change in the number of rows changes the table's virtual size, which lays out the
        whole screen and repaints in a second frame: with thousands of alerts, that doubled
        the latency of the keystrokes that narrowed or widened the rows. The padding rows are
        blank, the cursor never stops on them, and they go when the filter input closes.
        """
        if hold != self._hold_rows:
            self._hold_rows = hold
            if not hold:
                self._render_all()

    def configure(
        self,
        *,
        group_by: Iterable[str] | None = None,
        bell_on_critical: bool | None = None,
        notify_cooldown: str | float | None = None,
    ) -> None:
        """Apply the settings the app read from the config's ``[cockpit]`` section
        (``alert_group_by``, ``bell_on_critical``, ``notify_cooldown``); None keeps the default."""
        if group_by is None and bell_on_critical is None and notify_cooldown is None:
            return
        if group_by is not None:
            self.group_by = [str(label) for label in group_by]
        if bell_on_critical is not None:
            self.bell_on_critical = bool(bell_on_critical)
        cooldown = self.notify_cooldown_s if notify_cooldown is None else notify_cooldown
        try:
            self.notify_cooldown_s = parse_duration(cooldown)
        except ValueError:
            pass  # the config validates it; keep the default rather than fail the UI
        self._items = self.sort_items(self._items)
        self._render_all()

    # ----- data -----------------------------------------------------------------------
    def set_states(self, states: Iterable[SourceState], now: datetime | None = None) -> None:
        states = list(states)
        if now is not None:
            self._now = now
        fresh = self._arrivals.fresh(states)
        super().set_states(states, now)
        # an alert that resolved and fires again is new again
        self._looked.intersection_update(alert_key(a) for a in self._items)
        if self._view.alerts and self.is_mounted:
            self.call_after_refresh(self._view.prepare)  # the filter's search text, while idle
        if fresh:
            self._announce(fresh)
        self._collect_after_large_refresh(states)

    def _collect_after_large_refresh(self, states: list[SourceState]) -> None:
        """After a poll replaced thousands of alerts, collect garbage right after the repaint
        (see :class:`cockpit.core.heap.HeapKeeper`): once per new list, never on a mere tick."""
        lists = tuple(id(s.items) for s in states if s.kind == self.KIND)
        if lists == self._collected_for:
            return
        self._collected_for = lists
        if len(self._items) >= LARGE_REFRESH:
            self.call_after_refresh(self._heap.collect_and_freeze)

    def _announce(self, fresh: list[Alert]) -> None:
        if not self.bell_on_critical:
            return
        last = self._notified_at
        if last is not None and (self._now - last).total_seconds() < self.notify_cooldown_s:
            return
        self._notified_at = self._now
        fresh.sort(key=lambda a: a.starts_at.timestamp() if a.starts_at else 0.0, reverse=True)
        self.post_message(self.NewCritical(self, fresh, notification_text(fresh)))

    def sort_items(self, items: list[Alert]) -> list[Alert]:
        self._view = AlertView(items, self.group_by)
        return [alert for group in self._view.groups for alert in group.alerts]

    # ----- "new" until seen (see cockpit.widgets.new_rows) -----------------------------
    def see(self, item: Alert) -> None:
        """The user has seen this alert's row: its marker goes, the header counts one less."""
        self._looked.add(alert_key(item))  # the arrivals tracker shares this set
        self._counted_items = None  # the header's "N new" is counted again
        self._render_all()

    def is_new(self, alert: Alert) -> bool:
        """Whether the alert arrived after the first data and its row has not been seen."""
        return alert_key(alert) not in self._looked

    # ----- rows -----------------------------------------------------------------------
    def item_key(self, item: Alert) -> str:
        return alert_key(item)

    def sort_value(self, item: Alert, cells) -> tuple:
        """Alerts sort by their fields (not their cells: most are not drawn)."""
        return field_order(item, self.sort_column) or super().sort_value(item, cells)

    def _rows(self) -> list[tuple[str, Alert | None, list[Text]]]:  # type: ignore[override]
        """Only the drawn window: group headers, alert rows, and the "… more" line."""
        self._result = self._view.filtered(self.filter_text)
        if self.hide_suppressed:
            self._result = self._view.unsuppressed(self._result)
        if self.sort_column is not None:  # sorted within each group; the groups keep their order
            self._result = replace(self._result, groups=[
                replace(g, alerts=sorted(g.alerts, key=lambda a: self.sort_value(a, ())))
                for g in self._result.groups])
        self._groups = {}
        rows: list[tuple[str, Alert | None, list[Text]]] = []
        self._next_cache = {}
        for kind, key, obj in layout_rows(self._result, self._collapsed, self.max_rows):
            if kind == "alert":
                assert isinstance(obj, Alert)
                # the cache key carries the marker, so the cells are rebuilt when it changes
                cells = self._cells(key + ("|new" if self.is_new(obj) else ""), obj)
                rows.append((key, obj, cells))
            elif kind == "group":
                assert isinstance(obj, Group)
                collapsed = key in self._collapsed
                self._groups[key] = (obj, collapsed)
                rows.append((key, None, self._group_cells(obj, collapsed)))
            else:
                rows.append((key, None, self._more_cells(int(obj))))  # type: ignore[call-overload]
        self._cache, self._next_cache = self._next_cache, {}
        return rows

    def _render_all(self, force: bool = False) -> None:
        """Draw the window of rows into the table, touching only the cells that changed.

        Table rows are keyed by position (``r0``, ``r1``, ...), so a filter keystroke or a
        refresh that reorders alerts rewrites cells in place instead of clearing the table and
        measuring every row again; rows are only appended or dropped at the end. The cursor
        follows the alert (or the header) it was on.
        """
        if not self.is_mounted:
            return
        table = self.table
        assert isinstance(table, AlertsTable)
        if force:
            self._cache = {}
        before = self._cursor_key()
        index = table.cursor_row
        rows = self._rows()
        real = len(rows)
        if self._hold_rows and len(rows) < table.row_count:
            blank = [Text("") for _column in self.COLUMNS]
            rows += [(f"pad:{n}", None, blank) for n in range(len(rows), table.row_count)]
        if not rows and table.row_count:
            table.clear()
        # Not while the filter is typed: each keystroke would lay the columns out again and
        # redraw every row (bench row 4b); they are fitted when the filter input closes.
        if not self._hold_rows and self.fit_layout([cells for _key, _item, cells in rows]):
            self._drawn_rows = []  # the columns changed and the table was cleared
        drawn = self._drawn_rows
        column_keys = [spec.key for spec in self.COLUMNS]
        changes: list[tuple[str, str, Text]] = []
        for position, (_key, _item, cells) in enumerate(rows):
            row_key = f"r{position}"
            if position >= table.row_count:
                table.add_cells(cells, key=row_key)
                continue
            old_cells = drawn[position] if position < len(drawn) else None
            if old_cells is cells:
                continue
            for column, old, new in zip(column_keys, old_cells or [None] * len(cells), cells):
                if old is new or (old is not None and old.plain == new.plain
                                  and old.style == new.style and old.spans == new.spans):
                    continue
                changes.append((row_key, column, new))
        table.put_cells(changes)
        for position in range(table.row_count - 1, len(rows) - 1, -1):
            table.remove_row(f"r{position}")
        self._drawn_rows = [cells for _key, _item, cells in rows]
        self._shown = [(key, item) for key, item, _cells in rows]
        keys = [key for key, _item, _cells in rows]
        if before in keys:
            index = keys.index(before)
        if rows:
            table.move_cursor(row=min(max(index, 0), len(rows) - 1), animate=False)
            if before not in self._groups:  # a header the user chose (mouse, collapse) stays
                self._snap_to_alert()
        table.show_cursor = real > 0  # not on a blank padding row when nothing matches
        self._refresh_header()
        self.cursor_drawn()

    def _stops(self, row: int) -> bool:
        """Whether ``j``/``k`` stop at a row: an alert, or a collapsed group's header."""
        key, item = self._shown[row]
        return item is not None or (key in self._groups and self._groups[key][1])

    def next_stop(self, row: int, step: int) -> int | None:
        """The next row from ``row`` in direction ``step`` where the cursor stops, if any."""
        row += step
        while 0 <= row < len(self._shown):
            if self._stops(row):
                return row
            row += step
        return None

    def _snap_to_alert(self) -> None:
        row = self.table.cursor_row
        if not self._shown or (0 <= row < len(self._shown) and self._stops(row)):
            return
        target = self.next_stop(row, 1)
        if target is None:
            target = self.next_stop(min(row, len(self._shown)), -1)
        if target is not None:
            self.table.move_cursor(row=target, animate=False)

    # ----- what the header and the app read -------------------------------------------
    def shown_count(self) -> int:
        return self._result.count

    @property
    def visible_items(self) -> list[Alert]:
        """The alerts drawn, in order (group headers and the "… more" line left out)."""
        return [item for _key, item in self._shown if item is not None]

    def selected_alerts(self) -> list[Alert]:
        """The alert under the cursor, or every alert of the group whose header it is on."""
        key = self._cursor_key()
        if key is not None and key in self._groups:
            return list(self._groups[key][0].alerts)
        item = self.selected_item
        return [item] if isinstance(item, Alert) else []

    @property
    def groups(self) -> list[Group]:
        """The groups after the filter, in order."""
        return list(self._result.groups)

    def toggle_suppressed(self) -> None:
        """``H``: hide or show the silenced and inhibited alerts."""
        self.hide_suppressed = not self.hide_suppressed
        self._render_all()

    def header_text(self) -> Text:
        text = super().header_text()
        if self._result.error:
            text.append(" · ")
            text.append(f"bad matcher: {self._result.error}", style=self.cell_style("error"))
        return text

    def request_details(self) -> None:
        """``enter``: details of the selected alert; on a group header, fold or unfold it."""
        key = self._cursor_key()
        if key is not None and key in self._groups:
            self._collapsed.symmetric_difference_update({key})
            self._render_all()
            return
        super().request_details()

