"""The Pipelines panel: failed and running CI runs, grouped by repo.

Each repo starts with a group row (``▾ shop/checkout`` and its counts, ``✗2 ↻1``); its runs
follow, indented, failures first, newest first. Status and the new mark come right after the
workflow so that a narrow panel still shows them. A failure that appeared since the cockpit
started is marked ``✱`` (a column of its own) until the user has seen its row: the cursor rested
on it with the panel focused, or its details were opened (:mod:`cockpit.widgets.new_rows`);
tabbing through the panel clears nothing. Failures already there in the first data the panel
gets are not new (nothing is known about what the user saw before the cockpit started).

A failed run whose upstream says where it failed names its job and step last (``Failed at``:
``test › Run tests``, ``3 jobs: lint › ruff``), the first column given up when the panel is narrow
(``z`` maximises the panel); the detail lists every failed job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from rich.text import Text

from cockpit.core.failed_jobs import failed_jobs_cell
from cockpit.core.models import Pipeline, RunStatus, SourceKind, SourceState
from cockpit.core.textsafe import clean_line
from cockpit.widgets.deploys import RUN_MARKS, duration_text, run_status_cell, run_status_width, short_version
from cockpit.widgets.new_rows import NewRows, new_column
from cockpit.widgets.panel import ColumnSpec, Panel, age_text, plain

__all__ = ["PipelinesPanel", "RepoGroup"]

_SHOWN = {RunStatus.FAILED, RunStatus.RUNNING, RunStatus.QUEUED}
_ORDER = {RunStatus.FAILED: 0, RunStatus.RUNNING: 1, RunStatus.QUEUED: 2}


@dataclass(frozen=True)
class RepoGroup:
    """The group row above a repo's runs (not an item: ``enter`` on it does nothing)."""

    repo: str
    counts: tuple[tuple[RunStatus, int], ...]
    """Runs shown per status, in the panel's order, zero counts left out."""

    @property
    def summary(self) -> str:
        """``✗2 ↻1``: count per status with the symbol the rows use."""
        return " ".join(f"{RUN_MARKS[status]}{count}" for status, count in self.counts)


class PipelinesPanel(NewRows, Panel[Pipeline]):
    """Pipelines that need attention (failed) or are under way (running, queued)."""

    KIND = SourceKind.PIPELINES
    ITEM_TYPE = "pipeline"
    TITLE = "Pipelines"
    AGE_COLUMN = ("age", "started_at")
    COLUMNS = (
        ColumnSpec("name", "Workflow", 0, min_width=10, max_width=30),  # the group row writes the repo here
        ColumnSpec("status", "Status", 0, reserve=run_status_width(_SHOWN)),
        new_column(0),  # kept at 80 columns, as in the Alerts panel
        ColumnSpec("branch", "Branch", 4, min_width=6, max_width=20),
        ColumnSpec("commit", "Commit", 5),
        ColumnSpec("author", "Author", 6, min_width=6, max_width=16),
        ColumnSpec("age", "Age", 0, reserve=5),
        ColumnSpec("duration", "Took", 7),
        ColumnSpec("failed", "Failed at", 8, min_width=10, max_width=32, reserve=10),  # dropped first
    )

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._seen: set[str] | None = None
        """Keys of the failures the user has seen; None until the first data arrives."""

    # ----- "new" until seen (see cockpit.widgets.new_rows) -------------------------------
    def _failure_keys(self) -> set[str]:
        return {self.item_key(p) for p in self._items if RunStatus(p.status) == RunStatus.FAILED}

    def set_states(self, states: Iterable[SourceState], now: datetime | None = None) -> None:
        states = list(states)
        super().set_states(states, now)
        if self._seen is None and any(s.fetched_at is not None for s in self._states.values()):
            self._seen = self._failure_keys()  # the first data is the baseline
            self._cache = {}
            self._render_all()
        elif self._seen:
            self._seen &= self._failure_keys()  # a run gone from the panel is forgotten

    def is_new(self, item: Pipeline) -> bool:
        """A failure the user has not looked at yet."""
        return (self._seen is not None and RunStatus(item.status) == RunStatus.FAILED
                and self.item_key(item) not in self._seen)

    def see(self, item: Pipeline) -> None:
        """The user has seen this failure's row: its marker goes."""
        if self._seen is not None:
            self._seen.add(self.item_key(item))
            self._cache.pop(self.item_key(item), None)  # the mark is not part of the item
            self._render_all()

    # ----- rows -------------------------------------------------------------------------
    def keep_item(self, item: Pipeline) -> bool:
        return RunStatus(item.status) in _SHOWN

    def item_key(self, item: Pipeline) -> str:
        started = item.started_at.isoformat() if item.started_at else ""
        return f"{item.source}/{item.id or f'{item.repo}/{item.name}/{item.branch}/{item.commit}/{started}'}"

    def sort_items(self, items: list[Pipeline]) -> list[Pipeline]:
        return sorted(items, key=lambda p: (p.repo, _ORDER.get(RunStatus(p.status), 3),
                                            -(p.started_at.timestamp()) if p.started_at else 0.0))

    def sort_value(self, item: Pipeline, cells) -> tuple:
        """Sorted within each repo, so the runs stay under their repo's row."""
        return (item.repo, super().sort_value(item, cells))

    def matches_filter(self, item: Pipeline, cells: list[Text], text: str) -> bool:
        """The repo is only written on the group row, so it is matched here."""
        return text.casefold() in item.repo.casefold() or super().matches_filter(item, cells, text)

    def row_cells(self, item: Pipeline, now: datetime) -> list[Text]:
        return [
            Text.assemble("  ", plain(item.name, 40)),  # indented under its repo's group row
            run_status_cell(self, item.status),
            self.new_cell(item),
            plain(item.branch or "-", 30),
            plain(short_version(item.commit, 8), 12),
            plain(item.author or "-", 24),
            Text(age_text(item.started_at, now)),
            Text(duration_text(item.duration_s)),
            plain(failed_jobs_cell(item.failed_jobs), 120),
        ]

    def group_cells(self, group: RepoGroup) -> list[Text]:
        """``▾ shop/checkout`` and, in the status column, ``✗2 ↻1`` (the rows' symbols)."""
        cells = [Text("") for _ in self.COLUMNS]
        cells[0] = plain(f"▾ {clean_line(group.repo, 60)}", 64, "bold")
        cells[1] = Text(group.summary, style=self.cell_style("muted"))
        return cells

    def _rows(self) -> list[tuple[str, Pipeline, list[Text]]]:
        """The base rows (one per run, filtered, cached) with a group row before each repo."""
        rows = super()._rows()
        out: list = []
        for index, (key, item, cells) in enumerate(rows):
            if index == 0 or rows[index - 1][1].repo != item.repo:
                runs = [r[1] for r in rows[index:] if r[1].repo == item.repo]
                counts = tuple((status, n) for status in _ORDER
                               if (n := sum(1 for r in runs if RunStatus(r.status) == status)))
                group = RepoGroup(item.repo, counts)
                out.append((f"group:{item.repo}", group, self.group_cells(group)))
            out.append((key, item, cells))
        return out

    # ----- group rows are not items -----------------------------------------------------
    @property
    def visible_items(self) -> list[Pipeline]:
        return [item for item in super().visible_items if not isinstance(item, RepoGroup)]

    @property
    def selected_item(self) -> Pipeline | None:
        item = super().selected_item
        return None if isinstance(item, RepoGroup) else item

    def count_text(self) -> Text:
        """The base count, and how many failures are marked new (`` 4 · 1 new``)."""
        text = super().count_text()
        new = sum(1 for item in self._items if self.is_new(item))
        if new:
            text.append(f" · {new} new", style=self.cell_style("accent"))
        return text

    def header_text(self) -> Text:
        """The base header, counting runs only (not the group rows)."""
        shown = self._shown
        self._shown = [(key, item) for key, item in shown if not isinstance(item, RepoGroup)]
        try:
            return super().header_text()
        finally:
            self._shown = shown
