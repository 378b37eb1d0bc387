"""The ``runbooks`` source: local folders of Markdown runbooks, indexed for full-text search.

Config (CONTRACT.md)::

    [[sources]]
    name = "runbooks"
    type = "runbooks"
    paths = ["~/runbooks"]          # ~ expanded; relative paths are relative to the config file
    url_prefixes = ["https://runbooks.prometheus-operator.dev/runbooks/"]
    remote_cache = false            # true: fetch runbook_urls that resolve to no local file

Each poll brings the full-text index up to date incrementally and returns one
:class:`RunbookDoc` per file. The index is an engine store; the engine lends the source a way to
open it (``SourceContext.open_runbook_index``, typed by :class:`cockpit.core.runbooks.RunbookIndexer`),
so this module imports nothing above the sources. What the engine uses:

* :attr:`RunbooksSource.index` — the index over this source's folders;
* :meth:`RunbooksSource.open_url` — an alert's ``runbook_url`` to a readable local file: the
  matching local runbook, else (``remote_cache``) the page fetched over HTTP and kept under
  ``<cache_dir>/runbooks-remote/`` so it can still be read offline.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import os
import re
from collections.abc import Iterable
from pathlib import Path

import httpx

from cockpit.core.durations import Duration
from cockpit.core.models import FetchResult, RunbookDoc, SourceKind
from cockpit.core.runbooks import RunbookIndexer
from cockpit.core.files import atomic_write_text
from cockpit.sources import DEMO_RUNBOOKS_DIR
from cockpit.sources.base import Source, SourceContext, SourceOptions
from cockpit.core.errors import SourceError

__all__ = [
    "DEMO_RUNBOOKS_DIR",
    "MAX_REMOTE_BYTES",
    "RunbooksOptions",
    "RunbooksSource",
    "resolve_roots",
]

MAX_REMOTE_BYTES = 2 * 1024 * 1024
"""A remote runbook larger than this is refused."""


class RunbooksOptions(SourceOptions):
    """Options of the ``runbooks`` source."""

    interval: Duration = 60.0
    """How often to re-scan the folders (a scan only re-reads files that changed)."""
    paths: list[str] = []
    """Folders of Markdown runbooks; ``~`` is expanded, relative paths start at the config dir."""
    url_prefixes: list[str] = []
    """URL prefixes under which the runbooks are served; an alert's ``runbook_url`` starting
    with one resolves to the local file whose stem is the URL's last path segment."""
    remote_cache: bool = False
    """Fetch a ``runbook_url`` that resolves to no local file over HTTP, and keep it for offline
    reading."""


def resolve_roots(paths: Iterable[str], config_dir: Path | None) -> list[Path]:
    """Configured paths as absolute folders: ``~`` expanded, relative ones under ``config_dir``."""
    roots = []
    for raw in paths:
        path = Path(os.path.expandvars(raw)).expanduser()
        if not path.is_absolute():
            path = (config_dir or Path.cwd()) / path
        roots.append(path.resolve())
    return roots


def _remote_name(url: str) -> str:
    last = re.sub(r"[^A-Za-z0-9._-]+", "-", url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1])
    digest = hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{digest}-{last[:80] or 'page'}.md"


_DROP = re.compile(r"<(script|style|nav|header|footer)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK = re.compile(r"<\s*/?\s*(p|div|br|li|tr|pre|section|article|ul|ol|table)\b[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<\s*h([1-6])\b[^>]*>(.*?)<\s*/\s*h\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(page: str) -> str:
    """A rough Markdown rendering of an HTML page: headings kept as ``#`` lines, tags dropped."""
    page = _DROP.sub("", page)
    page = _HEAD.sub(lambda m: "\n\n" + "#" * int(m.group(1)) + " " + _TAG.sub("", m.group(2)).strip() + "\n\n", page)
    page = _BLOCK.sub("\n", page)
    text = html.unescape(_TAG.sub("", page))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip() + "\n"


class RunbooksSource(Source):
    """Markdown runbooks from local folders (see the module docstring)."""

    kind = SourceKind.RUNBOOKS
    Options = RunbooksOptions

    def __init__(self, name: str, options: RunbooksOptions, context: SourceContext) -> None:  # type: ignore[override]
        super().__init__(name, options, context)
        self.options: RunbooksOptions = options
        self.roots = resolve_roots(options.paths, context.config_dir)
        self._index: RunbookIndexer | None = None

    @property
    def index(self) -> RunbookIndexer:
        """The full-text index of this source's folders (opened on first use, through the
        engine's ``context.open_runbook_index``)."""
        if self._index is None:
            opener = self.context.open_runbook_index
            if opener is None:
                raise SourceError("no runbook index: the engine lent this source none")
            self._index = opener(self.roots, self.options.url_prefixes)
        return self._index

    @property
    def remote_dir(self) -> Path:
        return Path(self.context.cache_dir) / "runbooks-remote"

    async def fetch(self) -> FetchResult:
        """Re-index what changed and list every runbook. Fails when no folder exists at all."""
        if not self.roots:
            raise SourceError("no runbook folders configured (set paths = [...])")
        index = self.index
        try:
            stats = await asyncio.to_thread(index.update)
            docs = await asyncio.to_thread(index.documents)
        except Exception as exc:  # sqlite3 errors, a full disk: one line, the index path only
            raise SourceError(f"runbook index failed: {type(exc).__name__}: {exc}") from exc
        if len(stats.missing_roots) == len(self.roots):
            raise SourceError("runbook folder not found: " + ", ".join(stats.missing_roots))
        problems = [f"not found: {root}" for root in stats.missing_roots] + stats.errors[:3]
        items = [RunbookDoc(source=self.name, path=d.path, title=d.title, root=d.root) for d in docs]
        return FetchResult(
            items=items,
            info={"runbooks": str(len(items))},
            degraded="; ".join(problems) if problems else None,
        )

    async def open_url(self, runbook_url: str | None) -> Path | None:
        """A local file to read for an alert's ``runbook_url``, or None.

        The local runbook when the URL resolves; else, with ``remote_cache``, the page fetched
        now (kept under :attr:`remote_dir`), or the copy kept earlier when the fetch fails.
        """
        if not runbook_url:
            return None
        local = await asyncio.to_thread(self.index.resolve_url, runbook_url)
        if local is not None or not self.options.remote_cache:
            return local
        if not re.match(r"^https?://", runbook_url, re.IGNORECASE):
            return None
        cached = self.remote_dir / _remote_name(runbook_url)
        try:
            text = await self._download(runbook_url)
        except SourceError:
            return cached if cached.is_file() else None
        await asyncio.to_thread(atomic_write_text, cached, text)
        return cached

    async def _download(self, url: str) -> str:
        try:
            async with httpx.AsyncClient(timeout=self.options.timeout, follow_redirects=True) as client:
                async with client.stream("GET", url, headers={"Accept": "text/markdown, text/plain, text/html"}) as resp:
                    if resp.status_code != 200:
                        raise SourceError(f"runbook fetch: HTTP {resp.status_code}")
                    body = bytearray()
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_REMOTE_BYTES:
                            raise SourceError("runbook fetch: page too large")
                    ctype = resp.headers.get("content-type", "")
        except httpx.HTTPError as exc:
            raise SourceError(f"runbook fetch failed: {type(exc).__name__}") from exc
        text = bytes(body).decode("utf-8", errors="replace")
        if "html" in ctype.lower() or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
            text = html_to_text(text)
        return f"<!-- fetched from {url} -->\n{text}"

    async def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

