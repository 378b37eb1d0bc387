"""One known shift of alerts (12 hours, evaluations every 30 s) and its expected report figures."""

from __future__ import annotations

import time

from tests.alerts_backfill import Backfilled

__all__ = ["HOLE", "SHIFT_S", "shift", "shift_end"]

SHIFT_S = 12 * 3600
M, H = 60, 3600
HOLE = (8 * H, 9 * H)
"""Seconds after the shift's start where the server collected nothing."""


def shift_end() -> int:
    """An end an hour in the past, on a 5-minute boundary (backfilled blocks stay out of the head)."""
    return (int(time.time()) // 300) * 300 - 3600


def shift(end: int) -> tuple[list[Backfilled], list[tuple[int, int]]]:
    s = end - SHIFT_S
    crit = {"severity": "critical"}
    alerts = [
        # pending 2m, fires, resolved 30m after firing
        Backfilled("HighErrorRate", {**crit, "service": "checkout"}, s + H, s + H + 2 * M, s + H + 32 * M),
        # fires at once, 10 min; fires again later for 20 min (same series)
        Backfilled("DiskFull", {**crit, "service": "storage"}, s + 3 * H, s + 3 * H, s + 3 * H + 10 * M),
        Backfilled("DiskFull", {**crit, "service": "storage"}, s + 5 * H, s + 5 * H, s + 5 * H + 20 * M),
        # a warning that resolves by itself after 4 minutes (noise)
        Backfilled("QueueSlow", {"severity": "warning", "service": "queue"}, s + 2 * H, s + 2 * H, s + 2 * H + 4 * M),
        # pending for a minute, never fires: not an alert of the shift
        Backfilled("CpuThrottled", {"severity": "warning", "service": "api"}, s + 6 * H, None, s + 6 * H + M),
        # fired an hour before the shift, resolved 30 min in: carried over, not counted
        Backfilled("ReplicaLag", {**crit, "service": "db"}, s - H, s - H, s + 30 * M),
        # fires an hour before the end and is still firing
        Backfilled("LatencyHigh", {"severity": "warning", "service": "api"}, s + 11 * H, s + 11 * H, end + H),
    ]
    up = [(s - 2 * H, s + HOLE[0]), (s + HOLE[1], end + H)]
    return alerts, up
