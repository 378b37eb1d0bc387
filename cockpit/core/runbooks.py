"""What a runbook search returns: plain values the engine hands to the UI and the widgets; and
:class:`RunbookIndexer`, the full-text index as the runbooks source sees it.

The index is an engine store (SQLite FTS5, :mod:`cockpit.engine.runbooks.index`); the runbooks
source fills it on each poll. So that the source need not import the engine, the engine lends it
a way to open the index (``SourceContext.open_runbook_index``) typed by this protocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = ["DocEntry", "Hit", "OpenRunbookIndex", "RunbookIndexer", "UpdateStats"]


@dataclass(frozen=True)
class DocEntry:
    """One indexed file."""

    root: str
    """The configured runbooks dir (absolute)."""
    path: str
    """Relative to ``root``, with ``/`` separators."""
    title: str

    @property
    def full_path(self) -> Path:
        return Path(self.root) / self.path


@dataclass(frozen=True)
class Hit:
    """One search result. ``score``: higher is better (bm25 negated)."""

    path: str
    title: str
    score: float
    snippet: str
    """Plain text around the best match in the body, on one line, already free of escapes and
    control characters (the index stores runbook text through :func:`cockpit.core.textsafe.clean`)."""
    root: str = ""
    highlights: tuple[tuple[int, int], ...] = ()
    """``(start, end)`` offsets into ``snippet`` of the matched words."""

    @property
    def full_path(self) -> Path:
        return Path(self.root) / self.path

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``cockpit runbooks search --json``."""
        return {
            "path": self.path,
            "title": self.title,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
            "root": self.root,
        }


@dataclass
class UpdateStats:
    """What one :meth:`RunbookIndexer.update` did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    missing_roots: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """One line per file that could not be read (the rest of the index is still updated)."""

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


class RunbookIndexer(Protocol):
    """The index as its users see it: brought up to date and listed by the source, searched and
    resolved by the engine."""

    roots: list[Path]

    def update(self) -> UpdateStats:
        """Re-read what changed under the roots; drop what is gone."""

    def documents(self) -> list[DocEntry]:
        """Every indexed file under the roots."""

    def search(self, query: str, limit: int = 20, *, prefix: bool = False) -> list[Hit]:
        """The best matches for free text, best first."""

    def best_for_alert(self, alert_name: str) -> Hit | None:
        """The runbook an alert of this name most likely has."""

    def resolve(self, runbook_url: str | None) -> DocEntry | None:
        """The indexed file an alert's ``runbook_url`` names, if any."""

    def resolve_url(self, runbook_url: str | None) -> Path | None:
        """Like :meth:`resolve`, as a full path."""

    def close(self) -> None:
        """Release the index's connection."""


class OpenRunbookIndex(Protocol):
    """The engine's way to open the index over ``roots`` with ``url_prefixes``."""

    def __call__(self, roots: Iterable[Path], url_prefixes: Iterable[str]) -> RunbookIndexer: ...
