"""The Pipelines panel: failed and running CI runs, by repo, newest first."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.models import Pipeline, RunStatus, SourceKind
from widgets.deploys import run_status_cell, short_version
from widgets.panel import Panel, age_text, plain

__all__ = ["PipelinesPanel"]

_SHOWN = {RunStatus.FAILED, RunStatus.RUNNING, RunStatus.QUEUED}


class PipelinesPanel(Panel[Pipeline]):
    """Pipelines that need attention (failed) or are under way (running, queued)."""

    KIND = SourceKind.PIPELINES
    ITEM_TYPE = "pipeline"
    TITLE = "Pipelines"
    NUMBER = 4
    AGE_COLUMN = ("age", "started_at")
    COLUMNS = (
        ("repo", "Repo", None),
        ("name", "Workflow", None),
        ("branch", "Branch", None),
        ("commit", "Commit", None),
        ("author", "Author", None),
        ("age", "Age", None),
        ("status", "Status", None),
    )

    def keep_item(self, item: Pipeline) -> bool:
        return RunStatus(item.status) in _SHOWN

    def item_key(self, item: Pipeline) -> str:
        started = item.started_at.isoformat() if item.started_at else ""
        return f"{item.source}/{item.id or f'{item.repo}/{item.name}/{item.branch}/{item.commit}/{started}'}"

    def sort_items(self, items: list[Pipeline]) -> list[Pipeline]:
        return sorted(
            items, key=lambda p: (p.repo, -(p.started_at.timestamp()) if p.started_at else 0.0)
        )

    def row_cells(self, item: Pipeline, now: datetime) -> list[Text]:
        return [
            plain(item.repo, 40, "bold"),
            plain(item.name, 40),
            plain(item.branch or "-", 30),
            plain(short_version(item.commit), 12),
            plain(item.author or "-", 24),
            Text(age_text(item.started_at, now)),
            run_status_cell(self, item.status),
        ]
