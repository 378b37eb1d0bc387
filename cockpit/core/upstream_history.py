"""What a source remembers about a past window, as the report reads it (no I/O here).

Sources that keep history upstream return these: Prometheus-compatible servers their alert spans
(from ``ALERTS`` and ``ALERTS_FOR_STATE``) and the intervals they hold data for; PagerDuty its
incidents' triggered, acknowledged and resolved times (from log entries). The report merges them
with what the cockpit recorded itself (:mod:`cockpit.engine.report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["AlertSpan", "AlertHistory", "Incident", "IncidentHistory", "Interval", "union"]

Interval = tuple[datetime, datetime]


@dataclass
class AlertSpan:
    """One alert from activation to resolution, as the upstream's rule evaluations recorded it."""

    fingerprint: str
    name: str
    severity: str
    service: str | None
    labels: dict[str, str]
    activated_at: datetime | None
    """When it turned active (pending), from ALERTS_FOR_STATE; None when not recorded."""
    fired_at: datetime | None
    """First evaluation seen firing; None: it was only ever pending (pending is not firing)."""
    resolved_at: datetime | None
    """First evaluation no longer firing; None: still firing at the end of the window."""
    carried_over: bool = False
    """Already firing when the window began."""


@dataclass
class AlertHistory:
    """A window of one alert source's upstream history."""

    spans: list[AlertSpan]
    covered: list[Interval]
    """Parts of the window the upstream holds data for (the rest is a hole)."""
    coverage_known: bool = True
    """False when the upstream gave no way to tell its holes (then nothing is called a hole)."""
    method: str = ""
    """How it was read, for the report's footnotes (queries, step)."""
    degraded: str | None = None
    """Replicas or sub-queries that failed while the others answered."""


@dataclass
class Incident:
    """One PagerDuty incident, from its log entries."""

    id: str
    title: str
    service: str | None
    triggered_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    url: str | None = None


@dataclass
class IncidentHistory:
    incidents: list[Incident] = field(default_factory=list)
    method: str = ""


def union(intervals: list[Interval]) -> list[Interval]:
    """The intervals merged where they overlap or touch, in order."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
