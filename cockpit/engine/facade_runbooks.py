"""The engine facade's runbooks: find an alert's runbook, search them, read one.

Everything here touches the disk (the SQLite index, the files) and blocks: call it from a
worker thread, never on the UI loop. Only the remote page of a ``runbook_url`` (the runbooks
source's ``remote_cache``) is fetched, on the poller's loop.
"""

from __future__ import annotations

import sys
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Coroutine

from cockpit.core.models import Alert
from cockpit.core.runbooks import Hit
from cockpit.engine.runbooks.doc import ParsedRunbook, load_runbook
from cockpit.sources.base import Source

if TYPE_CHECKING:
    from cockpit.sources.runbooks import RunbooksSource

__all__ = ["Located", "ParsedRunbook", "RunbooksFacade"]

SEARCH_LIMIT = 30


@dataclass(frozen=True)
class Located:
    """A runbook file found for an alert, and how."""

    path: Path
    root: str | None
    rel: str | None
    """Relative to ``root`` (None for a cached remote page)."""
    via: str
    """``runbook_url``, or ``search`` when it is only the best hit for the alert name."""


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when it is a file inside ``root`` (a crafted path cannot climb out)."""
    try:
        base = root.resolve()
        path = (base / rel).resolve()
    except (OSError, RuntimeError):
        return None
    return path if path.is_relative_to(base) and path.is_file() else None


class RunbooksFacade:
    """Mixed into :class:`cockpit.engine.facade.Engine`, which provides ``sources``/``submit``."""

    sources: list[Source]

    def submit(self, coro: Coroutine[Any, Any, Any]) -> Future:  # provided by Engine
        raise NotImplementedError

    def _runbook_sources(self) -> list[RunbooksSource]:
        # Not imported up front: it brings httpx and the index before the first paint. A runbooks
        # source exists only once its module has been imported (by the registry, to build it).
        module = sys.modules.get("cockpit.sources.runbooks")
        if module is None:
            return []
        return [s for s in self.sources if isinstance(s, module.RunbooksSource)]

    def has_runbooks(self) -> bool:
        """True when some source is a ``runbooks`` source (searching has an index)."""
        return bool(self._runbook_sources())

    def locate_runbook(self, alert: Alert) -> Located | None:
        """The runbook to open for ``alert``: the file its ``runbook_url`` resolved to, else what
        the runbooks source's ``open_url`` finds, else the best search hit for its name."""
        sources = self._runbook_sources()
        ref = alert.runbook
        if ref is not None and ref.path:
            for source in sources:
                for root in source.index.roots:
                    path = _inside(Path(root), ref.path)
                    if path is not None:
                        return Located(path, str(root), ref.path, "runbook_url")
        url = (ref.url if ref else None) or alert.annotations.get("runbook_url")
        if url:
            for source in sources:
                try:
                    timeout = float(source.options.timeout) + 5.0
                    path = self.submit(source.open_url(url)).result(timeout=timeout)
                except Exception:  # engine not running, fetch failed: try the next way
                    continue
                if path is not None:
                    entry = source.index.resolve(url)
                    if entry is not None:
                        return Located(Path(path), entry.root, entry.path, "runbook_url")
                    return Located(Path(path), None, None, "runbook_url")
        best: Hit | None = None
        for source in sources:
            hit = source.index.best_for_alert(alert.name)
            if hit is not None and (best is None or hit.score > best.score):
                best = hit
        if best is not None:
            return Located(best.full_path, best.root, best.path, "search")
        return None

    def runbook_file(self, root: str, path: str) -> Path | None:
        """``path`` under ``root``, or under any runbooks root that has it when ``root`` is
        empty; None when no such file is inside one."""
        roots = [Path(root)] if root else [Path(r) for s in self._runbook_sources() for r in s.index.roots]
        for base in roots:
            full = _inside(base, path)
            if full is not None:
                return full
        return None

    def search_runbooks(self, query: str, limit: int = SEARCH_LIMIT) -> list[Hit]:
        """Every runbooks index searched for ``query`` (the last word as a prefix), best first;
        a file found by several sources appears once, with its best score."""
        sources = self._runbook_sources()
        hits: dict[tuple[str, str], Hit] = {}
        for source in sources:
            for hit in source.index.search(query, limit, prefix=True):
                key = (hit.root, hit.path)
                if key not in hits or hit.score > hits[key].score:
                    hits[key] = hit
        if len(sources) > 1:
            return sorted(hits.values(), key=lambda h: -h.score)[:limit]
        return list(hits.values())

    def read_runbook(self, path: Path) -> ParsedRunbook:
        """The runbook file parsed (title, body, sections, checklist). Raises OSError."""
        return load_runbook(path)
