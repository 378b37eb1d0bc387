"""The Deploys panel: newest first; service, environment, version, who, when, status."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.models import Deploy, RunStatus, SourceKind
from widgets.panel import Panel, age_text, plain

__all__ = ["RUN_MARKS", "DeploysPanel", "run_status_cell", "short_version"]

RUN_MARKS: dict[RunStatus, str] = {
    RunStatus.SUCCEEDED: "✓",
    RunStatus.FAILED: "✗",
    RunStatus.RUNNING: "↻",
    RunStatus.QUEUED: "…",
    RunStatus.CANCELLED: "⊘",
}
"""A symbol per run status, shown beside the word."""

_RUN_ROLES = {RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "error",
              RunStatus.RUNNING: "info", RunStatus.QUEUED: "muted", RunStatus.CANCELLED: "muted"}


def run_status_cell(panel: Panel, status: RunStatus | str) -> Text:
    """``✗ failed`` styled by its role."""
    status = RunStatus(status)
    return Text(f"{RUN_MARKS[status]} {status.value}", style=panel.cell_style(_RUN_ROLES[status]))


def short_version(version: str | None) -> str:
    """A 40-hex commit shortened to 8 characters; tags and other versions as they are."""
    if version and len(version) == 40 and all(c in "0123456789abcdef" for c in version.lower()):
        return version[:8]
    return version or "-"


class DeploysPanel(Panel[Deploy]):
    """Recent deploys of every deploys source, newest first."""

    KIND = SourceKind.DEPLOYS
    ITEM_TYPE = "deploy"
    TITLE = "Deploys"
    NUMBER = 3
    AGE_COLUMN = ("when", "started_at")
    COLUMNS = (
        ("service", "Service", None),
        ("env", "Env", None),
        ("version", "Version", None),
        ("author", "Who", None),
        ("when", "When", None),
        ("status", "Status", None),
    )

    def item_key(self, item: Deploy) -> str:
        started = item.started_at.isoformat() if item.started_at else ""
        return f"{item.source}/{item.id or f'{item.service}/{item.environment}/{item.version}/{started}'}"

    def sort_items(self, items: list[Deploy]) -> list[Deploy]:
        return sorted(items, key=lambda d: -(d.started_at.timestamp()) if d.started_at else 0.0)

    def row_cells(self, item: Deploy, now: datetime) -> list[Text]:
        return [
            plain(item.service, 40, "bold"),
            plain(item.environment or "-", 20),
            plain(short_version(item.version), 24),
            plain(item.author or "-", 24),
            Text(age_text(item.started_at, now)),
            run_status_cell(self, item.status),
        ]
