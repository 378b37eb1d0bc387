"""Where the panels go: which share a row, and how tall each row is.

A pure function of the panels shown, the lines each wants and the room on screen, so that a
test can ask what 80x24 looks like without drawing it. Narrow screens (under
:data:`WIDE_AT` columns) put Alerts across the top and the others two to a row; wide screens
put Alerts beside the SLOs and the rest three to a row. A panel of a kind with no source is
not shown at all and its room goes to the others. Rows are as tall as their tallest panel
wants; when the screen is too short, every row keeps :data:`MIN_ROW` lines and the rest is
shared out, the Alerts row counting double, so a long list of alerts gets the most room.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

__all__ = ["GRID_COLUMNS", "MIN_ROW", "WIDE_AT", "Arrangement", "arrange"]

GRID_COLUMNS = 6
"""The grid's columns: a row of one, two or three panels divides it evenly."""
WIDE_AT = 140
"""From this many columns, the wide arrangement."""
MIN_ROW = 4
"""Lines a row keeps however short the screen: the panel header, the column header, two rows."""


@dataclass(frozen=True)
class Arrangement:
    """The grid: its rows' heights and, per panel shown, its row and column span."""

    rows: tuple[int, ...]
    """Height of each grid row, in lines."""
    spans: tuple[tuple[str, int, int], ...]
    """(panel id, grid row, column span) for each panel shown, in order."""

    @property
    def shown(self) -> tuple[str, ...]:
        return tuple(panel for panel, _row, _span in self.spans)


def _rows_of(panels: Sequence[str], wide: bool) -> list[list[str]]:
    rest = [p for p in panels if p != "alerts"]
    rows: list[list[str]] = []
    if "alerts" in panels:
        if wide and "slos" in rest:
            rows.append(["alerts", "slos"])
            rest.remove("slos")
        else:
            rows.append(["alerts"])
    per_row = 3 if wide else 2
    rows += [rest[i:i + per_row] for i in range(0, len(rest), per_row)]
    return [row for row in rows if row]


def _share(wants: list[int], weights: list[int], room: int) -> list[int]:
    """Heights for rows wanting ``wants`` lines in ``room`` lines: each row gets what it wants
    when everything fits; else every row MIN_ROW (or less when it wants less) and the rest,
    line by line, to the row with the least height per weight that still wants more."""
    if sum(wants) <= room:
        return list(wants)
    heights = [min(want, MIN_ROW) for want in wants]
    spare = room - sum(heights)
    while spare > 0:
        hungry = [i for i, h in enumerate(heights) if h < wants[i]]
        if not hungry:
            break
        i = min(hungry, key=lambda i: (heights[i] / weights[i], i))
        heights[i] += 1
        spare -= 1
    return heights


def arrange(wants: Mapping[str, int], width: int, height: int) -> Arrangement:
    """Arrange the panels in ``wants`` (panel id -> lines wanted, in panel order) in a
    ``width`` x ``height`` area."""
    rows = _rows_of(list(wants), width >= WIDE_AT)
    row_wants = [max(wants[p] for p in row) for row in rows]
    weights = [2 if "alerts" in row else 1 for row in rows]
    heights = _share(row_wants, weights, height)
    spans = tuple((panel, index, GRID_COLUMNS // len(row)) for index, row in enumerate(rows) for panel in row)
    return Arrangement(tuple(heights), spans)
