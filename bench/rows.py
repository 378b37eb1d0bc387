"""The row every benchmark returns, and small helpers to fill it honestly.

A row is a dict ``{name, value, baseline, ratio, target, met, note}``: ``value`` and ``baseline``
are display strings with units, ``ratio`` is value / baseline (a float, or None when there is no
baseline), ``met`` is True/False, or None when the figure was not measured.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

__all__ = ["fmt_bytes", "fmt_ms", "guarded", "median", "not_measured", "row"]


def row(
    name: str,
    value: str,
    baseline: str = "",
    ratio: float | None = None,
    target: str = "",
    met: bool | None = None,
    note: str = "",
) -> dict:
    return {"name": name, "value": value, "baseline": baseline, "ratio": ratio, "target": target, "met": met, "note": note}


def not_measured(name: str, target: str, reason: str) -> dict:
    """A row for a figure that could not be measured here, with the reason."""
    return row(name, "not measured", "", None, target, None, reason)


def guarded(names_targets: Sequence[tuple[str, str]], func: Callable[[], list[dict]]) -> list[dict]:
    """Run one benchmark; on any failure return "not measured" rows naming the error."""
    try:
        return func()
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        reason = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        return [not_measured(name, target, reason) for name, target in names_targets]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def fmt_ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def fmt_bytes(count: float | None) -> str:
    if count is None:
        return "n/a"
    if count >= 10_000:
        return f"{count / 1024:.1f} KB"
    return f"{count:.0f} B"
