"""TUI benchmarks 4 and 5 of issue 7: 10,000 alerts, and five cockpits sharing one cache.

4. Scale: 10,000 alerts posted to a real Alertmanager; ``cockpit snapshot --format json`` time
   against ``amtool alert query -o json``; keystroke-to-screen latency while filtering (p95);
   resident memory of the TUI (VmHWM from /proc).
5. Shared polling: upstream API requests per minute counted by a real Prometheus
   (``prometheus_http_requests_total``), five TUIs sharing ``COCKPIT_CACHE_DIR`` against one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pty_term import PtyTerm, percentile
from bench.rows import fmt_ms, guarded, median, row
from bench.upstream import (
    am_alert_count,
    am_post_alerts,
    cockpit_argv,
    cockpit_env,
    prom_api_requests,
    start_server,
    wait,
    write_config,
)

__all__ = ["run"]

SCALE_ALERTS = int(os.environ.get("BENCH_SCALE_ALERTS", "10000"))
SHARED_WINDOW_S = float(os.environ.get("BENCH_SHARED_SECONDS", "45"))
SNAPSHOT_RUNS = 3
N_SNAP = f"4a. Scale: snapshot of {SCALE_ALERTS:,} alerts"
N_KEYS, N_MEM = "4b. Scale: filter keystroke-to-screen (p95)", "4c. Scale: TUI resident memory"
N_SHARED = "5. Shared polling: upstream requests/min, 5 instances vs 1"
T_SNAP, T_KEYS, T_MEM, T_SHARED = "(no target; ratio reported)", "<= 50 ms", "<= 150 MB", "<= 1.2x"


def _timed(argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> tuple[float, bytes]:
    start = time.monotonic()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=180, check=False)
    elapsed = time.monotonic() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{argv[0]} exited {done.returncode}: {done.stderr.decode(errors='replace')[:300]}")
    return elapsed, done.stdout


def _filter_shows(text: str):
    """The panel header shows ``filter: TEXT`` (or no filter when TEXT is empty)."""
    if not text:
        return lambda screen: "filter:" not in screen
    pattern = re.compile(r"filter: " + re.escape(text) + r"(\s|$)")
    return lambda screen: bool(pattern.search(screen))


def _filter_latencies(term: PtyTerm, queries: list[str]) -> tuple[list[float], list[float]]:
    """Type each query into the Alerts filter key by key, then erase it; one latency per key,
    as (typing: the rows narrow, erasing: the rows widen again)."""
    typed: list[float] = []
    erased: list[float] = []
    for query in queries:
        for i in range(1, len(query) + 1):
            latency = term.key_latency(query[i - 1], _filter_shows(query[:i]), timeout=10)
            if latency is not None:
                typed.append(latency)
        for i in range(len(query) - 1, -1, -1):
            latency = term.key_latency("backspace", _filter_shows(query[:i]), timeout=10)
            if latency is not None:
                erased.append(latency)
    return typed, erased


def _baseline_app(work: Path, env: dict[str, str], home: Path) -> tuple[dict[str, int], list[float]]:
    """Peak memory and key latencies of the one-table baseline app holding SCALE_ALERTS rows."""
    names = work / "scale-names.txt"
    names.write_text("".join(f"ScaleAlert{i % 100:02d} host-{i:05d}\n" for i in range(SCALE_ALERTS)))
    term = PtyTerm([sys.executable, str(Path(__file__).with_name("baseline_app.py")), str(names)], env=env, cwd=str(home))
    try:
        if term.wait_for(lambda text: "ScaleAlert" in text, 60) is None:
            raise RuntimeError(f"the baseline app never showed its rows: {term.summary()}")
        term.wait_quiet(1.0, 30)
        keys = [term.key_latency("down" if i % 2 == 0 else "up", timeout=5) for i in range(20)]
        return term.memory_kb(), [k for k in keys if k is not None]
    finally:
        term.close()


def scale(work: Path) -> list[dict]:
    am = start_server("alertmanager", work)
    term: PtyTerm | None = None
    try:
        severities = ["critical", "warning", "info"]
        am_post_alerts(am.url, [
            {"labels": {"alertname": f"ScaleAlert{i % 100:02d}", "severity": severities[i % 3], "instance": f"host-{i:05d}",
                        "service": f"svc-{i % 40}"},
             "annotations": {"summary": f"disk almost full on host-{i:05d}"}}
            for i in range(SCALE_ALERTS)
        ])
        if not wait(lambda: am_alert_count(am.url) >= SCALE_ALERTS, 60, 1.0):
            raise RuntimeError(f"Alertmanager holds {am_alert_count(am.url)} alerts, not {SCALE_ALERTS}")
        home, cache = work / "scale-home", work / "scale-cache"
        home.mkdir(exist_ok=True)
        config = write_config(work / "scale.toml", [{"name": "am", "type": "alertmanager", "url": am.url,
                                                    "interval": "15s", "timeout": "10s"}])
        env = cockpit_env(cache, home=home)
        ours, base = [], []
        count = None
        for _ in range(SNAPSHOT_RUNS):
            elapsed, out = _timed(cockpit_argv("snapshot", "--format", "json", "--config", str(config)), env, str(home))
            ours.append(elapsed)
            count = len(json.loads(out)["alerts"])
            elapsed, out = _timed(["amtool", "alert", "query", "-o", "json", f"--alertmanager.url={am.url}"], env, str(home))
            base.append(elapsed)
        snap_ours, snap_base = median(ours), median(base)
        rows = [row(N_SNAP, fmt_ms(snap_ours), fmt_ms(snap_base) + " (amtool alert query -o json)", snap_ours / snap_base,
                    T_SNAP, None, f"median of {SNAPSHOT_RUNS}; the snapshot printed {count} alerts; both are whole processes "
                    "(the cockpit's includes Python start-up, parsing into models and JSON rendering)")]

        term = PtyTerm(cockpit_argv("--config", str(config)), env=env, cwd=str(home))
        painted = term.wait_for(lambda text: "ScaleAlert" in text, 60)
        if painted is None:
            raise RuntimeError(f"the TUI never showed the alerts: {term.summary()}")
        first_paint = painted - term.started_at
        term.wait_quiet(2.0, 90)  # the first poll of 10,000 alerts has landed and been drawn
        idle_mem = term.memory_kb()
        open_latency = term.key_latency("/", lambda s: "filter alerts" in s or "filter" in s.splitlines()[-2], timeout=10)
        typed, erased = _filter_latencies(term, ["host-0123", "critical"])
        latencies = typed + erased
        term.send("esc")
        mem = term.memory_kb()
        term.close()
        base_mem, base_keys = _baseline_app(work, env, home)
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        base_p95 = percentile(base_keys, 0.95)
        met = p95 is not None and p95 <= 0.050
        note = (f"{len(latencies)} keystrokes typing and erasing 'host-0123' and 'critical' in the Alerts filter; p50 {fmt_ms(p50)}, "
                f"max {fmt_ms(max(latencies) if latencies else None)}; p95 typing {fmt_ms(percentile(typed, 0.95))}, erasing "
                f"{fmt_ms(percentile(erased, 0.95))}; latency = key sent until the screen showed the new "
                f"filter and went quiet for 80 ms; opening the filter ('/') {fmt_ms(open_latency)}; first paint with "
                f"{SCALE_ALERTS:,} cached alerts {fmt_ms(first_paint)}")
        if not met:
            note += ("; GAP: each keystroke is one frame, and the filter over all alerts is a substring test per "
                     "alert (1-2 ms for 10,000); the slow keystrokes are the ones that change every visible row "
                     "(typing and erasing the last digits of 'host-0123'): Textual's DataTable renders every cell of "
                     "the ~36 rows on screen again (its render cache is keyed by a table-wide update count), "
                     "20-40 ms of the keystroke on this machine, and that frame is ~18 KB")
        rows.append(row(N_KEYS, fmt_ms(p95), f"{fmt_ms(base_p95)} (down/up keys in a one-table Textual app of {SCALE_ALERTS:,} rows)",
                        p95 / base_p95 if p95 and base_p95 else None, T_KEYS, met, note))
        hwm = max(mem.get("VmHWM", 0), idle_mem.get("VmHWM", 0)) / 1024
        rss = mem.get("VmRSS", 0) / 1024
        met = 0 < hwm <= 150
        note = f"VmHWM (peak) after the filter run; VmRSS now {rss:.0f} MB, after the first poll {idle_mem.get('VmRSS', 0) / 1024:.0f} MB"
        if not met:
            note += ("; GAP: the peak is reached by the first poll: one in-memory copy of these "
                     f"{SCALE_ALERTS:,} alerts as models is {_models_mb():.0f} MB, and during that poll the copy painted "
                     "from the cache and the new one are alive together, with the JSON bytes of the cache write "
                     "(the upstream body is parsed straight into small typed records, no longer into dicts); CPython "
                     "rarely gives freed memory back, so the resident size stays near that peak")
        base_hwm = base_mem.get("VmHWM", 0) / 1024
        rows.append(row(N_MEM, f"{hwm:.0f} MB", f"{base_hwm:.0f} MB (one-table Textual app, same {SCALE_ALERTS:,} names)",
                        hwm / base_hwm if base_hwm else None, T_MEM, met, note))
        return rows
    finally:
        if term is not None:
            term.close()
        am.stop()


def _models_mb() -> float:
    """Memory of one list of SCALE_ALERTS Alert models like the benchmark's (tracemalloc)."""
    import tracemalloc

    from cockpit.core.models import Alert, utcnow

    now = utcnow()
    tracemalloc.start()
    try:
        items = [Alert(source="am", fingerprint=f"{i:016x}", name=f"ScaleAlert{i % 100:02d}", severity="warning", starts_at=now,
                       labels={"alertname": f"ScaleAlert{i % 100:02d}", "instance": f"host-{i:05d}", "service": f"svc-{i % 40}"},
                       annotations={"summary": f"disk almost full on host-{i:05d}"}, summary=f"disk almost full on host-{i:05d}",
                       peers=["http://127.0.0.1:9093"]) for i in range(SCALE_ALERTS)]
        size = tracemalloc.get_traced_memory()[0]
        del items
        return size / 1024 / 1024
    finally:
        tracemalloc.stop()


SLO = {"service": "bench", "name": "availability", "objective": 0.999, "period": "30d",
       "error_query": 'sum(rate(prometheus_http_requests_total{code=~"5.."}[{{window}}]))',
       "total_query": "sum(rate(prometheus_http_requests_total[{{window}}]))"}


def shared_polling(work: Path) -> list[dict]:
    prom = start_server("prometheus", work)
    terms: list[PtyTerm] = []
    try:
        config = write_config(work / "shared.toml", [{"name": "prom", "type": "prometheus-slo", "url": prom.url,
                                                     "interval": "5s", "timeout": "4s", "slos": [SLO]}])
        home, cache = work / "shared-home", work / "shared-cache"
        home.mkdir(exist_ok=True)

        def start_one() -> PtyTerm:
            term = PtyTerm(cockpit_argv("--config", str(config)), env=cockpit_env(cache, home=home), cwd=str(home))
            terms.append(term)
            if term.wait_for(lambda text: "availability" in text, 40) is None:
                raise RuntimeError(f"a cockpit never showed the SLO: {term.summary()}")
            return term

        def rate() -> float:
            time.sleep(8)  # past start-up: every instance has painted and polled or read the cache
            start = prom_api_requests(prom.url)
            time.sleep(SHARED_WINDOW_S)
            return (prom_api_requests(prom.url) - start) * 60 / SHARED_WINDOW_S

        start_one()
        one = rate()
        for _ in range(4):
            start_one()
        five = rate()
        if one <= 0:
            raise RuntimeError("one cockpit made no upstream request: the source is not polling")
        ratio = five / one
        met = ratio <= 1.2
        note = (f"prometheus-slo source (Sloth and Pyrra discovery plus one declared SLO), poll every 5 s; requests on "
                f"Prometheus's /api/* handlers over {SHARED_WINDOW_S:g} s, scaled to a minute; the same 5 TUIs sharing "
                "COCKPIT_CACHE_DIR, the first kept running")
        if not met:
            note += "; GAP: the lease in the cache does not stop the other instances from polling"
        return [row(N_SHARED, f"{five:.0f} req/min", f"{one:.0f} req/min (one instance)", ratio, T_SHARED, met, note)]
    finally:
        for term in terms:
            term.close()
        prom.stop()


def run() -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-") as tmp:
        work = Path(tmp)
        rows += guarded([(N_SNAP, T_SNAP), (N_KEYS, T_KEYS), (N_MEM, T_MEM)], lambda: scale(work))
        rows += guarded([(N_SHARED, T_SHARED)], lambda: shared_polling(work))
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
