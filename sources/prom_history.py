"""A window of alert history rebuilt from a Prometheus server's own series (no cockpit needed).

Prometheus writes every active alert as ``ALERTS{alertname, alertstate="pending"|"firing", ...}``
(value 1, one sample per rule evaluation) and ``ALERTS_FOR_STATE{alertname, ...}`` whose value is
the alert's activation time. Three range queries per server read a window:

* ``timestamp(ALERTS)``: at each step, the time of the newest sample. An alert is active at a
  step while that sample is at most one evaluation interval old (the interval is read from the
  data: the smallest advance between samples). This holds with and without staleness markers
  (backfilled blocks have none), and the first and last samples of a run are exact times;
* ``ALERTS_FOR_STATE``: the activation time, which also splits two activations that a lookback
  would run together;
* ``max(timestamp(up))``: where the server was collecting at all, read the same way (fresh
  samples); the rest of the window is a hole. A server that never scrapes anything answers
  nothing here, and then no part is called a hole.

Each query's step keeps it under Prometheus's 11,000 points per series. Pending is not firing:
an alert that was only ever pending gives a span with ``fired_at = None``. Resolved is the first
evaluation after the last firing sample (last sample + interval).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from cockpit.core.errors import SourceBadResponse
from cockpit.core.upstream_history import AlertHistory, AlertSpan, Interval, union

__all__ = ["MAX_POINTS", "MIN_STEP_S", "merge_histories", "range_step", "read_alert_history"]

MAX_POINTS = 11_000
"""Prometheus refuses a range query with more points per series than this."""
MIN_STEP_S = 5.0
"""Finer than this buys nothing: rule evaluations are rarely more often."""

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


def _interval(matrix: list[dict[str, Any]], step: float) -> float:
    """The evaluation interval as the data shows it: the smallest advance between samples."""
    best = math.inf
    for series in matrix:
        stamps = sorted({v for _, v in _points(series)})
        best = min([best] + [b - a for a, b in zip(stamps, stamps[1:]) if b - a > 0.5])
    return best if best < math.inf else step


def _runs(points: list[tuple[float, float]], step: float, interval: float) -> list[list[tuple[float, float]]]:
    """Consecutive steps whose newest sample is fresh (at most one interval old)."""
    runs: list[list[tuple[float, float]]] = []
    for t, stamp in points:
        if t - stamp > interval + 0.5:
            continue
        if runs and t - runs[-1][-1][0] <= step + 0.5:
            runs[-1].append((t, stamp))
        else:
            runs.append([(t, stamp)])
    return runs


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
    interval = _interval(alerts, step)
    t_first, t_last = start.timestamp(), end.timestamp()
    activations: dict[str, dict[float, float]] = {}
    for series in for_state:
        activations[fingerprint(_labels(series.get("metric") or {}))] = dict(_points(series))
    firing: dict[str, list[AlertSpan]] = defaultdict(list)
    pending: list[AlertSpan] = []
    for series in alerts:
        metric = series.get("metric") or {}
        labels = _labels(metric)
        key = fingerprint(labels)
        active = activations.get(key, {})
        for whole in _runs(_points(series), step, interval):
            for run in _split(whole, active):
                if not run:
                    continue
                before = run[0][0] - t_first < step - 0.5 and run[0][1] <= t_first
                activated = next((active[t] for t, _ in run if t in active), None)
                ended = t_last - run[-1][0] >= step - 0.5
                span = AlertSpan(
                    fingerprint=key, name=labels.get("alertname", "(no alertname)"),
                    severity=(labels.get("severity") or "none").lower(), service=labels.get("service"),
                    labels=labels, activated_at=None if activated is None else _at(activated),
                    fired_at=_at(run[0][1]), resolved_at=_at(run[-1][1] + interval) if ended else None,
                    carried_over=before and (activated is None or activated < t_first),
                )
                if metric.get("alertstate") == "firing":
                    firing[key].append(span)
                else:
                    pending.append(span)
    out = [s for spans in firing.values() for s in spans]
    for span in pending:  # pending that turned firing is the same episode: only the rest is kept
        assert span.fired_at is not None
        grace = timedelta(seconds=max(step, interval) + 1)
        fired = any(f.fired_at and span.fired_at <= f.fired_at <= (span.resolved_at or end) + grace
                    for f in firing.get(span.fingerprint, []))
        if not fired:
            span.activated_at, span.fired_at = span.activated_at or span.fired_at, None
            out.append(span)
    return sorted(out, key=lambda s: (s.fired_at or s.activated_at or start, s.fingerprint))


def covered_from(matrix: list[dict[str, Any]], start: datetime, end: datetime, step: float) -> list[Interval]:
    """Intervals with fresh samples of the coverage series, from the first to one interval after the last."""
    interval = _interval(matrix, step)
    covered = [(max(start, _at(run[0][1])), min(end, _at(run[-1][1] + interval)))
               for series in matrix for run in _runs(_points(series), step, interval)]
    return union(covered)


async def read_alert_history(query: Query, start: datetime, end: datetime,
                             fingerprint: Callable[[dict[str, str]], str], coverage_series: str) -> AlertHistory:
    """One server's window: the three range queries (see the module's docstring)."""
    step = range_step(start, end)
    alerts = await query("timestamp(ALERTS)", start, end, step)
    for_state = await query("ALERTS_FOR_STATE", start, end, step)
    coverage_query = f"max(timestamp({coverage_series}))" if coverage_series else ""
    coverage = await query(coverage_query, start, end, step) if coverage_query else []
    spans = spans_from(alerts, for_state, start, end, step, fingerprint)
    method = f"range queries timestamp(ALERTS), ALERTS_FOR_STATE, {coverage_query or '(no coverage query)'}, step {step:g}s"
    return AlertHistory(spans=spans, covered=covered_from(coverage, start, end, step) if coverage else [],
                        coverage_known=bool(coverage), method=method)


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
