"""What the report reads besides the history: triage files and the audit log (tolerantly).

Both are written by other parts of the cockpit (:mod:`cockpit.engine.triage.store`, :mod:`cockpit.engine.audit`); the
report reads their files directly so it needs nothing wired to count triage steps and silences
as actions. A file or entry that cannot be read is skipped, never fatal.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from cockpit.core.times import parse_time as _parse, rfc3339
from cockpit.core.matchers import MatcherError, parse_matchers

__all__ = ["audit_silences", "open_triages", "triage_files"]


def triage_files(cache_dir: Path) -> list[dict[str, Any]]:
    """Every readable triage JSON file (tolerant: bad files and fields are skipped)."""
    out = []
    for path in sorted((cache_dir / "triages").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("alert"), dict):
            out.append(data)
    return out


def audit_silences(cache_dir: Path, since: datetime, until: datetime) -> list[tuple[datetime, list]]:
    """Silences created from this machine (audit log entries with result ok) and their matchers."""
    found = []
    try:
        lines = (cache_dir / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return found
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("what") != "create_silence" or entry.get("result") != "ok":
            continue
        when = _parse(entry.get("when"))
        texts = (entry.get("details") or {}).get("matchers") or []
        if when is None or not since <= when <= until:
            continue
        try:
            matchers = [m for text in texts for m in parse_matchers(str(text))]
        except MatcherError:
            continue
        if matchers:
            found.append((when, matchers))
    return found


def open_triages(triages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for t in triages:
        if t.get("status", "open") != "open":
            continue
        events = [e for e in t.get("events") or [] if isinstance(e, dict) and _parse(e.get("at"))]
        last = max(events, key=lambda e: _parse(e["at"]), default=None)
        steps = [s for s in t.get("steps") or [] if isinstance(s, dict)]
        title = next((s.get("title") for s in steps if last and s.get("id") == last.get("step")), None)
        out.append({"id": str(t.get("id", "?")), "alert": str(t["alert"].get("name", "?")),
                    "service": (t["alert"].get("labels") or {}).get("service"),
                    "started_at": rfc3339(_parse(t.get("created_at"))),
                    "steps_done": sum(1 for s in steps if s.get("done_at")), "steps": len(steps),
                    "last_step": None if last is None else {"at": rfc3339(_parse(last["at"])), "kind": last.get("kind"),
                                                            "step": title, "text": last.get("text")}})
    return sorted(out, key=lambda t: t["last_step"]["at"] if t["last_step"] else "", reverse=True)
