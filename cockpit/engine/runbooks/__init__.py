"""Runbooks in the engine: the full-text index (:mod:`.index`), Markdown parsing (:mod:`.doc`)
and safe query building (:mod:`.query`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cockpit.core.runbooks import OpenRunbookIndex, RunbookIndexer

__all__ = ["index_opener"]


def index_opener(cache_dir: Path) -> OpenRunbookIndex:
    """What the engine lends the runbooks sources (``SourceContext.open_runbook_index``): opens
    the index in ``cache_dir`` over the roots and URL prefixes a source names. The index's module
    is imported on first use, not before the first paint."""

    def open_index(roots: Iterable[Path], url_prefixes: Iterable[str]) -> RunbookIndexer:
        from cockpit.engine.runbooks.index import RunbookIndex, default_db_path

        return RunbookIndex(default_db_path(cache_dir), roots, url_prefixes)

    return open_index
