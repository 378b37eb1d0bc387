"""What the report's parts share: its options, an alert episode, and summary statistics.

Kept apart from :mod:`cockpit.engine.report.build` so that the parts it calls
(:mod:`~cockpit.engine.report.changes`, :mod:`~cockpit.engine.report.upstream`) do not import it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo
from statistics import median
from typing import Any

__all__ = ["Episode", "ReportOptions", "stats"]


@dataclass
class ReportOptions:
    """The window and every threshold a figure depends on (all named in the footer)."""

    since: datetime
    until: datetime
    noise_minutes: float = 5.0
    flap_count: int = 3
    business_start: time = time(9, 0)
    business_end: time = time(18, 0)
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    tz: tzinfo | None = None
    """Time zone of business hours and of the hourly buckets; None: the machine's local zone."""
    page_severities: tuple[str, ...] = ("critical", "page")
    change_window: timedelta = timedelta(hours=1)
    default_branches: tuple[str, ...] = ("main", "master")
    sources: tuple[str, ...] = ()
    """Configured source names: reported on even when nothing was recorded for them."""
    silence_ending_soon_s: float = 1800.0
    """Silences ending within this long after the window are named ("ends soon")."""

    @property
    def zone(self) -> tzinfo:
        return self.tz or datetime.now().astimezone().tzinfo or timezone.utc


@dataclass
class Episode:
    """One alert from first sighting to resolution."""

    source: str
    key: str
    name: str
    severity: str
    service: str | None
    seen_at: datetime
    labels: dict[str, str] = field(default_factory=dict)
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    actions: list[tuple[datetime, str]] = field(default_factory=list)
    origin: str = "history"
    """``history``: rebuilt from what this cockpit saw; ``upstream``: from the source's own history."""
    activated_at: datetime | None = None
    """Upstream: when the alert turned pending (``ALERTS_FOR_STATE``), drawn on the timeline."""

    def first_action(self) -> tuple[datetime, str] | None:
        after = [a for a in self.actions if a[0] >= self.seen_at and (self.resolved_at is None or a[0] <= self.resolved_at)]
        return min(after) if after else None


def stats(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "mean_s": sum(values) / len(values) if values else None,
            "median_s": median(values) if values else None}
