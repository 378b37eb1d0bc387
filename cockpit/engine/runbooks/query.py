"""How user input becomes a safe FTS5 query.

Kept apart from :mod:`cockpit.engine.runbooks.index` (the SQLite side) so the query building can
be tested on its own. The result types (:class:`cockpit.core.runbooks.Hit`, ``DocEntry``) are
in the core, where the UI and the widgets can use them.
"""

from __future__ import annotations

import re

__all__ = ["build_match_query", "split_words"]

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


