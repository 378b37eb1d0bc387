"""The SLOs panel: objective, a bar of the error budget left, burn rates, status and a sparkline.

Every mark reads without colour and comes from the rule that gives the status: a burn rate is
marked ``▲16.2`` (page) or ``△3.5`` (ticket) only when its window belongs to a window pair that
decides the SLO's status (:func:`cockpit.core.slo_math.window_marks`), and the ``By`` column
names those pairs (``1h+5m``). A window above a threshold on its own, its pair not, stays
unmarked: the status is ok or comes from another pair. The thresholds are those the source
judged the SLO by (``Slo.thresholds``, set when a source configures its own), else the SRE
Workbook defaults of :class:`cockpit.core.slo_rules.Thresholds`.
The sparklines of one panel share one scale (the highest burn in any of them), so 0.9 draws
lower than 15.5.
"""

from __future__ import annotations

import math
from datetime import datetime

from rich.text import Text

from cockpit.core.models import SloStatus, Slo, SourceKind
from cockpit.core.slo_math import deciding_rules, window_marks, window_threshold
from cockpit.widgets.panel import ColumnSpec, Panel, plain
from cockpit.widgets.sparkline import sparkline

__all__ = ["PANEL_WINDOWS", "STATUS_MARKS", "SlosPanel", "budget_bar", "budget_percent", "burn_mark",
           "decided_by", "format_burn", "format_objective", "slo_marks", "worst_burn"]

PANEL_WINDOWS = ("1h", "6h", "1d", "3d")
"""The burn-rate windows the panel shows (the detail screen shows all of them)."""

STATUS_MARKS = {SloStatus.PAGE: "▲ page", SloStatus.TICKET: "△ ticket", SloStatus.OK: "✓ ok"}
"""A status as symbol and word."""

_BURN_MARKS = {SloStatus.PAGE: "▲", SloStatus.TICKET: "△", SloStatus.OK: " "}
_STATUS_ORDER = {SloStatus.PAGE: 0, SloStatus.TICKET: 1, SloStatus.OK: 2}
_ROLES = {SloStatus.PAGE: "error", SloStatus.TICKET: "warning", SloStatus.OK: "success"}
SPARK_WIDTH = 12


def format_objective(objective: float) -> str:
    """0.999 -> ``99.9%``; trailing zeros dropped."""
    return f"{objective * 100:.3f}".rstrip("0").rstrip(".") + "%"


def budget_bar(remaining: float | None, width: int = 6) -> str:
    """``████░░``: the error budget left as a bar (empty when exhausted); ``?`` when unknown."""
    if remaining is None:
        return "?".ljust(width)
    filled = round(max(0.0, min(1.0, remaining)) * width)
    return "█" * filled + "░" * (width - filled)


def budget_percent(remaining: float | None) -> str:
    """`` 75%``, ``-12%``; ``?`` when unknown (the figure beside the bar, never cut)."""
    return "?" if remaining is None else f"{remaining * 100:3.0f}%"


def worst_burn(slo: Slo) -> tuple[str, float | None]:
    """The window whose burn rate stands out most against its paging threshold (the highest
    rate when no window has a threshold), among the windows whose pair decides the status when
    one is shown: (window, rate); ("", None) when none is known."""
    marked = [w for w in PANEL_WINDOWS if w in slo_marks(slo) and slo.burn_rates.get(w) is not None]
    best: tuple[float, str, float] | None = None
    for window in marked or PANEL_WINDOWS:
        rate = slo.burn_rates.get(window)
        if rate is None:
            continue
        threshold = window_threshold(window, slo.thresholds)
        score = rate / (threshold[0] if threshold else 1.0)
        if best is None or score > best[0]:
            best = (score, window, rate)
    return ("", None) if best is None else (best[1], best[2])


def format_burn(value: float | None) -> str:
    """``0.4``, ``16.2``, ``250``; ``-`` when unknown."""
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def slo_marks(slo: Slo) -> dict[str, SloStatus]:
    """The windows marked for this SLO: those of the pairs deciding its status."""
    return window_marks(slo.burn_rates, slo.status, slo.thresholds)


def decided_by(slo: Slo) -> str:
    """The window pairs deciding the status, ``1h+5m 6h+30m``; empty for ok (or no pair here)."""
    return " ".join(f"{r.long}+{r.short}" for r in deciding_rules(slo.burn_rates, slo.status, slo.thresholds))


def burn_mark(value: float | None, level: SloStatus = SloStatus.OK) -> tuple[str, SloStatus]:
    """A burn rate with the mark of the level its window decides: (``▲16.2``, PAGE),
    (`` 0.4``, OK). ``level`` comes from :func:`slo_marks` (OK: the window decides nothing)."""
    if value is None:
        return " -", SloStatus.OK
    return _BURN_MARKS[level] + format_burn(value), level


def spark_scale(items: list[Slo]) -> float:
    """The one scale every sparkline of the panel is drawn to: the highest burn in any of them
    (at least 1, "on budget")."""
    return max([1.0, *(v for s in items for v in s.burn_history if v is not None and math.isfinite(v))])


class SlosPanel(Panel[Slo]):
    """One row per SLO: paging first, then ticket, then ok; within each, least budget left first."""

    KIND = SourceKind.SLOS
    ITEM_TYPE = "slo"
    TITLE = "SLOs"
    COLUMNS = (
        ColumnSpec("service", "Service", 0, min_width=8, max_width=20),
        ColumnSpec("name", "SLO", 1, min_width=8, max_width=30),
        ColumnSpec("objective", "Target", 4),
        ColumnSpec("bar", "Budget", 3),
        ColumnSpec("budget", "Left", 0),
        ColumnSpec("worst", "Burn", 0),
        *(ColumnSpec(window, window, 5 + n) for n, window in enumerate(PANEL_WINDOWS)),
        ColumnSpec("status", "Status", 0, reserve=max(len(mark) for mark in STATUS_MARKS.values())),
        ColumnSpec("by", "By", 6),
        ColumnSpec("trend", "1h burn 24h", 9, sortable=False),
    )

    _spark_top = 1.0

    def item_key(self, item: Slo) -> str:
        return f"{item.source}/{item.id}"

    def sort_items(self, items: list[Slo]) -> list[Slo]:
        top = spark_scale(items)
        if top != self._spark_top:  # every sparkline is drawn anew on the new shared scale
            self._spark_top = top
            self._cache = {}
        def budget(slo: Slo) -> float:
            return slo.error_budget_remaining if slo.error_budget_remaining is not None else 2.0

        return sorted(items, key=lambda s: (_STATUS_ORDER.get(s.status, 3), budget(s), s.service, s.name))

    def burn_cell(self, value: float | None, level: SloStatus) -> Text:
        """A burn rate with its mark (``▲``/``△``), coloured by the level its pair decides."""
        text, status = burn_mark(value, level)
        if value is None:
            return Text(text, style=self.cell_style("muted"))
        if status != SloStatus.OK:
            return Text(text, style=self.cell_style(_ROLES[status]))
        return Text(text, style=self.cell_style("warning") if value > 1.0 else "")

    def worst_cell(self, item: Slo) -> Text:
        """``▲16.2 1h``: the burn rate that stands out most, with its window."""
        window, rate = worst_burn(item)
        if rate is None:
            return Text("-", style=self.cell_style("muted"))
        cell = self.burn_cell(rate, slo_marks(item).get(window, SloStatus.OK))
        cell.append(f" {window}", style=self.cell_style("muted"))
        return cell

    def row_cells(self, item: Slo, now: datetime) -> list[Text]:
        status = SloStatus(item.status)
        remaining = item.error_budget_remaining
        marks = slo_marks(item)
        bar_style = ""
        if remaining is not None and remaining < 0.25:
            bar_style = self.cell_style("error" if remaining <= 0 else "warning")
        return [
            plain(item.service, 40),
            plain(item.name, 60),
            Text(format_objective(item.objective)),
            Text(budget_bar(remaining), style=bar_style),
            Text(budget_percent(remaining), style=bar_style),
            self.worst_cell(item),
            *(self.burn_cell(item.burn_rates.get(w), marks.get(w, SloStatus.OK)) for w in PANEL_WINDOWS),
            Text(STATUS_MARKS.get(status, status.value), style=self.cell_style(_ROLES[status])),
            Text(decided_by(item), style=self.cell_style(_ROLES[status])),
            Text(sparkline(item.burn_history, SPARK_WIDTH, top=self._spark_top) or "-",
                 style=self.cell_style("info")),
        ]
