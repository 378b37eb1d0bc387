"""Handoff notes: what the engineer leaving a shift wants the next one to know.

``cockpit handoff write TEXT`` adds a note; the next ``cockpit`` start shows every note not yet
dismissed (:func:`pending_notes`, for the app) until ``cockpit handoff dismiss`` (or the app)
dismisses it; ``cockpit report`` includes the notes of its window. Notes are kept in
``<cache_dir>/handoff.json`` (0600, rewritten atomically), newest last, at most
:data:`MAX_NOTES` of them (the oldest dismissed ones go first).
Note text is the user's own, but it is still shown through ``clean``/``clean_line``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from cockpit.core.files import atomic_write_text
from cockpit.core.times import parse_time

__all__ = ["HANDOFF_FILE_NAME", "MAX_NOTES", "HandoffNote", "dismiss", "list_notes", "pending_notes", "write_note"]

HANDOFF_FILE_NAME = "handoff.json"
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


def _path(cache_dir: Path | str) -> Path:
    return Path(cache_dir) / HANDOFF_FILE_NAME


def list_notes(cache_dir: Path | str) -> list[HandoffNote]:
    """Every note kept, oldest first; an unreadable file or entry is skipped, never fatal."""
    try:
        raw = json.loads(_path(cache_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    notes = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        at = parse_time(entry.get("at"))
        if at is None or not isinstance(entry.get("text"), str) or not isinstance(entry.get("id"), str):
            continue
        author = entry.get("author")
        notes.append(HandoffNote(id=entry["id"], at=at, text=entry["text"],
                                 author=author if isinstance(author, str) else None,
                                 dismissed_at=parse_time(entry.get("dismissed_at"))))
    notes.sort(key=lambda n: n.at)
    return notes


def _save(cache_dir: Path | str, notes: list[HandoffNote]) -> None:
    if len(notes) > MAX_NOTES:
        dismissed = [n for n in notes if n.dismissed_at]
        drop = {n.id for n in dismissed[: len(notes) - MAX_NOTES]}
        notes = [n for n in notes if n.id not in drop][-MAX_NOTES:]
    Path(cache_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_text(_path(cache_dir), json.dumps([n.to_json() for n in notes], indent=1))


def write_note(cache_dir: Path | str, text: str, *, author: str | None = None,
               now: datetime | None = None) -> HandoffNote:
    """Add a note and return it. Raises ValueError for a blank note."""
    text = text.strip()
    if not text:
        raise ValueError("a handoff note needs some text")
    now = now or datetime.now(timezone.utc)
    note = HandoffNote(id=f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}", at=now, text=text[:MAX_TEXT], author=author)
    _save(cache_dir, [*list_notes(cache_dir), note])
    return note


def pending_notes(cache_dir: Path | str) -> list[HandoffNote]:
    """The notes not dismissed yet, oldest first: what the app shows at start."""
    return [n for n in list_notes(cache_dir) if n.dismissed_at is None]


def dismiss(cache_dir: Path | str, note_id: str | None = None, *, now: datetime | None = None) -> int:
    """Dismiss one note (by id or id prefix) or, with no id, every pending note; returns how many."""
    now = now or datetime.now(timezone.utc)
    notes = list_notes(cache_dir)
    count = 0
    for note in notes:
        if note.dismissed_at is None and (note_id is None or note.id.startswith(note_id)):
            note.dismissed_at = now
            count += 1
    if count:
        _save(cache_dir, notes)
    return count
