"""The Runbooks panel: the runbooks the configured sources know, by title."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.models import RunbookDoc, SourceKind
from widgets.panel import Panel, plain

__all__ = ["RunbooksPanel"]


class RunbooksPanel(Panel[RunbookDoc]):
    """Every runbook document, sorted by title (search comes with the runbooks issue)."""

    KIND = SourceKind.RUNBOOKS
    ITEM_TYPE = "runbook"
    TITLE = "Runbooks"
    NUMBER = 5
    COLUMNS = (
        ("title", "Title", None),
        ("path", "Path", None),
    )

    def item_key(self, item: RunbookDoc) -> str:
        return f"{item.source}/{item.root}/{item.path}"

    def sort_items(self, items: list[RunbookDoc]) -> list[RunbookDoc]:
        return sorted(items, key=lambda r: (r.title.casefold(), r.path))

    def row_cells(self, item: RunbookDoc, now: datetime) -> list[Text]:
        return [plain(item.title, 120, "bold"), plain(item.path, 120, self.cell_style("muted"))]
