"""Full-text index of Markdown runbooks: SQLite FTS5 ranked by bm25, kept in the cache dir.

One database file (``<cache_dir>/runbooks.sqlite``, see :func:`default_db_path`) can hold the
runbooks of several roots; a :class:`RunbookIndex` sees only the roots it was opened with.
:meth:`RunbookIndex.update` is incremental: a file is re-read only when its modification time
or size changed, and rows of deleted files are dropped.

Ranking: each document is indexed in five columns weighted by bm25 — the file stem with its
CamelCase words (``KubePodCrashLooping Kube Pod Crash Looping``), the title, the headings, the
body and the directory names — so that searching an alert's name puts the runbook named after
it first. A document whose stem equals the whole query is ranked before everything else.

User input never reaches FTS5's query syntax: every whitespace-separated word is quoted as a
phrase (``AND``, ``NEAR``, ``*``, ``"`` and ``:`` are just text). Words are ANDed; when that
finds nothing the words are ORed.

Snippets are plain text plus ``highlights``, a tuple of ``(start, end)`` character offsets of the
matched words, so a widget can style them without ever parsing markup::

    text = rich.text.Text(hit.snippet)   # already clean: the index stores text made inert
    for start, end in hit.highlights:
        text.stylize("bold reverse", start, end)

Thread safety: one connection guarded by a lock; the poller thread may update while the UI
thread searches. Several processes may share the file (WAL journal, busy timeout).
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cockpit.core.runbooks import DocEntry, Hit, UpdateStats
from cockpit.core.textsafe import clean
from cockpit.engine.runbooks.doc import parse_runbook, read_text
from cockpit.engine.runbooks.query import (
    _parse_snippet,
    build_match_query,
    split_words,
)

__all__ = [
    "RunbookIndex",
    "build_match_query",
    "default_db_path",
    "index_for_config",
    "split_words",
]

SCHEMA_VERSION = "3"
SUFFIXES = (".md", ".markdown")
WEIGHTS = (12.0, 5.0, 2.0, 1.0, 0.5)
"""bm25 weights of the columns name, title, headings, body, dirs."""
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_LINE_MARK = re.compile(r"^[ \t]*(?:#{1,6}|[-*+](?:[ \t]+\[[ xX]\])?|\d+[.)])[ \t]+", re.MULTILINE)


def _plain(body: str) -> str:
    """Body text as the index stores it: no HTML tags, heading or list marks (for snippets)."""
    return _LINE_MARK.sub("", _HTML_TAG.sub(" ", body))


def default_db_path(cache_dir: Path) -> Path:
    """Where the index lives inside the cache dir."""
    return Path(cache_dir) / "runbooks.sqlite"


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        for name in sorted(filenames):
            if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                yield Path(dirpath) / name


def index_for_config(config: Any, cache_dir: Path) -> RunbookIndex | None:
    """One index over the roots and URL prefixes of every ``runbooks`` source in ``config``
    (a :class:`cockpit.engine.config.Config`); None when there is no such source."""
    from cockpit.sources.runbooks import resolve_roots  # brings httpx: only for the CLI

    roots: list[Path] = []
    prefixes: list[str] = []
    found = False
    for entry in getattr(config, "sources", []):
        if entry.type != "runbooks":
            continue
        found = True
        options = entry.options
        for root in resolve_roots(getattr(options, "paths", []), getattr(config, "config_dir", None)):
            if root not in roots:
                roots.append(root)
        prefixes += [p for p in getattr(options, "url_prefixes", []) if p not in prefixes]
    if not found:
        return None
    return RunbookIndex(default_db_path(cache_dir), roots, prefixes)


class RunbookIndex:
    """The index of the runbooks under ``roots``, stored in the SQLite file ``db_path``."""

    def __init__(self, db_path: Path, roots: Iterable[Path], url_prefixes: Iterable[str] = ()) -> None:
        self.db_path = Path(db_path)
        self.roots = [Path(r).expanduser().resolve() for r in roots]
        self.url_prefixes = [p for p in url_prefixes if p]
        self._lock = threading.Lock()
        self.db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # 0600 like every file of ours: SQLite gives the -wal and -shm files the database's mode.
        os.close(os.open(self.db_path, os.O_RDWR | os.O_CREAT, 0o600))
        for path in (self.db_path, *(self.db_path.with_name(self.db_path.name + s) for s in ("-wal", "-shm"))):
            if path.exists():
                path.chmod(0o600)
        self._db = sqlite3.connect(self.db_path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._init_schema()

    # -- lifecycle ---------------------------------------------------------------------------

    def _init_schema(self) -> None:
        with self._lock:
            db = self._db
            db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row and row[0] == SCHEMA_VERSION:
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DROP TABLE IF EXISTS docs_fts")
                db.execute("DROP TABLE IF EXISTS docs")
                db.execute(
                    "CREATE TABLE docs(id INTEGER PRIMARY KEY, root TEXT NOT NULL, path TEXT NOT NULL,"
                    " stem_lower TEXT NOT NULL, title TEXT NOT NULL, mtime_ns INTEGER NOT NULL,"
                    " size INTEGER NOT NULL, UNIQUE(root, path))"
                )
                db.execute("CREATE INDEX docs_stem ON docs(stem_lower)")
                db.execute(
                    "CREATE VIRTUAL TABLE docs_fts USING fts5("
                    "name, title, headings, body, dirs, tokenize='unicode61 remove_diacritics 2')"
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES('schema', ?)", (SCHEMA_VERSION,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunbookIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- indexing ----------------------------------------------------------------------------

    def update(self) -> UpdateStats:
        """Bring the index in line with the files under every root (incremental)."""
        stats = UpdateStats()
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for root in self.roots:
                    self._update_root(db, root, stats)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return stats

    def _update_root(self, db: sqlite3.Connection, root: Path, stats: UpdateStats) -> None:
        key = str(root)
        known = {
            path: (doc_id, mtime, size)
            for doc_id, path, mtime, size in db.execute(
                "SELECT id, path, mtime_ns, size FROM docs WHERE root=?", (key,)
            )
        }
        seen: set[str] = set()
        if root.is_dir():
            for file in _walk(root):
                rel = file.relative_to(root).as_posix()
                try:
                    st = file.stat()
                except OSError as exc:
                    stats.errors.append(f"{rel}: {exc.strerror or exc}")
                    continue
                if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would block the read
                    stats.errors.append(f"{rel}: not a regular file, skipped")
                    continue
                seen.add(rel)
                old = known.get(rel)
                if old and old[1] == st.st_mtime_ns and old[2] == st.st_size:
                    stats.unchanged += 1
                    continue
                try:
                    text = read_text(file)
                except OSError as exc:
                    stats.errors.append(f"{rel}: {exc.strerror or exc}")
                    seen.discard(rel)
                    continue
                self._store(db, key, rel, file.stem, text, st, old[0] if old else None)
                if old:
                    stats.updated += 1
                else:
                    stats.added += 1
        else:
            stats.missing_roots.append(key)
        for rel, (doc_id, _, _) in known.items():
            if rel not in seen:
                db.execute("DELETE FROM docs WHERE id=?", (doc_id,))
                db.execute("DELETE FROM docs_fts WHERE rowid=?", (doc_id,))
                stats.removed += 1

    @staticmethod
    def _store(
        db: sqlite3.Connection, root: str, rel: str, stem: str, text: str, st: os.stat_result, doc_id: int | None
    ) -> None:
        doc = parse_runbook(clean(text, max_len=len(text) + 1), fallback_title=stem)
        title = doc.title or stem
        if doc_id is None:
            cur = db.execute(
                "INSERT INTO docs(root, path, stem_lower, title, mtime_ns, size) VALUES(?,?,?,?,?,?)",
                (root, rel, stem.lower(), title, st.st_mtime_ns, st.st_size),
            )
            doc_id = cur.lastrowid
        else:
            db.execute(
                "UPDATE docs SET title=?, mtime_ns=?, size=? WHERE id=?", (title, st.st_mtime_ns, st.st_size, doc_id)
            )
            db.execute("DELETE FROM docs_fts WHERE rowid=?", (doc_id,))
        name = " ".join([stem, *split_words(stem)])
        dirs = " ".join(Path(rel).parent.parts)
        db.execute(
            "INSERT INTO docs_fts(rowid, name, title, headings, body, dirs) VALUES(?,?,?,?,?,?)",
            (doc_id, name, title, doc.headings_text, _plain(doc.body), dirs),
        )

    # -- queries -----------------------------------------------------------------------------

    def _roots_clause(self) -> tuple[str, list[str]]:
        keys = [str(r) for r in self.roots]
        return "d.root IN (" + ",".join("?" * len(keys)) + ")", keys

    def count(self) -> int:
        """How many documents the index holds for these roots."""
        if not self.roots:
            return 0
        clause, keys = self._roots_clause()
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM docs d WHERE {clause}", keys).fetchone()[0]

    def documents(self) -> list[DocEntry]:
        """Every indexed document of these roots, sorted by root then path."""
        if not self.roots:
            return []
        clause, keys = self._roots_clause()
        with self._lock:
            rows = self._db.execute(
                f"SELECT d.root, d.path, d.title FROM docs d WHERE {clause} ORDER BY d.root, d.path", keys
            ).fetchall()
        return [DocEntry(*row) for row in rows]

    def search(self, query: str, limit: int = 20, *, prefix: bool = False) -> list[Hit]:
        """Ranked hits for free text, best first; ``[]`` when nothing matches.

        ``prefix=True`` treats the last word as a prefix (for search as you type).
        """
        if limit <= 0 or not self.roots:
            return []
        for operator in ("AND", "OR"):
            match = build_match_query(query, prefix=prefix, operator=operator)
            if match is None:
                return []
            hits = self._run(match, query, limit)
            if hits or " " not in match.strip():
                return hits
        return []

    def _run(self, match: str, query: str, limit: int) -> list[Hit]:
        clause, keys = self._roots_clause()
        weights = ", ".join(str(w) for w in WEIGHTS)
        exact = re.sub(r"\W+", "", query).lower()
        sql = (
            f"SELECT d.root, d.path, d.title, bm25(docs_fts, {weights}) AS r,"
            f" snippet(docs_fts, 3, char(2), char(3), '…', 16), d.stem_lower = ? AS exact"
            f" FROM docs_fts JOIN docs d ON d.id = docs_fts.rowid"
            f" WHERE docs_fts MATCH ? AND {clause} ORDER BY exact DESC, r LIMIT ?"
        )
        with self._lock:
            try:
                rows = self._db.execute(sql, [exact, match, *keys, limit]).fetchall()
            except sqlite3.OperationalError:
                return []  # a query FTS5 still refuses: no hits rather than a crash
        hits = []
        for root, path, title, rank, marked, _exact in rows:
            snippet, spans = _parse_snippet(marked or "")
            hits.append(Hit(path=path, title=title, score=-rank, snippet=snippet, root=root, highlights=spans))
        return hits

    def best_for_alert(self, alert_name: str) -> Hit | None:
        """The runbook to open for an alert with no resolvable ``runbook_url``."""
        hits = self.search(alert_name, limit=1)
        if not hits and split_words(alert_name):
            hits = self.search(" ".join(split_words(alert_name)), limit=1)
        return hits[0] if hits else None

    # -- runbook_url resolution --------------------------------------------------------------

    def resolve(self, runbook_url: str | None) -> DocEntry | None:
        """The local runbook a ``runbook_url`` points at, through ``url_prefixes``.

        The URL must start with one of the prefixes (case-insensitively); its last path segment
        (without ``.md``/``.html``) must equal a file stem case-insensitively. When several files
        share the stem, the one whose relative path matches the rest of the URL wins.
        """
        if not runbook_url or not self.roots:
            return None
        rest = None
        for prefix in self.url_prefixes:
            if runbook_url.lower().startswith(prefix.lower()):
                rest = runbook_url[len(prefix) :]
                break
        if rest is None:
            return None
        rest = unquote(urlsplit(rest).path).strip("/")
        rest = re.sub(r"\.(md|markdown|html?)$", "", rest, flags=re.IGNORECASE)
        last = rest.rsplit("/", 1)[-1].lower()
        if not last:
            return None
        clause, keys = self._roots_clause()
        with self._lock:
            rows = self._db.execute(
                f"SELECT d.root, d.path, d.title FROM docs d WHERE d.stem_lower=? AND {clause} ORDER BY d.path",
                [last, *keys],
            ).fetchall()
        if not rows:
            return None
        wanted = rest.lower()

        def closeness(row: tuple[str, str, str]) -> tuple[int, int]:
            no_ext = re.sub(r"\.(md|markdown)$", "", row[1], flags=re.IGNORECASE).lower()
            return (0 if no_ext == wanted or wanted.endswith("/" + no_ext) else 1, len(no_ext))

        return DocEntry(*min(rows, key=closeness))

    def resolve_url(self, runbook_url: str | None) -> Path | None:
        """:meth:`resolve` as an absolute file path, or None."""
        entry = self.resolve(runbook_url)
        return entry.full_path if entry else None
