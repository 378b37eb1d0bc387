"""Times read from upstreams and files, and written back out: one parser, one formatter.

Every upstream (Alertmanager, Prometheus, PagerDuty, GitHub, GitLab, Argo CD, git) and every
file of ours (handoff notes, the history, the report) sends times as RFC 3339 / ISO 8601
strings, with their own habits: ``Z`` or an offset, lower-case ``t``/``z``, nine fractional
digits (Go), no zone at all, or Go's zero time ``0001-01-01T00:00:00Z`` meaning "unset".
:func:`parse_time` reads all of them the same way, as aware UTC, and anything else as None.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

__all__ = ["clock_time", "local_and_utc", "parse_moment", "parse_time", "rfc3339"]

_FRACTION = re.compile(r"(\.\d{1,6})\d+")
"""Fractional seconds past the microseconds Python keeps (Go writes nanoseconds)."""


def parse_time(value: object) -> datetime | None:
    """An RFC 3339 / ISO 8601 time as an aware UTC datetime; None when absent or unreadable.

    - ``Z``, ``z`` and numeric offsets are honoured and converted to UTC; a time without a zone
      is read as UTC.
    - Fractional seconds of any length are kept to the microsecond (truncated, not rounded).
    - None, an empty or blank string, Go's zero time (``0001-01-01…``), a non-string and garbage
      all give None: never an exception, so one bad field never loses a whole poll.
    - A ``datetime`` is passed through (naive read as UTC), so callers need not check first.
    """
    if isinstance(value, datetime):
        parsed = value
    elif not isinstance(value, str):
        return None
    else:
        text = value.strip()
        if not text or text.startswith("0001-01-01"):
            return None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text.upper()))
            except ValueError:
                return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def rfc3339(when: datetime | None, timespec: str = "auto") -> str | None:
    """``when`` as RFC 3339 UTC with a ``Z`` (``2026-11-27T09:30:00Z``), naive read as UTC; None stays None.

    ``timespec`` as :meth:`datetime.isoformat` (``"seconds"`` drops the fraction).
    """
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec=timespec).replace("+00:00", "Z")


def parse_moment(text: str, now: datetime) -> datetime:
    """A moment as a user types it: RFC 3339 (``2026-11-27T09:00:00Z``) or Grafana's relative form
    (``now``, ``now-24h``, ``now-7d``, ``now+30m``). Raises ValueError naming the accepted forms."""
    from cockpit.core.durations import parse_duration

    value = text.strip()
    if value.lower().startswith("now"):
        rest = value[3:].strip()
        if not rest:
            return now
        if rest[0] in "+-":
            try:
                seconds = parse_duration(rest[1:].strip())
            except ValueError:
                pass
            else:
                return now + timedelta(seconds=seconds if rest[0] == "+" else -seconds)
    elif "T" in value.upper() or " " in value:
        when = parse_time(value)
        if when is not None and (value.upper().endswith("Z") or value[-6:-5] in "+-" and value[-3:-2] == ":"):
            return when
    raise ValueError(f"{text!r} is not a time: give RFC 3339 with a zone (2026-11-27T09:00:00Z) or now-24h")


def clock_time(when: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """``when`` in ``tz`` (default local) as ``23:59``, with the day when it is not ``now``'s day
    there (``Mon 30 Nov 23:59``)."""
    here, today = when.astimezone(tz), now.astimezone(tz).date()
    return here.strftime(("%a %d %b " if here.date() != today else "") + "%H:%M")


def local_and_utc(when: datetime, now: datetime | None = None) -> str:
    """A moment as the on-call engineer reads it and as the logs write it:
    ``23:59 CET (22:59Z)``, with the date on each side that is not today's
    (``Tue 01 Dec 00:59 CET (Mon 30 Nov 23:59Z)``). ``now`` decides what "today" is."""
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    local = when.astimezone()
    left = clock_time(when, now)
    zone = local.strftime("%Z") or local.strftime("%z")
    right = clock_time(when, now, timezone.utc) + "Z"
    if local.utcoffset() == timedelta(0):
        return right
    return f"{left} {zone} ({right})"
