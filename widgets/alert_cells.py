"""How the Alerts panel draws its rows and its header count: cells per alert, per group and for
the "… more" line, and the count of alerts per state. A mixin of :class:`AlertsPanel`, apart from
its behaviour (data, focus, filter, cursor), which lives in :mod:`cockpit.widgets.alerts`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from cockpit.core.models import WRITE_NOTE, Alert, AlertState
from cockpit.widgets.alert_groups import STATE_ORDER, SUPPRESSED, Group
from cockpit.widgets.columns import fit_cell
from cockpit.widgets.panel import age_text, plain

__all__ = ["STATE_MARKS", "STATE_WIDTH", "AlertCells"]

STATE_MARKS: dict[AlertState, str] = {
    AlertState.FIRING: "●",
    AlertState.PENDING: "◌",
    AlertState.SILENCED: "⊘",
    AlertState.INHIBITED: "⇣",
}
"""A symbol per state, shown beside the state's name (never colour alone)."""

STATE_WIDTH = max(len(f"{mark} {word}") for mark, word in
                  [*((m, s.value) for s, m in STATE_MARKS.items()), (STATE_MARKS[AlertState.SILENCED], "muted")])
"""The state column's width from the start (``⇣ inhibited``): a pending or silenced alert
arriving never widens it, and a group's summary (``●2 ◌1``) is cut to it."""


class AlertCells:
    """Row cells and header count of the Alerts panel (mixed into :class:`AlertsPanel`)."""

    _items: list[Alert]
    _counted_items: list[Alert] | None
    _counts: dict[AlertState, int]
    filter_text: str
    hide_suppressed: bool
    cell_style: Any
    is_new: Any
    new_cell: Any
    shown_count: Any

    def severity_style(self, alert: Alert):
        rank = alert.severity_rank
        if rank <= 1:
            return self.cell_style("error")
        if rank == 2:
            return self.cell_style("warning")
        return self.cell_style("info")

    def row_cells(self, item: Alert, now: datetime) -> list[Text]:
        state = AlertState(item.state)
        state_style = self.cell_style("muted") if state in (
            AlertState.SILENCED, AlertState.INHIBITED) else ""
        if state == AlertState.FIRING:
            state_style = self.severity_style(item)
        summary = plain(item.summary or item.annotations.get("summary") or "", 200)
        written = item.annotations.get(WRITE_NOTE)
        if written:  # who acknowledged it and until when (or that a poll contradicted it)
            style = self.cell_style("error" if written.startswith("⚠") else "accent")
            summary = plain(written, 80, style) + Text(" · ") + summary
        return [
            Text(age_text(item.starts_at, now)),
            plain(item.severity, 12, self.severity_style(item)),
            Text(f"{STATE_MARKS.get(state, '?')} {item.shown_state}", style=state_style),
            self.new_cell(item),
            plain(item.name, 60, "bold"),
            plain(item.service or "-", 40),
            summary,
        ]

    def _group_cells(self, group: Group, collapsed: bool) -> list[Text]:
        counts: dict[str, int] = {}
        for alert in group.alerts:
            counts[alert.state] = counts.get(alert.state, 0) + 1
        states = " ".join(f"{STATE_MARKS.get(AlertState(s), '?')}{n}"
                          for s, n in sorted(counts.items(), key=lambda kv: STATE_ORDER.get(kv[0], 9)))
        label = Text("▶ " if collapsed else "▼ ", style=self.cell_style("muted"))
        label.append_text(plain(group.label, 80, "bold"))
        label.append(f" ({len(group.alerts)})")
        # a folded group holding alerts not seen yet carries the marker: its rows are hidden
        unseen = next((a for a in group.alerts if self.is_new(a)), None) if collapsed else None
        new = self.new_cell(unseen) if unseen is not None else Text("")
        return [Text(""), Text(""), fit_cell(Text(states, style=self.cell_style("muted")), STATE_WIDTH),
                new, label, Text(""), Text("")]

    def _more_cells(self, left: int) -> list[Text]:
        text = Text(f"… {left:,} more, refine the filter", style=self.cell_style("muted"))
        return [Text(""), Text(""), Text(""), Text(""), text, Text(""), Text("")]

    def count_text(self) -> Text:
        """`` 5 firing · 1 silenced · 3 new`` (states counted apart; a filter shows ``3/6``
        first; how many arrived since the user last looked), and how many silenced or inhibited
        alerts ``H`` hides."""
        counts = self._state_counts()
        text = Text(f" {self.shown_count()}/{len(self._items)} ·" if self.filter_text else "")
        parts = [f"{counts[s]} {s.value}" for s in sorted(counts, key=lambda s: STATE_ORDER.get(s, 9))]
        text.append(" " + " · ".join(parts) if parts else " 0")
        if self._new_count:
            text.append(f" · {self._new_count} new", style=self.cell_style("accent"))
        hidden = sum(n for s, n in counts.items() if s in SUPPRESSED)
        if self.hide_suppressed and hidden:
            text.append(f" · {hidden} silenced/inhibited hidden (H)", style=self.cell_style("muted"))
        return text

    def _state_counts(self) -> dict[AlertState, int]:
        """Alerts per state, counted once per refresh: the header is redrawn on every filter
        keystroke, and counting 10,000 alerts each time cost a keystroke ~14 ms."""
        if self._counted_items is not self._items:
            counts: dict[AlertState, int] = {}
            for alert in self._items:
                state = AlertState(alert.state)
                counts[state] = counts.get(state, 0) + 1
            self._counted_items, self._counts = self._items, counts
            self._new_count = sum(1 for alert in self._items if self.is_new(alert))
        return self._counts
