"""The SLOs panel: objective, a bar of the error budget left, burn rates and status."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.models import SloStatus, Slo, SourceKind
from widgets.panel import Panel, plain

__all__ = ["BURN_THRESHOLDS", "SlosPanel", "budget_bar", "format_objective"]

BURN_THRESHOLDS: dict[str, float] = {"1h": 14.4, "6h": 6.0, "1d": 3.0, "3d": 1.0}
"""Per window, the burn rate above which the multiwindow rules can alert (SRE Workbook)."""

_STATUS_MARKS = {SloStatus.PAGE: "▲ page", SloStatus.TICKET: "△ ticket", SloStatus.OK: "✓ ok"}
_STATUS_ORDER = {SloStatus.PAGE: 0, SloStatus.TICKET: 1, SloStatus.OK: 2}


def format_objective(objective: float) -> str:
    """0.999 -> ``99.9%``; trailing zeros dropped."""
    return f"{objective * 100:.3f}".rstrip("0").rstrip(".") + "%"


def budget_bar(remaining: float | None, width: int = 6) -> str:
    """``████░░  75%``; an exhausted budget reads ``░░░░░░ -12%``; unknown is ``?``."""
    if remaining is None:
        return "?".ljust(width + 5)
    filled = round(max(0.0, min(1.0, remaining)) * width)
    return "█" * filled + "░" * (width - filled) + f" {remaining * 100:4.0f}%"


class SlosPanel(Panel[Slo]):
    """One row per SLO, the ones burning hardest first."""

    KIND = SourceKind.SLOS
    ITEM_TYPE = "slo"
    TITLE = "SLOs"
    NUMBER = 2
    COLUMNS = (
        ("service", "Service", None),
        ("name", "SLO", None),
        ("objective", "Target", None),
        ("budget", "Budget left", None),
        ("1h", "1h", None),
        ("6h", "6h", None),
        ("1d", "1d", None),
        ("3d", "3d", None),
        ("status", "Status", None),
    )

    def item_key(self, item: Slo) -> str:
        return f"{item.source}/{item.id}"

    def sort_items(self, items: list[Slo]) -> list[Slo]:
        def budget(slo: Slo) -> float:
            return slo.error_budget_remaining if slo.error_budget_remaining is not None else 2.0

        return sorted(items, key=lambda s: (_STATUS_ORDER.get(s.status, 3), budget(s), s.service))

    def burn_cell(self, window: str, value: float | None) -> Text:
        """A burn rate, marked with ``!`` (and colour) when above its window's threshold."""
        if value is None:
            return Text("-", style=self.cell_style("muted"))
        over = value > BURN_THRESHOLDS.get(window, float("inf"))
        text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
        if over:
            return Text(text + "!", style=self.cell_style("error"))
        if value > 1.0:
            return Text(text + " ", style=self.cell_style("warning"))
        return Text(text + " ")

    def row_cells(self, item: Slo, now: datetime) -> list[Text]:
        status = SloStatus(item.status)
        remaining = item.error_budget_remaining
        bar_style = ""
        if remaining is not None and remaining < 0.25:
            bar_style = self.cell_style("error" if remaining <= 0 else "warning")
        status_style = {SloStatus.PAGE: "error", SloStatus.TICKET: "warning"}.get(status, "success")
        return [
            plain(item.service, 40),
            plain(item.name, 60),
            Text(format_objective(item.objective)),
            Text(budget_bar(remaining), style=bar_style),
            *(self.burn_cell(w, item.burn_rates.get(w)) for w in ("1h", "6h", "1d", "3d")),
            Text(_STATUS_MARKS.get(status, status.value), style=self.cell_style(status_style)),
        ]
