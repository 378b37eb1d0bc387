"""A panel's header line: its number and title, how many items, how old the data is, and whether
the source is ``STALE`` or in ``ERROR`` (in words, not only colour). A mixin of
:class:`cockpit.widgets.panel.Panel`, apart from its rows and columns; the line is only rewritten
when its text changes (a slow link pays for nothing on an idle screen)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from rich.text import Text

from cockpit.core.durations import format_coarse_age
from cockpit.core.models import SourceState, SourceStatus
from cockpit.core.textsafe import clean_line

__all__ = ["PanelHeader", "worst_status"]

_STATUS_RANK = {SourceStatus.OK: 0, SourceStatus.STALE: 1, SourceStatus.ERROR: 2}


def worst_status(states: Iterable[SourceState], now: datetime | None = None) -> SourceStatus | None:
    """The worst status of several sources as of ``now`` (error > stale > ok); None when
    there are none."""
    ranked = sorted((_STATUS_RANK[status], status) for status in (s.status_at(now) for s in states))
    return ranked[-1][1] if ranked else None


class PanelHeader:
    """The header line of a panel (mixed into :class:`cockpit.widgets.panel.Panel`)."""

    TITLE: str
    number: int
    filter_text: str
    _items: list[Any]
    _states: dict[str, SourceState]
    _now: datetime
    _header_text: str
    header: Any
    cell_style: Any
    shown_count: Any

    def count_text(self) -> Text:
        """The header's count: `` 12``, or `` 3/12`` with a filter."""
        shown, total = self.shown_count(), len(self._items)
        return Text(f" {shown}/{total}" if self.filter_text else f" {total}")

    def header_text(self) -> Text:
        """``1 Alerts 12 · 8s ago`` plus ``STALE 3m`` / ``ERROR`` / ``DEGRADED`` / filter."""
        text = Text()
        if self.number:
            text.append(f"{self.number} ", style=self.cell_style("muted"))
        text.append(self.TITLE, style="bold")
        text.append_text(self.count_text())
        states = list(self._states.values())
        status = worst_status(states, self._now)
        ages = [s.age_s(self._now) for s in states]
        known = [a for a in ages if a is not None]
        oldest = max(known) if known else None
        if status is None:
            text.append(" · no source", style=self.cell_style("muted"))
        elif status == SourceStatus.OK:
            # To the minute: "<1m ago" does not flip with every poll and tick, so an idle screen
            # writes nothing for a healthy source.
            text.append(f" · {format_coarse_age(oldest)}", style=self.cell_style("muted"))
        elif status == SourceStatus.STALE:
            text.append(" · ")
            text.append(f"STALE {format_coarse_age(oldest).removesuffix(' ago') if oldest is not None else 'no data'}",
                        style=self.cell_style("warning"))
        else:
            text.append(" · ")
            text.append("ERROR", style=self.cell_style("error"))
            text.append(f" · {format_coarse_age(oldest)}", style=self.cell_style("muted"))
        if any(s.degraded for s in states) and status != SourceStatus.ERROR:
            text.append(" · ")
            text.append("DEGRADED", style=self.cell_style("warning"))
        if self.filter_text:
            text.append(" · filter: ", style=self.cell_style("muted"))
            text.append(clean_line(self.filter_text, 60), style=self.cell_style("accent"))
        return text

    def _refresh_header(self) -> None:
        """Rewrite the header line only when its text changed."""
        header = self.header_text()
        if header.markup != self._header_text:
            self._header_text = header.markup
            self.header.update(header, layout=False)  # one fixed line: no relayout
