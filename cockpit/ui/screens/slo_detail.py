"""The SLO detail screen (``enter`` on an SLO): every window, the budget and a larger chart.

It shows the status with the window pairs that decide it, then, for each window of
:data:`cockpit.core.slo_math.WINDOWS`, the burn rate beside the thresholds the rules apply to
that window and what it means: a window is marked only when its pair decides the status (the
same rule as the panel), and a window above a threshold on its own says its pair is not;
then the error budget left, the time until it is gone at the current 1h burn, and a column
chart of ``burn_history`` (the 1h burn rate over the last 24 hours) with the page threshold and
the "on budget" line (burn 1) drawn where they fall within the scale. All text is inert.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cockpit.core.durations import format_duration
from cockpit.core.models import Slo, SloStatus
from cockpit.core.textsafe import clean_line
from cockpit.ui.navigation import KeyScroll
from cockpit.ui.screens.intents import ItemScreen
from cockpit.core.slo_math import (WINDOWS, BurnRule, Thresholds, deciding_rules, time_to_exhaustion,
                                   window_threshold)
from cockpit.widgets.slos import (STATUS_MARKS, budget_bar, budget_percent, burn_mark, format_burn, format_objective,
                                  slo_marks)
from cockpit.widgets.sparkline import column_chart

__all__ = ["SloDetailScreen", "exhaustion_text", "render_slo", "status_reason", "window_limits"]

CHART_WIDTH = 60
CHART_HEIGHT = 8


def exhaustion_text(slo: Slo) -> str:
    """``budget gone in 3d04h at the current 1h burn``, ``budget already spent`` or why unknown.

    Uses the source's ``time_to_exhaustion_s``, else computes it from the budget left, the 1h
    burn rate and the period (:func:`cockpit.core.slo_math.time_to_exhaustion`).
    """
    remaining, burn = slo.error_budget_remaining, slo.burn_rates.get("1h")
    if remaining is not None and remaining <= 0:
        return "budget already spent"
    seconds = slo.time_to_exhaustion_s
    if seconds is None:
        try:
            seconds = time_to_exhaustion(remaining, burn, slo.period)
        except ValueError:  # a period that is not a duration
            seconds = None
    if seconds is not None:
        return f"budget gone in {format_duration(seconds)} at the current 1h burn ({format_burn(burn)})"
    if remaining is None:
        return "unknown (budget left unknown)"
    if burn is None:
        return "unknown (1h burn rate unknown)"
    return "not burning at the current 1h rate"


def window_limits(window: str, thresholds: Thresholds | None = None) -> str:
    """The factors the rules apply to ``window``: ``page >14.4``, ``page >6, ticket >1``."""
    thresholds = thresholds or Thresholds()
    parts = []
    for status, rules in ((SloStatus.PAGE, thresholds.page), (SloStatus.TICKET, thresholds.ticket)):
        factors = sorted({r.factor for r in rules if window in (r.long, r.short)})
        if factors:
            parts.append(f"{status.value} >" + "/".join(f"{f:g}" for f in factors))
    return ", ".join(parts) or "-"


def _pair(rule: BurnRule) -> str:
    return f"{rule.long}+{rule.short} > {rule.factor:g}"


def status_reason(slo: Slo) -> str:
    """Which window pairs decide the status: ``page by 1h+5m > 14.4``, or why none does."""
    status = SloStatus(slo.status)
    rules = deciding_rules(slo.burn_rates, status, slo.thresholds)
    if rules:
        return f"{status.value} by " + ", ".join(_pair(r) for r in rules)
    if status == SloStatus.OK:
        return "no window pair above its threshold"
    return "by the source's own status (no pair of its thresholds holds here)"


def _window_meaning(slo: Slo, window: str, value: float | None, marked: SloStatus) -> str:
    if value is None:
        return "unknown"
    thresholds = slo.thresholds or Thresholds()
    levels = ((SloStatus.PAGE, thresholds.page), (SloStatus.TICKET, thresholds.ticket))
    if marked != SloStatus.OK:
        pairs = [r for r in deciding_rules(slo.burn_rates, marked, thresholds) if window in (r.long, r.short)]
        return f"decides {marked.value}: " + ", ".join(_pair(r) for r in pairs)
    for level, rules in levels:
        for rule in rules:
            if window in (rule.long, rule.short) and value > rule.factor:
                if rule in deciding_rules(slo.burn_rates, level, thresholds):  # holds, but a worse level decides
                    return f"{level.value} {rule.long}+{rule.short} holds, {slo.status} decides"
                other = rule.short if window == rule.long else rule.long
                return f"above {level.value} >{rule.factor:g} alone; {other} is not"
    return "below" if window_threshold(window, thresholds) else "no rule uses this window"


def _windows_table(slo: Slo) -> Text:
    out = Text()
    out.append(f"{'window':<7}{'burn':>8}  {'thresholds':<20}  meaning\n", style="bold")
    marks = slo_marks(slo)
    for window in WINDOWS:
        value = slo.burn_rates.get(window)
        shown, status = burn_mark(value, marks.get(window, SloStatus.OK))
        limit = window_limits(window, slo.thresholds)
        meaning = _window_meaning(slo, window, value, status)
        style = {SloStatus.PAGE: "bold", SloStatus.TICKET: "italic"}.get(status, "")
        out.append(f"{window:<7}{shown:>8}  {limit:<20}  {meaning}\n", style=style)
    return out


def render_slo(slo: Slo, width: int = CHART_WIDTH) -> Text:
    """The whole body of the screen as inert text."""
    out = Text()
    status = SloStatus(slo.status)
    out.append("status: ", style="bold")
    out.append(STATUS_MARKS.get(status, status.value))
    out.append(f" ({status_reason(slo)})\n", style="dim")
    out.append("objective: ", style="bold")
    out.append(f"{format_objective(slo.objective)} over {clean_line(slo.period, 20)}\n")
    out.append("error budget left: ", style="bold")
    out.append(f"{budget_bar(slo.error_budget_remaining, width=20)} {budget_percent(slo.error_budget_remaining)}".rstrip() + "\n")
    out.append("time to exhaustion: ", style="bold")
    out.append(exhaustion_text(slo) + "\n")
    out.append("source: ", style="bold")
    out.append(f"{clean_line(slo.source, 60)} ({slo.generator}), id {clean_line(slo.id, 120)}\n\n")
    out.append("Burn rate per window", style="bold underline")
    out.append("  (▲/△: its window pair decides the page/ticket status)\n", style="dim")
    out.append_text(_windows_table(slo))
    out.append("\n")
    out.append("1h burn rate over the last 24 hours", style="bold underline")
    known = [v for v in slo.burn_history if v is not None]
    if not known:
        out.append("\n  no history (the source gave no samples)\n", style="dim")
        return out
    page = window_threshold("1h", slo.thresholds)
    marks = [(page[0], f"page {page[0]:g}")] if page else []
    marks.append((1.0, "1 = on budget"))
    out.append(f"  ({len(slo.burn_history)} samples, peak {max(known):.1f}, now "
               f"{known[-1]:.1f})\n", style="dim")
    lines = column_chart(slo.burn_history, width=width, height=CHART_HEIGHT, marks=marks)
    for line in lines:
        out.append(line + "\n")
    axis = "24h ago".ljust(max(0, min(width, len(slo.burn_history)) - 3)) + "now"
    out.append(" " * (lines[0].index("┤") + 1) + axis + "\n", style="dim")
    return out


class SloDetailScreen(ItemScreen):
    """Shows one SLO; ``esc`` goes back to the panels."""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]
    DEFAULT_CSS = """
    SloDetailScreen #slo-title { height: auto; padding: 0 1; background: $primary; color: $text; }
    SloDetailScreen #slo-body { padding: 0 1; }
    """

    def __init__(self, slo: Slo) -> None:
        super().__init__(id="slo-detail")
        self.slo = slo

    KIND_TITLE = "SLO"

    def shown_item(self) -> object:
        return self.slo

    def compose(self) -> ComposeResult:
        title = Text("SLO: ", style="bold")
        title.append(f"{clean_line(self.slo.service, 60)} / {clean_line(self.slo.name, 80)}")
        title.append("   esc back · j/k g/G move", style="dim")
        yield Static(title, id="slo-title", markup=False)
        with KeyScroll(id="slo-body"):
            yield Static(render_slo(self.slo), id="slo-fields", markup=False)

    def on_mount(self) -> None:
        self.query_one("#slo-body").focus()

    def action_back(self) -> None:
        self.dismiss()
