"""The local audit log: one JSON line per attempted write (a silence created or expired).

Every write the cockpit attempts is appended here, whether it succeeded, failed or was refused
(read-only mode), so an on-call engineer can later tell what was done from this terminal::

    {"when": "2026-11-27T09:30:00Z", "who": "ada", "what": "create_silence",
     "source": "am-prod", "result": "ok", "details": {...}}

The file lives in the state dir (``audit.jsonl``) and is created with mode 0600. Each entry is
written with a single ``write`` on a file opened with ``O_APPEND``, so several cockpit instances
can share it without interleaving lines. Details never hold credentials: only what the user typed
(matchers, comment, duration) and what the upstream returned (a silence id, an error line).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cockpit.core.models import utcnow
from cockpit.core.times import rfc3339

__all__ = ["AUDIT_FILE_NAME", "AuditLog"]

AUDIT_FILE_NAME = "audit.jsonl"


class AuditLog:
    """Append-only JSON-lines log of writes, private to the user (0600)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @classmethod
    def in_dir(cls, cache_dir: str | os.PathLike[str]) -> "AuditLog":
        """The audit log kept in ``cache_dir`` (the cockpit's state dir)."""
        return cls(Path(cache_dir) / AUDIT_FILE_NAME)

    def append(
        self,
        *,
        who: str,
        what: str,
        source: str,
        result: str,
        details: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> dict[str, Any]:
        """Append one entry and return it. ``result`` is ``ok``, ``error`` or ``refused``."""
        entry: dict[str, Any] = {
            "when": rfc3339(utcnow(), "seconds"),
            "who": who,
            "what": what,
            "source": source,
            "result": result,
            "details": dict(details or {}),
            "error": error,
        }
        line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)  # also when the file existed with looser bits
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a torn last line (a crash mid-write) stays on its own line
            os.write(fd, line)
        finally:
            os.close(fd)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """Every readable entry, oldest first; a torn or corrupt line is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                found.append(entry)
        return found
