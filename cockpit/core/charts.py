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

__all__ = ["BLOCKS", "ReportFigures", "bar_chart", "budget_line", "report_figures"]

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


@dataclass(frozen=True)
class ReportFigures:
    """What the report screen draws above the report's text."""

    pages: tuple[tuple[str, int], ...] = ()
    """(hour as ``HH`` in the report's zone, pages) for every hour of the window."""
    budgets: tuple[tuple[str, tuple[float | None, ...]], ...] = ()
    """(``service / SLO``, budget fractions oldest first) for every SLO sampled in the window."""


def report_figures(report: Mapping[str, Any], samples: Iterable[Mapping[str, Any]],
                   zone: tzinfo | None = None) -> ReportFigures:
    """The charts' figures from a built report (its ``pages_per_hour``) and the shift history's
    SLO samples (``service``, ``name``, ``source``, ``slo_id``, ``budget``, oldest first)."""
    pages = []
    for hour in report.get("pages_per_hour", []):
        when = parse_time(hour.get("hour"))
        pages.append((when.astimezone(zone).strftime("%H") if when is not None else "?", int(hour.get("pages") or 0)))
    series: dict[tuple[str, str], list[float | None]] = {}
    names: dict[tuple[str, str], str] = {}
    for sample in samples:
        key = (str(sample.get("source")), str(sample.get("slo_id")))
        names[key] = f"{clean_line(sample.get('service') or '?', 30)} / {clean_line(sample.get('name') or '?', 40)}"
        budget = sample.get("budget")
        series.setdefault(key, []).append(float(budget) if isinstance(budget, (int, float)) else None)
    budgets = tuple((names[key], tuple(points)) for key, points in sorted(series.items(), key=lambda kv: names[kv[0]]))
    return ReportFigures(tuple(pages), budgets)
