"""Text charts from Unicode blocks: a one-line sparkline and a multi-line column chart.

Pure functions (no Textual, no Rich) so the SLO panel, the SLO detail screen and plain-text
output can share them. Gaps (``None``) are drawn as a space, never as zero: a missing sample
is not a quiet one. Values are scaled from 0 to ``max(values, floor)``; the floor (burn rate 1
by default, "spending exactly the budget") keeps a flat, low series looking low instead of
stretching noise to full height.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["BLOCKS", "column_chart", "downsample", "sparkline"]

BLOCKS = "▁▂▃▄▅▆▇█"
"""Eight heights, lowest first."""

_EIGHTHS = " ▁▂▃▄▅▆▇█"
"""Partial cells for the column chart: index = eighths of a cell filled."""


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def downsample(values: Sequence[float | None], width: int) -> list[float | None]:
    """At most ``width`` points; each is the largest value of its bucket (peaks matter most).

    A bucket with no known value stays ``None``.
    """
    points = [_finite(v) for v in values]
    if width <= 0:
        return []
    if len(points) <= width:
        return points
    out: list[float | None] = []
    for index in range(width):
        start = index * len(points) // width
        end = max(start + 1, (index + 1) * len(points) // width)
        known = [v for v in points[start:end] if v is not None]
        out.append(max(known) if known else None)
    return out


def _top(points: Sequence[float | None], floor: float) -> float:
    known = [v for v in points if v is not None]
    return max([floor, *known]) if known else floor


def sparkline(values: Sequence[float | None], width: int = 12, floor: float = 1.0,
              top: float | None = None) -> str:
    """``▁▁▂▁▃▇█`` for the series, at most ``width`` characters; empty for an empty series.

    ``top``: a scale shared with other sparklines (the full block); by default the series' own
    peak. A value above ``top`` is drawn full.
    """
    points = downsample(values, width)
    top = max(top, floor) if top is not None else _top(points, floor)
    chars = []
    for value in points:
        if value is None:
            chars.append(" ")
            continue
        level = 0 if top <= 0 else round(max(0.0, value) / top * (len(BLOCKS) - 1))
        chars.append(BLOCKS[min(level, len(BLOCKS) - 1)])
    return "".join(chars)


def column_chart(
    values: Sequence[float | None],
    width: int = 48,
    height: int = 8,
    floor: float = 1.0,
    marks: Sequence[tuple[float, str]] = (),
) -> list[str]:
    """A chart ``height`` lines tall, top line first, each line ``width`` characters at most.

    Every column is one point (after :func:`downsample`), filled up to its value in eighths of
    a cell. ``marks`` are (value, label) reference lines, e.g. ``(14.4, "page")``: drawn with
    ``┈`` where no column covers them and written after the line, when within the scale.
    The left axis gives the scale: the top value on the first line, 0 on the last.
    """
    points = downsample(values, width)
    top = _top(points, floor)
    eighths = [None if v is None else round(max(0.0, v) / top * height * 8) for v in points]
    mark_rows: dict[int, str] = {}
    for value, label in marks:
        if 0 < value <= top:
            row = min(height - 1, int(value / top * height))  # the row that contains the value
            mark_rows.setdefault(row, label)
    axis_width = len(_axis(top))
    lines = []
    for row in range(height - 1, -1, -1):
        cells = []
        for filled in eighths:
            if filled is None:
                cells.append(" ")
                continue
            part = filled - row * 8
            if part >= 8:
                cells.append("█")
            elif part > 0:
                cells.append(_EIGHTHS[part])
            else:
                cells.append("┈" if row in mark_rows else " ")
        label = _axis(top) if row == height - 1 else ("0" if row == 0 else "")
        suffix = f" {mark_rows[row]}" if row in mark_rows else ""
        lines.append(f"{label.rjust(axis_width)} ┤{''.join(cells)}{suffix}".rstrip())
    return lines


def _axis(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"
