"""The values a runbook search deals in, and how user input becomes a safe FTS5 query.

Kept apart from :mod:`cockpit.engine.runbooks.index` (the SQLite side) so the UI can import the result
types without the index, and so the query building can be tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DocEntry", "Hit", "UpdateStats", "build_match_query", "split_words"]

_MARK_START, _MARK_END = "\x02", "\x03"
"""What FTS5's snippet() puts around matches; never present in indexed text (it is cleaned)."""
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_MAX_TERMS = 32
_WORD = re.compile(r"[^\W_]+")

def split_words(stem: str) -> list[str]:
    """``KubeAPIErrorBudgetBurn`` -> ``["Kube", "API", "Error", "Budget", "Burn"]``."""
    return _CAMEL.findall(stem)


def build_match_query(query: str, *, prefix: bool = False, operator: str = "AND") -> str | None:
    """An FTS5 MATCH expression for free text: each word quoted, so no syntax leaks through.

    Words are the runs of letters and digits (as FTS5's tokenizer sees them); ``prefix`` makes
    the last word a prefix when the text ends inside it (search as you type). Returns None when
    the input has no word at all.
    """
    words = _WORD.findall(query)[:_MAX_TERMS]
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    if prefix and query[-1:].isalnum():
        terms[-1] += " *"
    return f" {operator} ".join(terms)


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
    """What one :meth:`RunbookIndex.update` did."""

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


def _parse_snippet(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn FTS5's marked snippet into one-line plain text and highlight offsets."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    pending_space = False
    for ch in marked:
        if ch == _MARK_START:
            if pending_space and length:
                out.append(" ")
                length += 1
            pending_space = False
            start = length
        elif ch == _MARK_END:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        elif ch.isspace():
            pending_space = True
        else:
            if pending_space and length:
                out.append(" ")
                length += 1
            pending_space = False
            out.append(ch)
            length += 1
    return "".join(out), tuple(spans)


