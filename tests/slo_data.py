"""Synthetic request counters whose error ratios, burn rates and budgets are known exactly.

Each :class:`SyntheticSlo` is one service with two counters, ``http_requests_total{code="200"}``
and ``{code="500"}``, growing at a constant total rate. Its error ratio is piecewise constant
over the *age* of a moment (seconds before the end of the data, ``end``): ``profile`` lists
``(age_limit_s, ratio)`` pairs, youngest first, the last one holding until the data starts.

Because the total rate is constant, the true error ratio over the window ``(end - W, end]`` is
the time average of the profile over ages ``[0, W]`` (:func:`expected_ratio`), and every burn
rate, the budget left and the multiwindow status follow from it. Prometheus evaluates ``rate``
over the samples inside the window, so the profile's steps sit well away from every window edge
and the sample step is small next to the windows: the difference stays far below the 1% the
tests allow.

The module also writes the recording rules the two SLO generators would have produced for those
counters (same record names and labels as Sloth and Pyrra generate), so the same data serves the
Sloth, Pyrra and declared cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DATA_SPAN_S",
    "STEP_S",
    "SyntheticSlo",
    "WINDOWS_S",
    "expected_ratio",
    "pyrra_rules",
    "sloth_rules",
    "write_openmetrics",
]

WINDOWS_S = {"5m": 300, "30m": 1800, "1h": 3600, "2h": 7200, "6h": 21600, "1d": 86400, "3d": 259200}
STEP_S = 15
"""Seconds between two samples (a typical scrape interval)."""
GRID_OFFSET_S = 1
"""The sample grid ends this many seconds before the evaluation time (see write_openmetrics)."""
DATA_SPAN_S = 3 * 86400 + 6 * 3600
"""How far back the data goes: the 3d window plus a margin."""
TOTAL_RATE = 20.0
"""Requests per second of every synthetic service."""


@dataclass
class SyntheticSlo:
    """One service whose counters follow ``profile``; ``objective`` is a fraction."""

    job: str
    objective: float
    profile: list[tuple[float, float]]
    """``(age_limit_s, error_ratio)``, youngest first; the last limit should be ``math.inf``."""
    labels: dict[str, str] = field(default_factory=dict)

    def ratio_at(self, age_s: float) -> float:
        for limit, ratio in self.profile:
            if age_s < limit:
                return ratio
        return self.profile[-1][1]

    def expected_ratio(self, window_s: float) -> float:
        return expected_ratio(self.profile, min(window_s, DATA_SPAN_S))

    def expected_burn(self, window: str) -> float:
        return self.expected_ratio(WINDOWS_S[window]) / (1 - self.objective)

    def expected_budget(self, span_s: float = DATA_SPAN_S) -> float:
        """Budget left over a period longer than the data: the ``span_s`` youngest seconds count."""
        return 1 - self.expected_ratio(span_s) / (1 - self.objective)

    @property
    def error_selector(self) -> str:
        return f'http_requests_total{{job="{self.job}",code=~"5.."}}'

    @property
    def total_selector(self) -> str:
        return f'http_requests_total{{job="{self.job}"}}'

    def error_query(self, window: str = "{{window}}") -> str:
        return f"sum(rate({self.error_selector}[{window}]))"

    def total_query(self, window: str = "{{window}}") -> str:
        return f"sum(rate({self.total_selector}[{window}]))"


def expected_ratio(profile: list[tuple[float, float]], window_s: float, length_s: float | None = None) -> float:
    """Time average of a piecewise-constant profile over ages ``[window_s - length_s, window_s]``.

    With ``length_s`` None the window reaches now (ages ``[0, window_s]``); otherwise it is a
    window of ``length_s`` seconds that ended ``window_s - length_s`` seconds ago.
    """
    young = 0.0 if length_s is None else window_s - length_s
    total, start = 0.0, 0.0
    for limit, ratio in profile:
        stop = min(limit, window_s)
        lo = max(start, young)
        if stop > lo:
            total += (stop - lo) * ratio
        start = max(start, stop) if stop > start else start
        if start >= window_s:
            break
    if start < window_s:  # the last ratio holds for older data
        total += (window_s - max(start, young)) * profile[-1][1]
    return total / (window_s - young)


def write_openmetrics(path: Path, slos: list[SyntheticSlo], end_s: int) -> int:
    """Write both counters of every SLO over ``DATA_SPAN_S`` up to ``end_s``; return lines.

    The last sample is at ``end_s - GRID_OFFSET_S``: a rule evaluated anywhere in the second
    before ``end_s`` (backfilled rule groups evaluate at an offset of their own) then sees
    exactly the samples a query at ``end_s`` sees.

    The increment between two samples uses the ratio at the middle of the step, so the counters
    integrate the profile exactly on the sample grid.
    """
    start_s = end_s - DATA_SPAN_S - GRID_OFFSET_S
    steps = DATA_SPAN_S // STEP_S
    lines = ["# HELP http_requests Requests served.", "# TYPE http_requests counter"]
    for slo in slos:
        extra = "".join(f',{k}="{v}"' for k, v in sorted(slo.labels.items()))
        ok_total = err_total = 0.0
        ok_lines, err_lines = [], []
        for i in range(steps + 1):
            t = start_s + i * STEP_S
            if i:
                ratio = slo.ratio_at(end_s - t + STEP_S / 2)
                err_total += TOTAL_RATE * STEP_S * ratio
                ok_total += TOTAL_RATE * STEP_S * (1 - ratio)
            ok_lines.append(f'http_requests_total{{job="{slo.job}",code="200"{extra}}} {ok_total:.6f} {t}')
            err_lines.append(f'http_requests_total{{job="{slo.job}",code="500"{extra}}} {err_total:.6f} {t}')
        lines += ok_lines + err_lines
    lines.append("# EOF")
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def _yaml_labels(labels: dict[str, str], indent: str) -> str:
    return "".join(f'{indent}{k}: "{v}"\n' for k, v in sorted(labels.items()))


def sloth_rules(slo: SyntheticSlo, service: str, name: str, period_days: int = 30) -> str:
    """The recording rules Sloth generates for ``slo`` (same record names, labels and formulas).

    Written in Sloth's layout: one group of SLI recordings (one per window, plus the period
    window averaged from the 5m one) and one group of metadata (objective, budget, info).
    """
    sloth_id = f"{service}-{name}"
    ids = {"sloth_id": sloth_id, "sloth_service": service, "sloth_slo": name}
    match = ", ".join(f'{k}="{v}"' for k, v in ids.items())
    out = [f"- name: sloth-slo-sli-recordings-{sloth_id}", "  rules:"]
    for window in WINDOWS_S:
        out.append(f"  - record: slo:sli_error:ratio_rate{window}")
        out.append(f"    expr: ({slo.error_query(window)}) / ({slo.total_query(window)})")
        out.append("    labels:")
        out.append(_yaml_labels({**ids, "sloth_window": window}, "      ").rstrip("\n"))
    period = f"{period_days}d"
    out.append(f"  - record: slo:sli_error:ratio_rate{period}")
    out.append(
        f"    expr: sum_over_time(slo:sli_error:ratio_rate5m{{{match}}}[{period}])"
        f" / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{{{match}}}[{period}])"
    )
    out.append("    labels:")
    out.append(_yaml_labels({**ids, "sloth_window": period}, "      ").rstrip("\n"))
    meta = [
        ("slo:objective:ratio", f"vector({slo.objective!r})", ids),
        ("slo:error_budget:ratio", f"vector(1-{slo.objective!r})", ids),
        ("slo:time_period:days", f"vector({period_days})", ids),
        (
            "slo:period_burn_rate:ratio",
            f"slo:sli_error:ratio_rate{period}{{{match}}} / on(sloth_id, sloth_slo, sloth_service)"
            f" group_left slo:error_budget:ratio{{{match}}}",
            ids,
        ),
        ("slo:period_error_budget_remaining:ratio", f"1 - slo:period_burn_rate:ratio{{{match}}}", ids),
        (
            "sloth_slo_info",
            "vector(1)",
            {**ids, "sloth_objective": f"{slo.objective * 100:g}", "sloth_mode": "cli-gen-prom"},
        ),
    ]
    out += [f"- name: sloth-slo-meta-recordings-{sloth_id}", "  rules:"]
    for record, expr, labels in meta:
        out += [f"  - record: {record}", f"    expr: {expr}", "    labels:", _yaml_labels(labels, "      ").rstrip("\n")]
    return "\n".join(out) + "\n"


PYRRA_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "4d")
"""The burn-rate windows Pyrra records for a 28-day SLO (no 3d: Pyrra uses 4d)."""


def pyrra_rules(slo: SyntheticSlo, name: str, *, generic: bool = True) -> str:
    """The recording rules Pyrra generates for a 28-day ratio SLO named ``name``.

    Burn-rate rules are named ``<metric without _total>:burnrate<W>`` with an ``slo`` label and
    hold the *error ratio*; with ``generic`` the ``pyrra_objective``/``pyrra_window``/
    ``pyrra_availability`` rules are added (``pyrra_availability`` over the whole period,
    computed here straight from the counters instead of Pyrra's intermediate increase rule).
    """
    out = [f"- name: {name}", "  rules:"]
    for window in PYRRA_WINDOWS:
        out += [
            f"  - record: http_requests:burnrate{window}",
            f"    expr: ({slo.error_query(window)}) / ({slo.total_query(window)})",
            "    labels:",
            _yaml_labels({"slo": name, "job": slo.job}, "      ").rstrip("\n"),
        ]
    # Pyrra always records the increase over the SLO's window, by the status label (its UI's budget)
    out += ["  - record: http_requests:increase4w",
            f"    expr: sum by (code) (increase({slo.total_selector}[4w]))",
            "    labels:", _yaml_labels({"slo": name, "job": slo.job}, "      ").rstrip("\n")]
    if generic:
        avail = f"1 - sum(increase({slo.error_selector}[4w])) / sum(increase({slo.total_selector}[4w]))"
        for record, expr in (
            ("pyrra_objective", repr(slo.objective)),
            ("pyrra_window", str(28 * 86400)),
            ("pyrra_availability", avail),
        ):
            out += [f"  - record: {record}", f"    expr: {expr}", "    labels:", f'      slo: "{name}"']
    return "\n".join(out) + "\n"


def rule_file(groups: list[str]) -> str:
    """A rule file holding the given group texts."""
    return "groups:\n" + "".join(groups)


if __name__ == "__main__":  # a quick look at the numbers
    demo = SyntheticSlo("x", 0.999, [(2400, 0.02), (14400, 0.004), (math.inf, 0.0005)])
    for w in WINDOWS_S:
        print(w, round(demo.expected_burn(w), 4))
    print("budget", round(demo.expected_budget(), 4))
