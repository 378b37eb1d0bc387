"""The report's window read from the upstreams that keep history, merged with the cockpit's own.

* Every configured source that keeps alert history (:class:`SupportsAlertHistory`: the
  ``prometheus-alerts`` source reading ``ALERTS`` and ``ALERTS_FOR_STATE``) gives the alert
  episodes of its name; what this cockpit recorded for that source is then not used, so nothing
  is counted twice. An episode another source recorded locally (an Alertmanager fed by the same
  Prometheus) with the same fingerprint, overlapping an upstream one, is the same alert: it is
  dropped and its actions move to the upstream episode.
* Every source that logs incidents (:class:`SupportsIncidentHistory`: PagerDuty's log entries)
  gives MTTA and MTTR.
* What only this cockpit knows (silences and triage steps made here, handoff notes) is attached
  by fingerprint, whichever source the episode came from.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.core.errors import SourceError
from cockpit.core.times import rfc3339
from cockpit.core.upstream_history import AlertHistory, IncidentHistory
from cockpit.engine.config import Config
from cockpit.engine.registry import build_source, load_source_class
from cockpit.core.models import Deploy, Pipeline
from cockpit.engine.history_runs import run_fields
from cockpit.engine.report.model import Episode, stats
from cockpit.sources.base import SourceContext, SupportsAlertHistory, SupportsIncidentHistory, SupportsRunHistory

__all__ = ["Upstream", "merge_episodes", "origins", "pending_only", "read_upstream", "upstream_holes", "use_incidents"]


@dataclass
class Upstream:
    """What the upstreams said about one window, by source name."""

    alerts: dict[str, AlertHistory] = field(default_factory=dict)
    incidents: dict[str, IncidentHistory] = field(default_factory=dict)
    runs: dict[str, list[Deploy | Pipeline]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    """Sources that could not answer, with the one-line reason (their window is a hole)."""
    failed_alerts: set[str] = field(default_factory=set)
    """Which of ``failed`` are alert sources (their episodes are then not taken from the local history)."""

    @property
    def alert_sources(self) -> set[str]:
        """Sources whose episodes come from upstream (answered or not: never from the local history)."""
        return set(self.alerts) | self.failed_alerts

    def run_events(self) -> list[dict[str, Any]]:
        """The upstream runs as the history's deploy and pipeline events (one each, its final state)."""
        events = []
        for name, items in self.runs.items():
            for item in items:
                at = item.started_at or (item.finished_at if isinstance(item, Deploy) else None)
                if at is None:
                    continue
                title, service, data = run_fields(item)
                events.append({"at": at, "source": name, "kind": "deploy" if isinstance(item, Deploy) else "pipeline",
                               "key": item.id, "name": title, "severity": None, "service": service,
                               "state": item.status.value, "prev": None, "data": data})
        return sorted(events, key=lambda e: e["at"])


def read_upstream(config: Config, since: datetime, until: datetime, cache_dir: Path) -> Upstream:
    """Ask every history-keeping source of ``config`` about [since, until], all at once."""
    context = SourceContext(cache_dir=cache_dir, read_only=True, config_dir=config.config_dir)
    wanted = [e for e in config.sources
              if issubclass(load_source_class(e.type), (SupportsAlertHistory, SupportsIncidentHistory, SupportsRunHistory))]
    out = Upstream()
    if not wanted:
        return out

    async def ask_all() -> None:
        sources = [build_source(e.name, e.type, e.options, context) for e in wanted]
        try:
            results = await asyncio.gather(*(_ask(s, since, until) for s in sources), return_exceptions=True)
        finally:
            for source in sources:
                await source.close()
        for source, result in zip(sources, results):
            if isinstance(result, SourceError):
                out.failed[source.name] = result.message
                if isinstance(source, SupportsAlertHistory):
                    out.failed_alerts.add(source.name)
            elif isinstance(result, BaseException):
                raise result
            elif isinstance(result, AlertHistory):
                out.alerts[source.name] = result
            elif isinstance(result, IncidentHistory):
                out.incidents[source.name] = result
            else:
                out.runs[source.name] = result

    asyncio.run(ask_all())
    return out


async def _ask(source: object, since: datetime, until: datetime) -> AlertHistory | IncidentHistory | list[Deploy | Pipeline]:
    if isinstance(source, SupportsAlertHistory):
        return await source.alert_history(since, until)
    if isinstance(source, SupportsIncidentHistory):
        return await source.incident_history(since, until)
    assert isinstance(source, SupportsRunHistory)
    return await source.run_history(since, until)


def merge_episodes(local: list[Episode], upstream: Upstream, since: datetime) -> list[Episode]:
    """Local episodes with those of history-keeping sources replaced by upstream's, each alert once."""
    rebuilt: list[Episode] = []
    for name, history in upstream.alerts.items():
        for span in history.spans:
            if span.fired_at is None:
                continue  # pending is not firing
            fired = span.fired_at
            if span.carried_over and fired >= since:
                fired = span.activated_at if span.activated_at and span.activated_at < since else since - timedelta(seconds=1)
            rebuilt.append(Episode(name, span.fingerprint, span.name, span.severity, span.service, fired,
                                   labels=span.labels, fired_at=fired, resolved_at=span.resolved_at, origin="upstream",
                                   activated_at=span.activated_at))
    by_key: dict[str, list[Episode]] = {}
    for episode in rebuilt:
        by_key.setdefault(episode.key, []).append(episode)
    kept = list(rebuilt)
    replaced = upstream.alert_sources
    for episode in local:
        if episode.source in replaced:
            continue
        twin = next((u for u in by_key.get(episode.key, []) if _overlap(u, episode)), None)
        if twin is None:
            kept.append(episode)
        else:
            twin.actions += episode.actions
    return kept


def _overlap(a: Episode, b: Episode) -> bool:
    far = datetime.max.replace(tzinfo=a.seen_at.tzinfo)
    a0, b0 = a.fired_at or a.seen_at, b.fired_at or b.seen_at
    return a0 <= (b.resolved_at or far) and b0 <= (a.resolved_at or far)


def pending_only(upstream: Upstream, since: datetime, until: datetime) -> int:
    """Alerts that were pending in the window and never fired."""
    return sum(1 for h in upstream.alerts.values() for s in h.spans
               if s.fired_at is None and s.activated_at is not None and since <= s.activated_at <= until)


def upstream_holes(upstream: Upstream, since: datetime, until: datetime) -> list[dict[str, object]]:
    """The report's holes for every history-keeping source: where its upstream holds no data."""
    window = (until - since).total_seconds() or 1.0
    out: list[dict[str, object]] = []
    for name, reason in sorted(upstream.failed.items()):
        out.append({"source": name, "covered_share": 0.0, "origin": "upstream",
                    "holes": [{"start": rfc3339(since), "end": rfc3339(until), "kind": "unreachable", "error": reason}]})
    for name, history in sorted(upstream.alerts.items()):
        holes, cursor, up = [], since, 0.0
        covered = history.covered if history.coverage_known else [(since, until)]
        for start, end in covered:
            if start > cursor:
                holes.append({"start": rfc3339(cursor), "end": rfc3339(start), "kind": "no data upstream", "error": None})
            up += (end - max(start, cursor)).total_seconds() if end > cursor else 0.0
            cursor = max(cursor, end)
        if cursor < until:
            holes.append({"start": rfc3339(cursor), "end": rfc3339(until), "kind": "no data upstream", "error": None})
        out.append({"source": name, "covered_share": up / window, "origin": "upstream", "holes": holes,
                    "degraded": history.degraded, "coverage_known": history.coverage_known})
    return out


def use_incidents(response: dict[str, object], upstream: Upstream, since: datetime, until: datetime) -> None:
    """MTTA and MTTR from PagerDuty's log entries when a PagerDuty source answered; the alert-based
    figures stay beside them (``alerts_mtta``, ``alerts_mttr``)."""
    response["mtta"] = {**response["mtta"], "from": "alert episodes: first action recorded by this cockpit"}  # type: ignore[dict-item]
    response["mttr"] = {**response["mttr"], "from": "alert episodes: fired to resolved"}  # type: ignore[dict-item]
    if not upstream.incidents:
        response["pagerduty"] = None
        return
    incidents = [i for h in upstream.incidents.values() for i in h.incidents if since <= i.triggered_at <= until]
    acked = [(i.acknowledged_at - i.triggered_at).total_seconds() for i in incidents if i.acknowledged_at]
    resolved = [(i.resolved_at - i.triggered_at).total_seconds() for i in incidents if i.resolved_at]
    names = ", ".join(sorted(upstream.incidents))
    response["alerts_mtta"], response["alerts_mttr"] = response["mtta"], response["mttr"]
    response["mtta"] = {**stats(acked), "from": f"PagerDuty log entries ({names}): triggered to first acknowledged"}
    response["mttr"] = {**stats(resolved), "from": f"PagerDuty log entries ({names}): triggered to resolved"}
    response["pagerduty"] = {"incidents": len(incidents), "acknowledged": len(acked), "resolved": len(resolved),
                             "unacknowledged": len(incidents) - len(acked)}


def origins(upstream: Upstream, history_sources: list[str]) -> dict[str, list[str]]:
    """Where each figure came from, in words (the report prints it beside the figures)."""
    alerts = [f"{name}: {h.method}" for name, h in sorted(upstream.alerts.items())]
    alerts += [f"{name}: this cockpit's recorded history" for name in history_sources]
    pagers = [f"{name}: {h.method}" for name, h in sorted(upstream.incidents.items())]
    runs = [f"{name}: its own listing of the window's runs" for name in sorted(upstream.runs)]
    return {
        "alerts": alerts or ["none: no alert source answered and nothing was recorded"],
        "response": pagers or ["alert episodes above; actions: silences and triage steps made in this cockpit"],
        "actions": ["this cockpit: silences, acknowledgements and triage steps it recorded (history, audit log, "
                    "triage files), matched to alerts by fingerprint"],
        "slos": ["this cockpit's recorded SLO samples"],
        "changes": runs + ["this cockpit's recorded deploys and pipelines" + (" (other sources)" if runs else "")],
        "notes": ["this cockpit's handoff notes"],
    }
