"""Pure SLO arithmetic: burn rates, multiwindow multi-burn-rate status, budget and exhaustion.

No I/O here: the ``prometheus-slo`` source computes with these, and the SLO panel uses
:func:`window_marks` to mark a burn rate only when its window pair decides the status
(:func:`deciding_rules`), so marks and status come from one rule. Definitions (Google SRE Workbook, chapter "Alerting on SLOs"):

* error ratio over a window = bad events / all events in that window;
* burn rate = error ratio / (1 − objective): 1 spends exactly the budget over the period;
* budget left over the period = 1 − (error ratio over the period) / (1 − objective), which goes
  below 0 once the budget is spent;
* status: ``page`` when any page rule holds, else ``ticket`` when any ticket rule holds, else
  ``ok``; a rule holds when the burn rates over both its long and its short window exceed its
  factor. An unknown (null) burn rate never makes a rule hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from cockpit.core.durations import parse_duration
from cockpit.core.models import SloStatus
from cockpit.core.slo_rules import WINDOWS, BurnRule, Thresholds

__all__ = [
    "WINDOWS",
    "BurnRule",
    "Thresholds",
    "budget_remaining",
    "burn_rate",
    "deciding_rules",
    "format_period",
    "normalise_objective",
    "slo_status",
    "time_to_exhaustion",
    "window_marks",
    "window_status",
    "window_threshold",
]

def normalise_objective(value: float) -> float:
    """An objective as a fraction: ``0.999`` stays, ``99.9`` (a percentage) becomes ``0.999``.

    Raises ValueError for values that are neither (≤ 0, ≥ 100, or exactly 1: no budget at all).
    """
    value = float(value)
    if math.isnan(value) or value <= 0:
        raise ValueError(f"objective must be above 0, got {value!r}")
    if value == 1:
        raise ValueError("objective 1 (100%) leaves no error budget")
    if value > 1:
        if value >= 100:
            raise ValueError(f"objective must be below 100%, got {value!r}")
        value = value / 100
    return round(value, 12)


def burn_rate(error_ratio: float | None, objective: float) -> float | None:
    """Error ratio divided by the error budget (1 − objective); None when unknown."""
    if error_ratio is None or not math.isfinite(error_ratio):
        return None
    budget = 1 - objective
    if budget <= 0:
        return None
    return error_ratio / budget


def budget_remaining(period_error_ratio: float | None, objective: float) -> float | None:
    """Fraction of the period's error budget left (negative once overspent); None when unknown."""
    burn = burn_rate(period_error_ratio, objective)
    return None if burn is None else 1 - burn


def _above(burn_rates: Mapping[str, float | None], window: str, factor: float) -> bool:
    value = burn_rates.get(window)
    return value is not None and math.isfinite(value) and value > factor


def _holds(rule: BurnRule, burn_rates: Mapping[str, float | None]) -> bool:
    return _above(burn_rates, rule.long, rule.factor) and _above(burn_rates, rule.short, rule.factor)


def slo_status(burn_rates: Mapping[str, float | None], thresholds: Thresholds | None = None) -> SloStatus:
    """``page``, ``ticket`` or ``ok`` by the multiwindow, multi-burn-rate rules."""
    thresholds = thresholds or Thresholds()
    if any(_holds(rule, burn_rates) for rule in thresholds.page):
        return SloStatus.PAGE
    if any(_holds(rule, burn_rates) for rule in thresholds.ticket):
        return SloStatus.TICKET
    return SloStatus.OK


def deciding_rules(
    burn_rates: Mapping[str, float | None], status: SloStatus | str | None = None,
    thresholds: Thresholds | None = None,
) -> list[BurnRule]:
    """The rules that hold at the level of ``status`` (by default :func:`slo_status`): the
    window pairs that decide it. Empty for ``ok``, or when the given status came from other
    thresholds than these (no pair here explains it)."""
    thresholds = thresholds or Thresholds()
    status = SloStatus(status) if status is not None else slo_status(burn_rates, thresholds)
    rules = {SloStatus.PAGE: thresholds.page, SloStatus.TICKET: thresholds.ticket}.get(status, [])
    return [rule for rule in rules if _holds(rule, burn_rates)]


def window_marks(
    burn_rates: Mapping[str, float | None], status: SloStatus | str | None = None,
    thresholds: Thresholds | None = None,
) -> dict[str, SloStatus]:
    """The windows to mark and with which level: only the windows of a pair that decides the
    status (:func:`deciding_rules`), so a mark never contradicts the status."""
    thresholds = thresholds or Thresholds()
    status = SloStatus(status) if status is not None else slo_status(burn_rates, thresholds)
    marks: dict[str, SloStatus] = {}
    for rule in deciding_rules(burn_rates, status, thresholds):
        marks[rule.long] = marks[rule.short] = status
    return marks


def window_threshold(window: str, thresholds: Thresholds | None = None) -> tuple[float, SloStatus] | None:
    """The lowest factor any rule applies to ``window`` and the status that rule raises.

    For the panel: a burn rate above it is marked (the rule may still need its other window).
    None when no rule uses the window.
    """
    thresholds = thresholds or Thresholds()
    found: list[tuple[float, SloStatus]] = []
    for status, rules in ((SloStatus.PAGE, thresholds.page), (SloStatus.TICKET, thresholds.ticket)):
        found += [(r.factor, status) for r in rules if window in (r.long, r.short)]
    return min(found, key=lambda pair: pair[0]) if found else None


def window_status(window: str, value: float | None, thresholds: Thresholds | None = None) -> SloStatus:
    """How one burn rate alone compares to the rules using its window: the worst it exceeds."""
    thresholds = thresholds or Thresholds()
    if value is None or not math.isfinite(value):
        return SloStatus.OK
    for status, rules in ((SloStatus.PAGE, thresholds.page), (SloStatus.TICKET, thresholds.ticket)):
        if any(window in (r.long, r.short) and value > r.factor for r in rules):
            return status
    return SloStatus.OK


def time_to_exhaustion(
    remaining: float | None, burn_1h: float | None, period: str | float
) -> float | None:
    """Seconds until the budget is gone if the current 1h burn rate goes on.

    A burn rate of 1 spends the whole budget in one period, so what is left lasts
    ``remaining × period / burn``. 0 when already spent; None when not burning or unknown.
    """
    if remaining is None or burn_1h is None or not math.isfinite(burn_1h) or burn_1h <= 0:
        return None
    if remaining <= 0:
        return 0.0
    period_s = parse_duration(period) if isinstance(period, str) else float(period)
    return remaining * period_s / burn_1h


def format_period(seconds: float) -> str:
    """A period in the largest whole unit: ``2419200`` → ``28d``, ``7200`` → ``2h``."""
    seconds = int(round(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
