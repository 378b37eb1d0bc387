"""Responsive columns: which of a panel's columns fit its width, and how wide each is.

Every panel declares its columns once, each with a priority and, for text that may be
shortened, a minimum width. :func:`fit_columns` keeps the most important columns that fit: the
lowest-priority columns go first, a column that must never be cut (a number, an age, a status)
is shown whole or not at all, and text columns (names, summaries) are shortened to an
ellipsis, never below their minimum. It is a pure function of the widths, so a test can ask
what a panel shows at 80 columns without drawing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from rich.text import Text

__all__ = ["CELL_PADDING", "SORT_MARK", "ColumnSpec", "cell_order", "fit_cell", "fit_columns", "natural_widths",
           "next_sort"]

SORT_MARK = " ▲"
"""Put after the label of the column a panel is sorted by (the order: smallest first)."""

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def cell_order(text: str) -> tuple:
    """A sort key for a cell as shown: durations (``3h05m``) and numbers (``▲15.5``, `` 22%``)
    by value, anything else by its words, case-insensitive; an empty cell or ``-`` last."""
    plain = text.strip()
    if not plain or plain == "-":
        return (2, 0.0, "")
    match = _DURATION.match(plain)
    if match and any(match.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return (0, float(((days * 24 + hours) * 60 + minutes) * 60 + seconds), "")
    number = _NUMBER.search(plain)
    if number and not any(ch.isalpha() for ch in plain[: number.start()]):
        return (0, float(number.group()), plain.casefold())
    return (1, 0.0, plain.casefold())


def next_sort(specs: Sequence[ColumnSpec], shown: Sequence[str], current: str | None) -> str | None:
    """The column the sort key moves to: the next sortable column on screen after ``current``,
    and back to the panel's own order (None) after the last."""
    keys = [s.key for s in specs if s.sortable and (not shown or s.key in shown)]
    if current not in keys:
        return keys[0] if keys else None
    index = keys.index(current) + 1
    return keys[index] if index < len(keys) else None

CELL_PADDING = 2
"""Cells the table adds around each column (one each side)."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a panel."""

    key: str
    """Stable key (also the table's column key)."""
    label: str
    """Header text."""
    priority: int = 5
    """0: always shown; higher numbers are dropped first when the panel is narrow."""
    min_width: int | None = None
    """For text that may end in an ellipsis: the narrowest it may become. None: never cut
    (numbers, ages, statuses, marks): shown whole or dropped."""
    max_width: int | None = None
    """For shortenable text: the width it is held to while another column still wants room."""
    reserve: int = 0
    """Width kept even when the content is narrower (an age column keeps room for ``2h05m``,
    so a ticking age never re-lays the table out)."""
    sortable: bool = True
    """Whether the sort key offers this column."""
    keep_match: bool = False
    """A cut keeps the first styled span (a search match) in view (see :func:`fit_cell`)."""


def natural_widths(specs: Sequence[ColumnSpec], rows: Sequence[Sequence[Text]],
                   labels: Mapping[str, int] | None = None) -> dict[str, int]:
    """The width each column would take uncut: its widest cell, its label (``labels``: the
    header's width when it is not the plain label, e.g. with a sort mark) or its reserve."""
    labels = labels or {}
    widths = {spec.key: max(labels.get(spec.key, len(spec.label)), spec.reserve) for spec in specs}
    keys = [spec.key for spec in specs]
    for cells in rows:
        for key, cell in zip(keys, cells):
            length = cell.cell_len
            if length > widths[key]:
                widths[key] = length
    return widths


def fit_columns(specs: Sequence[ColumnSpec], natural: Mapping[str, int], available: int,
                padding: int = CELL_PADDING) -> dict[str, int]:
    """Visible columns (in declaration order) and their widths, for ``available`` cells.

    The least important column (highest ``priority`` number) is dropped while the columns
    left do not fit with every more important text column at its comfortable width (its
    natural width up to ``max_width``) and every other at its least width (uncut columns at
    their natural width, text at ``min_width``): a long name is not shortened to keep a
    column that matters less. The room left goes to the text columns, most important first:
    up to ``max_width``, then up to their natural width. Priority-0 columns are never dropped.
    """
    def least(spec: ColumnSpec) -> int:
        want = natural.get(spec.key, len(spec.label))
        return want if spec.min_width is None else min(want, spec.min_width)

    def comfortable(spec: ColumnSpec) -> int:
        if spec.min_width is None or spec.max_width is None:
            return least(spec)
        return max(least(spec), min(natural.get(spec.key, 0), spec.max_width))

    shown = list(specs)
    for spec in sorted(specs, key=lambda s: -s.priority):
        if spec.priority == 0:
            break
        cost = sum((comfortable(s) if s.priority < spec.priority else least(s)) + padding for s in shown)
        if cost <= available:
            break
        shown.remove(spec)
    widths = {spec.key: least(spec) for spec in shown}
    room = available - sum(w + padding for w in widths.values())
    text_columns = sorted((s for s in shown if s.min_width is not None), key=lambda s: s.priority)
    for capped in (True, False):
        for spec in text_columns:
            if room <= 0:
                break
            limit = natural.get(spec.key, 0)
            if capped and spec.max_width is not None:
                limit = min(limit, spec.max_width)
            grow = max(0, min(room, limit - widths[spec.key]))
            widths[spec.key] += grow
            room -= grow
    return {spec.key: widths[spec.key] for spec in specs if spec.key in widths}


def fit_cell(cell: Text, width: int, keep_match: bool = False) -> Text:
    """A cell shortened to ``width`` with an ellipsis (the cell itself when it fits).

    ``keep_match``: when the first styled span (a search match) would fall past the cut, the
    text starts a little before it, behind a leading ellipsis, so the match stays in view.
    """
    if cell.cell_len <= width:
        return cell
    short = cell.copy()
    if keep_match and cell.spans and width > 8:
        first = min(span.start for span in cell.spans)
        if first + 4 > width - 1:
            short = Text("…") + short[max(0, first - 8):]
    short.truncate(width, overflow="ellipsis")
    return short
