"""A window of alert history rebuilt from a Prometheus server's own series (no cockpit needed).

Prometheus writes every active alert as ``ALERTS{alertname, alertstate="pending"|"firing", ...}``
(value 1, one sample per rule evaluation) and ``ALERTS_FOR_STATE{alertname, ...}`` whose value is
the alert's activation time. Three range queries per server read a window:

* ``count_over_time(ALERTS[R])`` with ``R`` = max(step, 5m: Prometheus's lookback): at each step,
  how many samples the last ``R`` holds. Consecutive steps with samples are one run; its first
  sample lies within one step before the run's first point, its last sample within one step
  after the run's last point minus ``R``, and the evaluation interval is ``R`` divided by the
  most samples a window held. So fired and resolved are exact to one step (exact when samples
  fall on the step grid), with and without staleness markers (backfilled blocks have none).
  ``timestamp(ALERTS)`` would say the same but costs Prometheus 2.x some 30 times more;
* ``ALERTS_FOR_STATE``: the activation time, which also splits two activations that ``R`` would
  run together;
* ``max(count_over_time(up[R]))``: where the server was collecting at all, read the same way;
  the rest of the window is a hole. A server that never scrapes anything answers nothing
  here, and then no part is called a hole.

Each query's step keeps it under Prometheus's 11,000 points per series. Pending is not firing:
an alert that was only ever pending gives a span with ``fired_at = None``. Resolved is the first
evaluation after the last firing sample (last sample + interval).
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from cockpit.core.errors import SourceBadResponse
from cockpit.core.upstream_history import AlertHistory, AlertSpan, Interval, union

__all__ = ["LOOKBACK_S", "MAX_POINTS", "MIN_STEP_S", "merge_histories", "range_step", "read_alert_history", "window_of"]

MAX_POINTS = 11_000
"""Prometheus refuses a range query with more points per series than this."""
MIN_STEP_S = 5.0
"""Finer than this buys nothing: rule evaluations are rarely more often."""
LOOKBACK_S = 300.0
"""Prometheus's default lookback: a series unsampled for longer is gone (rule groups evaluate
at least this often)."""

Query = Callable[[str, datetime, datetime, float], Awaitable[list[dict[str, Any]]]]


def range_step(start: datetime, end: datetime) -> float:
    """The finest whole-second step that keeps a range query under :data:`MAX_POINTS`."""
    span = (end - start).total_seconds()
    return float(max(MIN_STEP_S, math.ceil(span / (MAX_POINTS - 1))))


def _at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, timezone.utc)


def _labels(metric: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in metric.items() if k not in ("__name__", "alertstate")}


def _points(series: dict[str, Any]) -> list[tuple[float, float]]:
    try:
        return [(float(t), float(v)) for t, v in series.get("values") or []]
    except (TypeError, ValueError) as exc:
        raise SourceBadResponse(f"query_range: a value is not a number ({exc})") from exc


def window_of(step: float) -> float:
    """The range each point counts samples over: a step, and at least Prometheus's 5m lookback."""
    return max(step, LOOKBACK_S)


def _runs(points: list[tuple[float, float]], step: float) -> list[list[tuple[float, float]]]:
    """Consecutive steps that counted samples (a missing point or a zero ends a run)."""
    runs: list[list[tuple[float, float]]] = []
    for t, count in points:
        if count <= 0:
            continue
        if runs and t - runs[-1][-1][0] <= step + 0.5:
            runs[-1].append((t, count))
        else:
            runs.append([(t, count)])
    return runs


def _edges(run: list[tuple[float, float]], step: float, window: float, fallback: float) -> tuple[float, float, float]:
    """First sample, last sample and evaluation interval of one run of counted steps (the interval
    from the run's own counts when some window was full, else ``fallback``)."""
    return run[0][0], run[-1][0] - window + step, _own_interval(run, window) or fallback


def _own_interval(run: list[tuple[float, float]], window: float) -> float | None:
    """``window`` over the most samples one window held, when the run is long enough to fill one."""
    if run[-1][0] - run[0][0] < 2 * window:  # the samples span a whole window (points run a window past them)
        return None
    most = max(count for _, count in run)
    return window / most if most >= 1 else None


def _typical_interval(matrix: list[dict[str, Any]], step: float, window: float) -> float:
    """The evaluation interval most long runs show (for runs too short to tell their own)."""
    found = sorted(i for series in matrix for run in _runs(_points(series), step)
                   if (i := _own_interval(run, window)) is not None)
    return found[len(found) // 2] if found else step


def _split(run: list[tuple[float, float]], active: dict[float, float]) -> list[list[tuple[float, float]]]:
    """Split a run where ALERTS_FOR_STATE says the alert was activated anew."""
    parts: list[list[tuple[float, float]]] = [[]]
    last = None
    for point in run:
        now = active.get(point[0])
        if parts[-1] and now is not None and last is not None and now != last:
            parts.append([])
        parts[-1].append(point)
        last = now if now is not None else last
    return parts


def spans_from(alerts: list[dict[str, Any]], for_state: list[dict[str, Any]], start: datetime, end: datetime,
               step: float, fingerprint: Callable[[dict[str, str]], str]) -> list[AlertSpan]:
    """Alert spans from the two range queries' matrices (see the module's docstring)."""
    window = window_of(step)
    t_first, t_last = start.timestamp(), end.timestamp()
    activations: dict[str, dict[float, float]] = {}
    for series in for_state:
        activations[fingerprint(_labels(series.get("metric") or {}))] = dict(_points(series))
    firing: dict[str, list[AlertSpan]] = defaultdict(list)
    pending: list[AlertSpan] = []
    typical = _typical_interval(alerts, step, window)
    for series in alerts:
        metric = series.get("metric") or {}
        labels = _labels(metric)
        key = fingerprint(labels)
        active = activations.get(key, {})
        for whole in _runs(_points(series), step):
            for run in _split(whole, active):
                if not run:
                    continue
                first, last, interval = _edges(run, step, window, fallback=typical)
                activated = next((active[t] for t, _ in run if t in active), None)
                ended = t_last - run[-1][0] >= step - 0.5
                span = AlertSpan(
                    fingerprint=key, name=labels.get("alertname", "(no alertname)"),
                    severity=(labels.get("severity") or "none").lower(), service=labels.get("service"),
                    labels=labels, activated_at=None if activated is None else _at(activated),
                    fired_at=_at(first), resolved_at=_at(last + interval) if ended else None,
                    carried_over=first < t_first,
                )
                if metric.get("alertstate") == "firing":
                    firing[key].append(span)
                else:
                    pending.append(span)
    out = [s for spans in firing.values() for s in spans]
    for span in pending:  # pending that turned firing is the same episode: only the rest is kept
        assert span.fired_at is not None
        grace = timedelta(seconds=step + 1)
        fired = any(f.fired_at and span.fired_at <= f.fired_at <= (span.resolved_at or end) + grace
                    for f in firing.get(span.fingerprint, []))
        if not fired:
            span.activated_at, span.fired_at = span.activated_at or span.fired_at, None
            out.append(span)
    return sorted(out, key=lambda s: (s.fired_at or s.activated_at or start, s.fingerprint))


def covered_from(matrix: list[dict[str, Any]], start: datetime, end: datetime, step: float) -> list[Interval]:
    """Intervals with samples of the coverage series, from the first to one interval after the last."""
    window = window_of(step)
    covered = []
    typical = _typical_interval(matrix, step, window)
    for series in matrix:
        for run in _runs(_points(series), step):
            first, last, interval = _edges(run, step, window, fallback=typical)
            ended = end.timestamp() - run[-1][0] >= step - 0.5
            covered.append((max(start, _at(first)), _at(last + interval) if ended else end))
    return union(covered)


async def read_alert_history(query: Query, start: datetime, end: datetime,
                             fingerprint: Callable[[dict[str, str]], str], coverage_series: str) -> AlertHistory:
    """One server's window: the three range queries (see the module's docstring)."""
    # The queries reach one lookback past both ends: a run that began before the window is seen
    # beginning (carried over), one that ended just after it is seen ending.
    step = range_step(start - timedelta(seconds=LOOKBACK_S), end + timedelta(seconds=LOOKBACK_S))
    q_start, q_end = start - timedelta(seconds=window_of(step)), end + timedelta(seconds=window_of(step))
    # A millisecond short of R: Prometheus 2 counts [t-R, t], 3 counts (t-R, t]; with samples on whole
    # seconds both then count the same samples.
    window = f"{window_of(step) * 1000 - 1:.0f}ms"
    coverage_query = f"max(count_over_time({coverage_series}[{window}]))" if coverage_series else ""
    alerts, for_state, coverage = await asyncio.gather(
        query(f"count_over_time(ALERTS[{window}])", q_start, q_end, step),
        query("ALERTS_FOR_STATE", q_start, q_end, step),
        query(coverage_query, q_start, q_end, step) if coverage_query else _nothing(),
    )
    spans = [s for s in spans_from(alerts, for_state, q_start, q_end, step, fingerprint)
             if (s.resolved_at is None or s.resolved_at > start) and (s.fired_at or s.activated_at or start) <= end]
    for span in spans:
        span.carried_over = span.fired_at is not None and span.fired_at < start
    method = (f"range queries count_over_time(ALERTS[{window}]), ALERTS_FOR_STATE, "
              f"{coverage_query or '(no coverage query)'}, step {step:g}s")
    covered = [(max(a, start), min(b, end)) for a, b in covered_from(coverage, q_start, q_end, step) if b > start and a < end]
    return AlertHistory(spans=spans, covered=covered,
                        coverage_known=bool(coverage), method=method)


async def _nothing() -> list[dict[str, Any]]:
    return []


def merge_histories(histories: list[AlertHistory], degraded: str | None) -> AlertHistory:
    """Several replicas' windows as one: spans of one alert that overlap become one, coverage is the union."""
    by_key: dict[tuple[str, bool], list[AlertSpan]] = defaultdict(list)
    for history in histories:
        for span in history.spans:
            by_key[(span.fingerprint, span.fired_at is not None)].append(span)
    merged: list[AlertSpan] = []
    far = datetime.max.replace(tzinfo=timezone.utc)
    for spans in by_key.values():
        spans.sort(key=lambda s: s.fired_at or s.activated_at or far)
        current: AlertSpan | None = None
        for span in spans:
            begin = span.fired_at or span.activated_at or far
            if current is not None and begin <= (current.resolved_at or far):
                ends = [current.resolved_at, span.resolved_at]
                current.resolved_at = None if None in ends else max(e for e in ends if e)
                current.carried_over = current.carried_over or span.carried_over
                continue
            current = span
            merged.append(span)
    known = [h for h in histories if h.coverage_known]
    return AlertHistory(
        spans=sorted(merged, key=lambda s: (s.fired_at or s.activated_at or far, s.fingerprint)),
        covered=union([i for h in known for i in h.covered]), coverage_known=bool(known),
        method=histories[0].method if histories else "", degraded=degraded,
    )
