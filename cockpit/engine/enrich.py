"""Facts one source adds to another's items: an alert's runbook_url resolved to a local file.

Runs on the poller's thread after each poll (and after ``snapshot``'s single round), so the
app and the snapshot both see ``alerts[].runbook.path`` without the UI doing any lookup.
"""

from __future__ import annotations

from cockpit.core.models import Alert, RunbookRef, SourceState
from cockpit.sources.base import Source

__all__ = ["RunbookResolver"]


class RunbookResolver:
    """Resolves alerts' runbook URLs through every configured runbooks source's index."""

    def __init__(self, sources: list[Source]) -> None:
        self.indexes = [s.index for s in sources if s.type_name == "runbooks" and hasattr(s, "index")]

    def apply(self, state: SourceState) -> SourceState:
        """Fill ``runbook.path`` of the state's alerts where the URL maps to a local file."""
        if not self.indexes:
            return state
        for item in state.items:
            if not isinstance(item, Alert):
                continue
            url = (item.runbook.url if item.runbook else None) or item.annotations.get("runbook_url")
            if not url:
                continue
            path = self._resolve(url)
            if path:
                item.runbook = RunbookRef(url=url, path=path)
            elif item.runbook is None:
                item.runbook = RunbookRef(url=url, path=None)
        return state

    def _resolve(self, url: str) -> str | None:
        for index in self.indexes:
            try:
                entry = index.resolve(url)
            except Exception:  # an index being rebuilt must not break a poll
                continue
            if entry is not None:
                return entry.path
        return None
