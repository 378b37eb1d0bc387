"""Handoff notes: what the engineer leaving a shift wants the next one to know.

``cockpit handoff write TEXT`` adds a note; the next ``cockpit`` start shows every note not yet
dismissed (:func:`pending_notes`, for the app) until ``cockpit handoff dismiss`` (or the app)
dismisses it; ``cockpit report`` includes the notes of its window.

Notes are kept in ``handoff.sqlite`` (0600, SQLite in WAL mode) in the directory the caller
names; every change is one transaction, so concurrent writers (ten ``cockpit handoff write`` at
once) each keep their note: there is no read-modify-write of a whole file. At most
:data:`MAX_NOTES` are kept (the oldest dismissed ones go first).

A file that cannot be read is never overwritten: a corrupt database, or a ``handoff.json``
written by an earlier version that does not parse, is kept aside under a new name
(``….unreadable-<time>``) and :attr:`HandoffStore.notice` says so; a readable ``handoff.json``
is imported once and renamed ``handoff.json.imported``.
Note text is the user's own, but it is still shown through ``clean``/``clean_line``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from cockpit.core.times import parse_time

__all__ = [
    "HANDOFF_FILE_NAME",
    "MAX_NOTES",
    "HandoffNote",
    "HandoffStore",
    "dismiss",
    "list_notes",
    "parse_time",
    "pending_notes",
    "write_note",
]

log = logging.getLogger(__name__)

HANDOFF_FILE_NAME = "handoff.sqlite"
LEGACY_FILE_NAME = "handoff.json"
MAX_NOTES = 500
MAX_TEXT = 4000


@dataclass
class HandoffNote:
    """One note. Times are timezone-aware UTC."""

    id: str
    at: datetime
    text: str
    author: str | None = None
    dismissed_at: datetime | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        data["dismissed_at"] = self.dismissed_at.isoformat() if self.dismissed_at else None
        return data


def _keep_aside(path: Path, why: str) -> str:
    """Rename an unreadable file (and its SQLite companions) out of the way; the notice."""
    aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(2)}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    return f"handoff notes file {path} could not be read ({why}); kept aside as {aside.name}"


def _is_corrupt(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


class HandoffStore:
    """The notes kept in ``directory`` (the caller decides where; created 0700)."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.path = self.directory / HANDOFF_FILE_NAME
        self.notice: str | None = None
        """Set when an unreadable file was kept aside while opening: say it to the user."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
            self.notice = _keep_aside(self.path, str(exc))
            log.warning("%s", self.notice)
            self._db = self._connect()
        self._import_legacy()

    def _connect(self) -> sqlite3.Connection:
        old_umask = os.umask(0o077)  # the database and its -wal/-shm files are 0600
        try:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS notes(id TEXT PRIMARY KEY, at TEXT NOT NULL, text TEXT NOT NULL,"
                    " author TEXT, dismissed_at TEXT)"
                )
                db.execute("SELECT count(*) FROM notes").fetchone()
            except BaseException:
                db.close()
                raise
        finally:
            os.umask(old_umask)
        return db

    def _import_legacy(self) -> None:
        """Notes of the JSON file earlier versions kept, imported once under the write lock."""
        legacy = self.directory / LEGACY_FILE_NAME
        if not legacy.exists():
            return
        with self._write():
            if not legacy.exists():  # another process imported it meanwhile
                return
            try:
                raw = json.loads(legacy.read_text(encoding="utf-8"))
                if not isinstance(raw, list):
                    raise ValueError("not a list of notes")
            except (OSError, ValueError) as exc:
                self.notice = _keep_aside(legacy, type(exc).__name__)
                log.warning("%s", self.notice)
                return
            for note in filter(None, map(_from_json, raw)):
                self._insert(note, ignore=True)
            os.replace(legacy, legacy.with_name(LEGACY_FILE_NAME + ".imported"))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HandoffStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): writers queue, none is lost."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _insert(self, note: HandoffNote, *, ignore: bool = False) -> None:
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        self._db.execute(
            f"{verb} INTO notes(id, at, text, author, dismissed_at) VALUES(?,?,?,?,?)",
            (note.id, note.at.isoformat(), note.text, note.author,
             note.dismissed_at.isoformat() if note.dismissed_at else None),
        )

    def write(self, text: str, *, author: str | None = None, now: datetime | None = None) -> HandoffNote:
        """Add a note and return it. Raises ValueError for a blank note."""
        text = text.strip()
        if not text:
            raise ValueError("a handoff note needs some text")
        now = now or datetime.now(timezone.utc)
        note = HandoffNote(id=f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}", at=now, text=text[:MAX_TEXT], author=author)
        with self._write() as db:
            self._insert(note)
            extra = db.execute("SELECT count(*) FROM notes").fetchone()[0] - MAX_NOTES
            if extra > 0:
                db.execute("DELETE FROM notes WHERE id IN (SELECT id FROM notes WHERE dismissed_at IS NOT NULL"
                           " ORDER BY at LIMIT ?)", (extra,))
        return note

    def notes(self) -> list[HandoffNote]:
        """Every note kept, oldest first."""
        rows = self._db.execute("SELECT id, at, text, author, dismissed_at FROM notes").fetchall()
        notes = [n for n in (_from_json(dict(zip(("id", "at", "text", "author", "dismissed_at"), r))) for r in rows) if n]
        notes.sort(key=lambda n: n.at)
        return notes

    def dismiss(self, note_id: str | None = None, *, now: datetime | None = None) -> int:
        """Dismiss one note (by id or id prefix) or, with no id, every pending note; how many."""
        stamp = (now or datetime.now(timezone.utc)).isoformat()
        with self._write() as db:
            if note_id is None:
                cursor = db.execute("UPDATE notes SET dismissed_at=? WHERE dismissed_at IS NULL", (stamp,))
            else:
                pattern = note_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                cursor = db.execute("UPDATE notes SET dismissed_at=? WHERE dismissed_at IS NULL"
                                    " AND id LIKE ? ESCAPE '\\'", (stamp, pattern))
            return cursor.rowcount


def _from_json(entry: object) -> HandoffNote | None:
    if not isinstance(entry, dict):
        return None
    at = parse_time(entry.get("at"))
    if at is None or not isinstance(entry.get("text"), str) or not isinstance(entry.get("id"), str):
        return None
    author = entry.get("author")
    return HandoffNote(id=entry["id"], at=at, text=entry["text"], author=author if isinstance(author, str) else None,
                       dismissed_at=parse_time(entry.get("dismissed_at")))


def write_note(directory: Path | str, text: str, *, author: str | None = None,
               now: datetime | None = None) -> HandoffNote:
    """Add a note in ``directory`` and return it. Raises ValueError for a blank note."""
    with HandoffStore(directory) as store:
        return store.write(text, author=author, now=now)


def list_notes(directory: Path | str) -> list[HandoffNote]:
    """Every note kept in ``directory``, oldest first; none when there is no store yet."""
    if not (Path(directory) / HANDOFF_FILE_NAME).exists() and not (Path(directory) / LEGACY_FILE_NAME).exists():
        return []
    with HandoffStore(directory) as store:
        return store.notes()


def pending_notes(directory: Path | str) -> list[HandoffNote]:
    """The notes not dismissed yet, oldest first: what the app shows at start."""
    return [n for n in list_notes(directory) if n.dismissed_at is None]


def dismiss(directory: Path | str, note_id: str | None = None, *, now: datetime | None = None) -> int:
    """Dismiss one note (by id or id prefix) or, with no id, every pending note; returns how many."""
    with HandoffStore(directory) as store:
        return store.dismiss(note_id, now=now)
