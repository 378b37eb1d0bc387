"""What a runbook search returns: plain values the engine hands to the UI and the widgets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DocEntry", "Hit"]


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
