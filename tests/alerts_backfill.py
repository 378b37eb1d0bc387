"""A shift of alerts written as Prometheus's own ALERTS and ALERTS_FOR_STATE series, backfilled
into a REAL Prometheus with ``promtool tsdb create-blocks-from openmetrics``.

Each :class:`Backfilled` alert says when it turned pending, when it fired and when the first
evaluation no longer saw it; the series are what a rule evaluated every ``interval`` seconds
would have written (ALERTS pending then firing, ALERTS_FOR_STATE = the activation time), plus
``up`` wherever the server was collecting (the rest is a hole). Used by the report tests and by
the scale benchmark.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers import Server, require_binary, start_prometheus

__all__ = ["Backfilled", "backfill_prometheus", "openmetrics"]


@dataclass
class Backfilled:
    """One activation of an alert; times in Unix seconds, ``until`` exclusive."""

    name: str
    labels: dict[str, str]
    pending_at: int
    firing_at: int | None
    until: int
    extra: dict[str, str] = field(default_factory=dict)


def _series(name: str, labels: dict[str, str]) -> str:
    body = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{body}}}"


def openmetrics(alerts: list[Backfilled], up: list[tuple[int, int]], interval: int = 30) -> str:
    """The OpenMetrics text of every sample (series contiguous, times increasing)."""
    samples: dict[str, dict[str, list[tuple[int, float]]]] = {"ALERTS": defaultdict(list),
                                                             "ALERTS_FOR_STATE": defaultdict(list)}
    for alert in alerts:
        labels = {"alertname": alert.name, **alert.labels}
        fires = alert.firing_at if alert.firing_at is not None else alert.until
        for t in range(alert.pending_at, alert.until, interval):
            state = "pending" if t < fires else "firing"
            samples["ALERTS"][_series("ALERTS", {**labels, "alertstate": state})].append((t, 1))
            samples["ALERTS_FOR_STATE"][_series("ALERTS_FOR_STATE", labels)].append((t, alert.pending_at))
    ups = [(t, 1) for start, end in up for t in range(start, end, interval)]
    lines = []
    for family, series in samples.items():
        lines.append(f"# TYPE {family} gauge")
        for key in sorted(series):
            lines += [f"{key} {value:.0f} {t}" for t, value in sorted(series[key])]
    lines += ["# TYPE up gauge"] + [f'up{{job="prometheus",instance="self"}} 1 {t}' for t, _ in sorted(ups)]
    return "\n".join(lines + ["# EOF"]) + "\n"


def backfill_prometheus(tmp: Path, text: str) -> Server:
    """Write ``text`` into a fresh TSDB with promtool and start a real Prometheus on it."""
    promtool = require_binary("promtool")
    require_binary("prometheus")
    data = tmp / "alerts.om"
    data.write_text(text)
    storage = tmp / "tsdb"
    blocks = tmp / "blocks"
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=240h",
                    str(data), str(blocks)], check=True, capture_output=True, timeout=600)
    storage.mkdir(parents=True, exist_ok=True)
    for block in blocks.iterdir():
        shutil.move(str(block), storage / block.name)
    config = "global:\n  evaluation_interval: 1m\n  scrape_interval: 1m\n"
    return start_prometheus(tmp, config, storage_dir=storage)
