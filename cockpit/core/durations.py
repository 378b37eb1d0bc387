"""Duration strings as used in the config and on screen: ``15s``, ``5m``, ``1h30m``, ``30d``."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

__all__ = ["Duration", "format_age", "format_coarse", "format_coarse_age", "format_duration", "parse_duration"]

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")


def parse_duration(value: str | int | float) -> float:
    """Seconds in a duration string; a bare number is seconds. Raises ValueError when malformed."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '15s', '5m' or '1h'")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    text = str(value).strip().lower()
    pos, total = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not text or pos != len(text):
        raise ValueError(f"expected a duration such as '15s', '5m' or '1h', got {value!r}")
    return total


Duration = Annotated[float, BeforeValidator(parse_duration)]
"""A config field holding seconds, written as a duration string."""


def format_duration(seconds: float | None) -> str:
    """Compact duration: ``45s``, ``12m``, ``3h05m``, ``2d4h``; ``-`` when unknown."""
    if seconds is None:
        return "-"
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def format_age(seconds: float | None) -> str:
    """An age for a panel header: ``just now``, ``42s ago``, ``3m ago``; ``never`` when unknown.

    A time in the future (an alert's ``ends_at``, a silence's end) reads ``in 1h00m``; a couple of
    seconds ahead (clock skew) still reads ``just now``.
    """
    if seconds is None:
        return "never"
    if seconds <= -2:
        return f"in {format_duration(-seconds)}"
    if seconds < 2:
        return "just now"
    return f"{format_duration(seconds)} ago"


def format_coarse(seconds: float | None) -> str:
    """A duration that changes rarely: ``<1m``, ``<5m``, then 5-minute steps, hours, days.

    For low-bandwidth terminals: an age shown this way repaints its cell every 5 minutes at
    most instead of every minute.
    """
    if seconds is None:
        return "-"
    s = int(max(0, seconds))
    if s < 60:
        return "<1m"
    if s < 300:
        return "<5m"
    if s < 3600:
        return f"{(s // 300) * 5}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def format_coarse_age(seconds: float | None) -> str:
    """A freshness for headers and the status bar, to the minute: ``<1m ago``, ``3m ago``.

    Seconds would repaint the line at every tick for no decision anyone makes on them.
    """
    if seconds is None:
        return "never"
    if seconds < 60:
        return "<1m ago"
    return f"{format_duration(seconds // 60 * 60)} ago"
