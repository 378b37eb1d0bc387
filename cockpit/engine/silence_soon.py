"""Silences about to end: listed first, counted in the status bar, named in the report and the handoff.

A silence that ends while nobody looks lets its alerts page again; these helpers single out the
ones ending within ``[cockpit] silence_ending_soon`` (30 minutes by default). Pure functions of
the silences and the time, so the silences screen, the status bar and the report agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from cockpit.core.durations import format_duration
from cockpit.core.matchers import Matcher
from cockpit.core.times import parse_time, rfc3339
from cockpit.core.files import atomic_write_text
from cockpit.sources.base import SilenceInfo

__all__ = [
    "LEDGER_FILE_NAME",
    "SilenceLedger",
    "ending_soon",
    "ends_in_text",
    "ends_soon",
    "handoff_text",
    "soonest_first",
]

T = TypeVar("T")


def ends_soon(silence: SilenceInfo, now: datetime, within_s: float) -> bool:
    """Whether an active silence ends within ``within_s`` seconds of ``now``."""
    if silence.ends_at is None or silence.state not in ("active", ""):
        return False
    return 0 <= (silence.ends_at - now).total_seconds() <= within_s


def soonest_first(pairs: Sequence[tuple[T, SilenceInfo]], now: datetime, within_s: float) -> list[tuple[T, SilenceInfo]]:
    """The silences ending soon first (the soonest on top), then the others in their order."""
    soon = [p for p in pairs if ends_soon(p[1], now, within_s)]
    soon.sort(key=lambda p: p[1].ends_at)  # type: ignore[arg-type, return-value]
    return soon + [p for p in pairs if not ends_soon(p[1], now, within_s)]


def ending_soon(silences: Iterable[SilenceInfo], now: datetime, within_s: float) -> list[SilenceInfo]:
    """Only the silences ending soon, the soonest first."""
    return [s for _none, s in soonest_first([(None, s) for s in silences], now, within_s)
            if ends_soon(s, now, within_s)]


def ends_in_text(silence: SilenceInfo, now: datetime) -> str:
    """``ends in 12m`` (or ``ended``) for a silence."""
    if silence.ends_at is None:
        return "no end"
    left = (silence.ends_at - now).total_seconds()
    return f"ends in {format_duration(left)}" if left > 0 else "ended"


LEDGER_FILE_NAME = "silences_seen.json"
KEEP_S = 3 * 24 * 3600.0
"""A silence is forgotten this long after it ended (the report looks back at most a day or two)."""


class SilenceLedger:
    """The silences the cockpit has seen active, kept in ``<state_dir>/silences_seen.json``.

    The app lists the silences now and then (:meth:`observe`); the report reads which ones ended
    in its window (:meth:`expired_between`) and which end soon after it (:meth:`ending_soon`). It
    lives in the state dir: Alertmanager forgets expired silences after its retention.
    """

    def __init__(self, state_dir: Path | str) -> None:
        self.path = Path(state_dir) / LEDGER_FILE_NAME

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def observe(self, pairs: Iterable[tuple[str, SilenceInfo]], now: datetime) -> None:
        """Record the silences listed now (``(source name, silence)``); forget long-ended ones.

        A silence seen before and missing now, whose end was still ahead, was expired early:
        its end becomes the time it was last seen."""
        seen = self._load()
        listed = {f"{source}/{s.id}" for source, s in pairs}
        sources = {source for source, _s in pairs}
        for key, entry in seen.items():
            ends = parse_time(entry.get("ends_at"))
            if key not in listed and entry.get("source") in sources and ends is not None and ends > now:
                entry["ends_at"] = entry.get("last_seen")
                entry["expired_early"] = True
        for source, silence in pairs:
            if silence.state not in ("active", ""):
                continue
            key = f"{source}/{silence.id}"
            seen[key] = {
                "source": source, "id": silence.id, "ends_at": rfc3339(silence.ends_at) if silence.ends_at else None,
                "starts_at": rfc3339(silence.starts_at) if silence.starts_at else None,
                "first_seen": (seen.get(key) or {}).get("first_seen") or rfc3339(now),
                "matchers": [str(Matcher.from_api(m)) for m in silence.matchers if _valid(m)],
                "created_by": silence.created_by, "comment": silence.comment, "last_seen": rfc3339(now),
            }
        keep = {k: e for k, e in seen.items()
                if (parse_time(e.get("ends_at")) or now) > now - timedelta(seconds=KEEP_S)}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(self.path, json.dumps(keep, ensure_ascii=False, indent=1))

    def expired_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Silences that ended in ``[since, until]``, oldest end first."""
        found = [e for e in self._load().values()
                 if (end := parse_time(e.get("ends_at"))) is not None and since <= end <= until]
        return sorted(found, key=lambda e: e["ends_at"])

    def active_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Silences seen active at some time in ``[since, until]`` (from their start, or when first
        seen, to their end), each with ``starts_at`` set, the earliest first."""
        found = []
        for entry in self._load().values():
            start = parse_time(entry.get("starts_at")) or parse_time(entry.get("first_seen")) or parse_time(entry.get("last_seen"))
            end = parse_time(entry.get("ends_at"))
            if start is not None and start <= until and (end is None or end >= since):
                found.append({**entry, "starts_at": rfc3339(start)})
        return sorted(found, key=lambda e: parse_time(e["starts_at"]))

    def ending_soon(self, now: datetime, within_s: float) -> list[dict[str, Any]]:
        """Silences seen active that end within ``within_s`` after ``now``, soonest first."""
        found = [e for e in self._load().values()
                 if (end := parse_time(e.get("ends_at"))) is not None and now < end <= now + timedelta(seconds=within_s)]
        return sorted(found, key=lambda e: e["ends_at"])


def _valid(raw: dict[str, Any]) -> bool:
    try:
        Matcher.from_api(raw)
    except ValueError:
        return False
    return True


def handoff_text(state_dir: Path | str, now: datetime, within_s: float) -> str:
    """The lines a handoff note starts with when silences end soon (else ""): the next shift
    should know which alerts may page again."""
    soon = SilenceLedger(state_dir).ending_soon(now, within_s)
    if not soon:
        return ""
    lines = [f"Silences ending within {format_duration(within_s)}:"]
    for entry in soon:
        end = parse_time(entry.get("ends_at"))
        lines.append(f"- {', '.join(entry.get('matchers') or [])} (ends {end:%H:%M}Z, by "
                     f"{entry.get('created_by') or '?'}: {entry.get('comment') or ''})")
    return "\n".join(lines) + "\n\n"
