"""Turn Prometheus query results into SLOs found from Sloth's and Pyrra's recording rules.

Pure functions over the ``result`` lists of ``/api/v1/query`` (each sample a dict with
``metric`` labels and a ``value`` pair) and over the ``/api/v1/rules`` document: no I/O.

Sloth (``sloth_id``, ``sloth_service``, ``sloth_slo`` labels on every series):
``sloth_slo_info`` names the SLO, ``slo:objective:ratio`` its objective,
``slo:time_period:days`` its period, ``slo:sli_error:ratio_rate<W>`` its error ratio per window
and ``slo:period_error_budget_remaining:ratio`` the budget left.

Pyrra (an ``slo`` label): ``pyrra_objective``/``pyrra_window``/``pyrra_availability`` when the
generic rules are on, and ``<metric>:burnrate<W>`` series which, despite the name, hold the
*error ratio* over W. Pyrra records the windows of its own alerts (for a 28-day SLO: 5m, 30m,
1h, 2h, 6h, 1d and 4d, so no 3d); a missing window can be computed from the 5m rule's
expression with the window swapped (:func:`widen`), else it stays null.

Pyrra without its generic rules (the default) records no ``pyrra_availability``, but always
``<metric>:increase<W>`` over the SLO's whole window (``sum by (code) (increase(x_total{…}[4w]))``).
Its UI takes the budget from it with the SLO's error matchers; here they are read off the 5m
burn-rate rule (the numerator's matchers the denominator lacks, such as ``code=~"5.."``):
:func:`pyrra_error_matchers` and :func:`pyrra_budgets`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from cockpit.core.durations import parse_duration
from cockpit.core.matchers import MatcherError, matchers_match, parse_matchers
from cockpit.core.slo_math import WINDOWS, format_period, normalise_objective

__all__ = [
    "FoundSlo",
    "pyrra_budgets",
    "pyrra_error_matchers",
    "pyrra_objectives_from_rules",
    "pyrra_slos",
    "rule_exprs_5m",
    "sample_value",
    "sloth_slos",
    "widen",
    "window_of",
]

_WINDOW_ALT = "|".join(WINDOWS)
SLOTH_RATIO = re.compile(rf"^slo:sli_error:ratio_rate({_WINDOW_ALT})$")
PYRRA_BURNRATE = re.compile(rf"^.+:burnrate({_WINDOW_ALT})$")


@dataclass
class FoundSlo:
    """What the rules tell about one SLO; error ratios, not yet burn rates."""

    generator: str
    id: str
    service: str
    name: str
    objective: float | None = None
    period: str = "30d"
    ratios: dict[str, float | None] = field(default_factory=dict)
    """Error ratio per window (keys from WINDOWS); a missing key means not recorded."""
    budget_remaining: float | None = None


def sample_value(sample: dict[str, Any]) -> float | None:
    """The float of an instant-vector sample; None for NaN, ±Inf or a malformed value."""
    try:
        value = float(sample["value"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def window_of(sample: dict[str, Any], pattern: re.Pattern[str]) -> str | None:
    match = pattern.match(sample.get("metric", {}).get("__name__", ""))
    return match.group(1) if match else None


def _objective(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        return normalise_objective(value)
    except ValueError:
        return None


def _worst(old: float | None, new: float | None) -> float | None:
    """Several series for one SLO and window (grouped SLOs): keep the highest error ratio."""
    if old is None:
        return new
    return old if new is None else max(old, new)


def sloth_slos(
    info: list[dict], objectives: list[dict], ratios: list[dict], remaining: list[dict], days: list[dict]
) -> dict[str, FoundSlo]:
    """Sloth SLOs by ``sloth_id`` from the five query results."""
    found: dict[str, FoundSlo] = {}

    def slo_for(sample: dict) -> FoundSlo | None:
        labels = sample.get("metric", {})
        sloth_id = labels.get("sloth_id")
        if not sloth_id:
            return None
        if sloth_id not in found:
            found[sloth_id] = FoundSlo(
                generator="sloth",
                id=sloth_id,
                service=labels.get("sloth_service", ""),
                name=labels.get("sloth_slo", sloth_id),
            )
        return found[sloth_id]

    for sample in info:
        slo = slo_for(sample)
        if slo and slo.objective is None and sample["metric"].get("sloth_objective"):
            try:
                slo.objective = _objective(float(sample["metric"]["sloth_objective"]))
            except ValueError:
                pass
    for sample in objectives:
        slo = slo_for(sample)
        if slo and (value := _objective(sample_value(sample))) is not None:
            slo.objective = value
    for sample in days:
        slo = slo_for(sample)
        if slo and (value := sample_value(sample)):
            slo.period = format_period(value * 86400)
    for sample in ratios:
        window = window_of(sample, SLOTH_RATIO)
        slo = slo_for(sample) if window else None
        if slo and window:
            slo.ratios[window] = _worst(slo.ratios.get(window), sample_value(sample))
    for sample in remaining:
        slo = slo_for(sample)
        if slo:
            slo.budget_remaining = sample_value(sample)
    return found


def pyrra_slos(
    objectives: list[dict], windows: list[dict], availability: list[dict], burnrates: list[dict]
) -> dict[str, FoundSlo]:
    """Pyrra SLOs by ``slo`` label; the service is the ``service``, ``job`` or ``namespace`` label."""
    found: dict[str, FoundSlo] = {}

    def slo_for(sample: dict) -> FoundSlo | None:
        labels = sample.get("metric", {})
        name = labels.get("slo")
        if not name:
            return None
        if name not in found:
            service = labels.get("service") or labels.get("job") or labels.get("namespace") or name
            found[name] = FoundSlo(generator="pyrra", id=name, service=service, name=name, period="28d")
        elif found[name].service == name:
            found[name].service = labels.get("service") or labels.get("job") or labels.get("namespace") or name
        return found[name]

    for sample in objectives:
        slo = slo_for(sample)
        if slo:
            slo.objective = _objective(sample_value(sample))
    for sample in windows:
        slo = slo_for(sample)
        if slo and (value := sample_value(sample)):
            slo.period = format_period(value)
    for sample in burnrates:
        window = window_of(sample, PYRRA_BURNRATE)
        slo = slo_for(sample) if window else None
        if slo and window:
            slo.ratios[window] = _worst(slo.ratios.get(window), sample_value(sample))
    for sample in availability:
        slo = slo_for(sample)
        avail = sample_value(sample)
        if slo and avail is not None and slo.objective is not None:
            slo.budget_remaining = 1 - (1 - avail) / (1 - slo.objective)
    return found


def _rules(rules_doc: dict) -> list[dict]:
    groups = (rules_doc.get("data") or rules_doc).get("groups") or []
    return [rule for group in groups for rule in group.get("rules") or []]


def rule_exprs_5m(rules_doc: dict) -> dict[tuple[str, str], str]:
    """The 5m error-ratio rule expression of each SLO: ``{("sloth"|"pyrra", id): expr}``."""
    exprs: dict[tuple[str, str], str] = {}
    for rule in _rules(rules_doc):
        name, labels, expr = rule.get("name", ""), rule.get("labels") or {}, rule.get("query", "")
        if rule.get("type") not in (None, "recording") or not expr:
            continue
        if name == "slo:sli_error:ratio_rate5m" and labels.get("sloth_id"):
            exprs[("sloth", labels["sloth_id"])] = expr
        elif name.endswith(":burnrate5m") and labels.get("slo"):
            exprs[("pyrra", labels["slo"])] = expr
    return exprs


_BUDGET_IN_ALERT = re.compile(r"\(\s*1\s*-\s*(0?\.\d+|0)\s*\)")


def pyrra_objectives_from_rules(rules_doc: dict) -> dict[str, float]:
    """Objectives read from Pyrra's burn-rate alerts (``... > (14 * (1-0.99))``) by ``slo``.

    Used when the generic rules (``pyrra_objective``) are not enabled.
    """
    found: dict[str, float] = {}
    for rule in _rules(rules_doc):
        labels = rule.get("labels") or {}
        if rule.get("type") != "alerting" or not labels.get("slo"):
            continue
        match = _BUDGET_IN_ALERT.search(rule.get("query", ""))
        if match and (value := _objective(float(match.group(1)))) is not None:
            found.setdefault(labels["slo"], value)
    return found


def widen(expr_5m: str, window: str) -> str | None:
    """The 5m expression with every ``[5m]`` range made ``[window]``; None if it has none."""
    widened, count = re.subn(r"\[\s*5m\s*\]", f"[{window}]", expr_5m)
    return widened if count else None


_SELECTOR_5M = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}\s*\[\s*5m\s*\]")
_MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
PYRRA_INCREASE = re.compile(r"^.+:increase(\d+[smhdwy])$")


def pyrra_error_matchers(expr_5m: str) -> list[str] | None:
    """The matchers that make the 5m rule's numerator the errors (``['code=~"5.."']``), or None."""
    selectors = _SELECTOR_5M.findall(expr_5m)
    if len(selectors) < 2:
        return None
    numerator, denominator = ({m.group(0).replace(" ", "") for m in _MATCHER.finditer(body)} for _, body in selectors[:2])
    extra = sorted(numerator - denominator)
    return extra or None


def pyrra_budgets(increases: list[dict], error_matchers: dict[str, list[str]],
                  objectives: dict[str, float]) -> dict[str, tuple[float, str]]:
    """Budget left and period per SLO from ``<metric>:increase<W>`` samples, as Pyrra's UI computes
    it: 1 - (errors / total) / (1 - objective) over W."""
    sums: dict[str, list[float]] = {}
    periods: dict[str, str] = {}
    for sample in increases:
        labels = sample.get("metric", {})
        name, window = labels.get("slo", ""), PYRRA_INCREASE.match(labels.get("__name__", ""))
        value = sample_value(sample)
        if not name or window is None or value is None or name not in error_matchers or name not in objectives:
            continue
        try:
            matchers = [m for text in error_matchers[name] for m in parse_matchers(text)]
        except MatcherError:
            continue
        errors_total = sums.setdefault(name, [0.0, 0.0])
        errors_total[1] += value
        if matchers_match(matchers, labels):
            errors_total[0] += value
        periods[name] = format_period(parse_duration(window.group(1)))
    out = {}
    for name, (errors, total) in sums.items():
        if total > 0:
            out[name] = (1 - (errors / total) / (1 - objectives[name]), periods[name])
    return out
