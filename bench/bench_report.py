"""The shift report at scale (issue 16): 7 days of ALERTS for 1,000 alert series and about 5,000
transitions, backfilled with ``promtool tsdb create-blocks-from openmetrics`` into a real
Prometheus, then ``cockpit report --from now-7d`` with an empty state dir.

Measured: the command's wall time and peak memory (``ru_maxrss`` of the process from
``os.wait4``), against the baseline of the same three range queries fetched raw (urllib, in
this process) from the same Prometheus: the difference is what the cockpit adds. The report's
alert count is checked against the generated data, so a fast wrong answer cannot pass.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from bench.rows import guarded, row
from bench.upstream import cockpit_argv, cockpit_env
from cockpit.sources.prom_history import LOOKBACK_S, range_step
from tests.alerts_backfill import Backfilled, backfill_prometheus, openmetrics

__all__ = ["run"]

SERIES = int(os.environ.get("BENCH_REPORT_SERIES", "1000"))
ACTIVATIONS = int(os.environ.get("BENCH_REPORT_ACTIVATIONS", "1818"))
"""Three transitions an activation (pending, firing, resolved), two when it fires at once: about 5,000."""
DAYS = 7
INTERVAL = 60
N_TIME, N_MEM = "report: 7 days, 1,000 alert series, rebuilt (wall)", "report: 7 days, peak memory"
T_TIME, T_MEM = "<= 3 s", "<= 250 MB"
WALL_LIMIT_S, MEMORY_LIMIT = 3.0, 250 * 2**20
WHY_TARGET = (
    "Shift report over 7 days (issue 16): the targets come from the first measurements on the 2-core shared machine "
    "of this file. The very first, with timestamp(ALERTS), took 41 s, 36 s of it inside Prometheus 2.42 evaluating "
    "timestamp() (ALERTS_FOR_STATE alone: 0.3 s); the queries became count_over_time(ALERTS[5m]), exact to one step "
    "all the same, and the next measurement was 1.5 s and 199 MB. Targets: 3 s (twice that, for a busier machine; a "
    "7-day report run by hand should answer while one waits) and 250 MB (a quarter above the peak, which is Python and "
    "the cockpit's imports, about 60 MB, plus the parsed answers of about 400,000 points)."
)


def _shift(end: int) -> tuple[list[Backfilled], int]:
    """Activations spread over the series (seeded: the same data every run); returns them and the
    number of firing episodes that start inside the window."""
    rnd = random.Random(16)
    start = end - DAYS * 86400
    free_at = {i: start - 3600 for i in range(SERIES)}
    alerts, fired = [], 0
    for n in range(ACTIVATIONS):
        series = n % SERIES
        gap = rnd.randint(10, 6 * 60) * 60
        pending = max(free_at[series] + gap, start + rnd.randint(0, 120) * 60)
        firing = pending + rnd.choice((0, 60, 120, 300))
        until = firing + rnd.randint(2, 180) * 60
        if until >= end - INTERVAL:
            continue
        free_at[series] = until
        sev = ("critical", "warning", "info")[series % 3]
        labels = {"severity": sev, "service": f"svc-{series % 40:02d}", "instance": f"host-{series:04d}"}
        alerts.append(Backfilled(f"Bench{series % 25:02d}", labels, pending, firing, until))
        fired += start <= firing <= end
    return alerts, fired


def _raw_queries(url: str, since: datetime, until: datetime) -> float:
    """The three queries the report sends (one lookback past both ends), one after the other."""
    start, end = since.timestamp() - LOOKBACK_S, until.timestamp() + LOOKBACK_S
    step = range_step(datetime.fromtimestamp(start, timezone.utc), datetime.fromtimestamp(end, timezone.utc))
    began = time.monotonic()
    for query in ("count_over_time(ALERTS[299999ms])", "ALERTS_FOR_STATE", "max(count_over_time(up[299999ms]))"):
        params = urllib.parse.urlencode({"query": query, "start": start, "end": end, "step": step})
        with urllib.request.urlopen(f"{url}/api/v1/query_range?{params}", timeout=120) as response:  # noqa: S310
            json.load(response)
    return time.monotonic() - began


def _measure() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp_name:
        tmp = Path(tmp_name)
        end = (int(time.time()) // 300) * 300 - 3600
        alerts, fired = _shift(end)
        transitions = sum(3 if a.firing_at != a.pending_at else 2 for a in alerts)
        began = time.monotonic()
        server = backfill_prometheus(tmp, openmetrics(alerts, [(end - DAYS * 86400 - 3600, end + 600)], INTERVAL))
        setup_s = time.monotonic() - began
        try:
            since = datetime.fromtimestamp(end - DAYS * 86400, timezone.utc)
            until = datetime.fromtimestamp(end, timezone.utc)
            config = tmp / "config.toml"
            config.write_text(f'[[sources]]\nname = "prom"\ntype = "prometheus-alerts"\nurl = "{server.url}"\n'
                              'interval = "300s"\ntimeout = "120s"\n')  # a week of range queries; the timeout stays below the interval
            raw_s = min(_raw_queries(server.url, since, until) for _ in range(2))
            env = cockpit_env(tmp / "cache", home=tmp / "home")
            env["COCKPIT_STATE_DIR"] = str(tmp / "state")
            argv = cockpit_argv("report", "--config", str(config), "--from", since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                "--until", until.strftime("%Y-%m-%dT%H:%M:%SZ"), "--format", "json")
            runs = []
            for _ in range(3):
                out = tmp / "report.json"
                began = time.monotonic()
                with open(out, "wb") as sink:
                    process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, env=env)
                    _, status, usage = os.wait4(process.pid, 0)
                elapsed = time.monotonic() - began
                if os.waitstatus_to_exitcode(status) != 0:
                    raise RuntimeError(f"cockpit report exited {status}: {process.stderr.read().decode()[:300]}")
                process.stderr.close()
                runs.append((elapsed, usage.ru_maxrss * 1024))
            report = json.loads(out.read_text())
        finally:
            server.stop()
    got = report["alerts"]["fired"] + len(report["alerts"]["carried_over"])
    wall = sorted(t for t, _ in runs)[1]
    peak = max(m for _, m in runs)
    note = (f"median of 3; {SERIES:,} series, {len(alerts):,} activations, {transitions:,} transitions over {DAYS} days, "
            f"evaluation every {INTERVAL}s, step {range_step(since, until):g}s; the report counted {got:,} episodes "
            f"(expected {fired:,}); backfill and start {setup_s:.1f}s (not counted)")
    if got != fired:
        note = "WRONG ANSWER: " + note
    rows = [
        row(N_TIME, f"{wall:.2f} s", f"{raw_s:.2f} s (the 3 range queries, raw)", wall / raw_s if raw_s else None, T_TIME,
            wall <= WALL_LIMIT_S and got == fired, note + f"; runs {', '.join(f'{t:.2f}' for t, _ in runs)} s"),
        row(N_MEM, f"{peak / 2**20:.0f} MB", "", None, T_MEM, peak <= MEMORY_LIMIT and got == fired,
            "ru_maxrss of the cockpit report process (largest of 3)"),
    ]
    for r in rows:
        r["why_target"] = WHY_TARGET
    return rows


def run() -> list[dict]:
    return guarded([(N_TIME, T_TIME), (N_MEM, T_MEM)], _measure)
