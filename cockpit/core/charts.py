"""Small text charts for the report screen: a column per hour, a line per series, and the
figures they draw taken from a built report.

Our own few lines instead of a plotting dependency: they cost nothing before the first frame,
read in the mono theme (the bars are block characters, the numbers are written beside them)
and fit any width. Pure: numbers in, lines of text out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Iterable, Mapping, Sequence

from cockpit.core.textsafe import clean_line
from cockpit.core.times import parse_time

__all__ = ["BLOCKS", "BUDGET_CELLS", "BudgetSeries", "ReportFigures", "bar_chart", "budget_line", "report_figures"]

BLOCKS = " ▁▂▃▄▅▆▇█"
"""Eighths of a cell, empty to full."""


def bar_chart(values: Sequence[int | float], labels: Sequence[str], height: int = 5,
              width: int = 80) -> list[str]:
    """A column chart, top line first: one column per value (``labels`` under it, every few
    columns where they would crowd), the scale on the left, each column's count on top of it.

    Columns are two cells wide with a gap when there is room, one cell otherwise; values past
    what ``width`` holds are the most recent ones (the first are dropped).
    """
    if not values:
        return ["(no data)"]
    top = max(max(values), 1)
    scale = len(f"{top:g}")
    room = max(1, width - scale - 2)
    step = 3 if len(values) * 3 <= room else 2 if len(values) * 2 <= room else 1
    shown = list(values)[-(room // step):]
    names = list(labels)[-len(shown):]
    rows: list[str] = []
    for line in range(height, 0, -1):
        cells = []
        for value in shown:
            eighths = round(max(0.0, value) / top * height * 8) - (line - 1) * 8
            block = BLOCKS[max(0, min(8, eighths))]
            if value > 0 and line == 1 and block == " ":
                block = BLOCKS[1]  # a non-zero value always shows
            cells.append((block * (step - 1 if step > 1 else 1)).ljust(step))
        axis = f"{top:g}" if line == height else ("0" if line == 1 else "")
        rows.append(f"{axis:>{scale}} ┤{''.join(cells)}".rstrip())
    counts = "".join(f"{v:g}".ljust(step) if step > 1 and len(f"{v:g}") < step else
                     ("·" if v == 0 else "+").ljust(step) for v in shown)
    rows.append(f"{'':>{scale}}  {counts}".rstrip())
    every = max(1, -(-6 // step))  # a label needs about six cells
    label_line = [" "] * (len(shown) * step)
    for index, name in enumerate(names):
        if index % every == 0:
            for offset, ch in enumerate(name[: every * step - 1]):
                if index * step + offset < len(label_line):
                    label_line[index * step + offset] = ch
    rows.append(f"{'':>{scale}}  {''.join(label_line)}".rstrip())
    return rows


def budget_line(points: Sequence[float | None], width: int = 40) -> str:
    """A series of budget fractions (1.0 = all left) as one line of eighth-blocks, oldest
    first; an exhausted budget is ``_``, an unknown point a space. At most ``width`` cells
    (the last ones)."""
    out = []
    for value in list(points)[-width:]:
        if value is None:
            out.append(" ")
        elif value <= 0:
            out.append("_")
        else:
            out.append(BLOCKS[max(1, min(8, round(value * 8)))])
    return "".join(out)


BUDGET_CELLS = 96
"""Cells of an SLO's budget line over the whole window (7.5 minutes each over 12 hours)."""
SAMPLE_HOLD_S = 600.0
"""How long a budget sample holds (the report's rule: until the next one, 10 minutes at most)."""


@dataclass(frozen=True)
class BudgetSeries:
    """One SLO's error budget over the window, as the report's SLO section counts it."""

    name: str
    """``service / SLO``."""
    points: tuple[float | None, ...]
    """The budget left (1.0 = all) in each of :data:`BUDGET_CELLS` equal parts of the window,
    oldest first; None where no sample holds (not recorded)."""
    start: float | None = None
    """The first sample's budget in the window (the report's "budget start")."""
    end: float | None = None
    """The last sample's budget (the report's "budget end")."""


@dataclass(frozen=True)
class ReportFigures:
    """What the report screen draws above the report's text."""

    pages: tuple[tuple[str, int], ...] = ()
    """(hour as ``HH`` in the report's zone, pages) for every hour of the window."""
    budgets: tuple[BudgetSeries, ...] = ()
    """Every SLO sampled in the window, by name."""


def report_figures(report: Mapping[str, Any], samples: Iterable[Mapping[str, Any]],
                   zone: tzinfo | None = None) -> ReportFigures:
    """The charts' figures from a built report (its ``pages_per_hour`` and window) and the shift
    history's SLO samples (``at``, ``service``, ``name``, ``source``, ``slo_id``, ``budget``, oldest
    first), placed on the window's time axis: a part of the window no sample holds stays empty."""
    pages = []
    for hour in report.get("pages_per_hour", []):
        when = parse_time(hour.get("hour"))
        pages.append((when.astimezone(zone).strftime("%H") if when is not None else "?", int(hour.get("pages") or 0)))
    window = report.get("window") or {}
    since, until = parse_time(window.get("since")), parse_time(window.get("until"))
    span = (until - since).total_seconds() if since and until and until > since else 0.0
    cell = span / BUDGET_CELLS
    series: dict[tuple[str, str], list[float | None]] = {}
    ends: dict[tuple[str, str], list[float]] = {}
    names: dict[tuple[str, str], str] = {}
    for sample in samples:
        key = (str(sample.get("source")), str(sample.get("slo_id")))
        names[key] = f"{clean_line(sample.get('service') or '?', 30)} / {clean_line(sample.get('name') or '?', 40)}"
        points = series.setdefault(key, [None] * BUDGET_CELLS)
        budget, at = sample.get("budget"), sample.get("at")
        if not isinstance(budget, (int, float)) or since is None or not cell or not hasattr(at, "timestamp"):
            continue
        ends.setdefault(key, []).append(float(budget))
        offset = (at - since).total_seconds()
        first = max(0, int(offset // cell))
        last = min(BUDGET_CELLS - 1, int((offset + SAMPLE_HOLD_S) // cell))
        for index in range(first, last + 1):
            points[index] = float(budget)  # a later sample replaces what an earlier one held
    budgets = tuple(BudgetSeries(names[key], tuple(points), (ends.get(key) or [None])[0], (ends.get(key) or [None])[-1])
                    for key, points in sorted(series.items(), key=lambda kv: names[kv[0]]))
    return ReportFigures(tuple(pages), budgets)
