"""Deploys and pipelines of the report's window (from the cockpit's history)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from cockpit.core.times import parse_time as _parse, rfc3339 as _iso

if TYPE_CHECKING:
    from cockpit.engine.report.model import Episode, ReportOptions

__all__ = ["changes", "runs_in_window"]


def runs_in_window(events: list[dict[str, Any]], kind: str, opts: ReportOptions) -> list[dict[str, Any]]:
    """Runs (deploys or pipelines) whose start (else first sighting) is in the window; last status."""
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in events:
        if ev["kind"] != kind:
            continue
        data = ev["data"] or {}
        run = runs.setdefault((ev["source"], ev["key"]), {"source": ev["source"], "first_seen": ev["at"]})
        run.update({"name": ev["name"], "service": ev["service"], "status": ev["state"], **data})
    out = []
    for run in runs.values():
        start = _parse(run.get("started_at")) or run["first_seen"]
        if opts.since <= start <= opts.until:
            run["start"] = start
            out.append(run)
    return sorted(out, key=lambda r: r["start"])


def changes(events: list[dict[str, Any]], episodes: list[Episode], opts: ReportOptions) -> dict[str, Any]:
    critical = [e for e in episodes if e.fired_at and e.severity == "critical"]
    deploys = []
    for run in runs_in_window(events, "deploy", opts):
        end = _parse(run.get("finished_at")) or run["start"]
        signal = next((e for e in critical if (e.service or "").lower() == (run["service"] or "").lower()
                       and run["start"] <= e.fired_at <= end + opts.change_window), None)
        deploys.append({"service": run["service"], "environment": run.get("environment"), "version": run.get("version"),
                        "status": run["status"], "started_at": _iso(run["start"]), "author": run.get("author"),
                        "source": run["source"],
                        "followed_by": None if signal is None else {"alert": signal.name, "fired_at": _iso(signal.fired_at)}})
    pipelines = [r for r in runs_in_window(events, "pipeline", opts) if r.get("branch") in opts.default_branches]
    finished = [r for r in pipelines if r["status"] in ("succeeded", "failed")]
    per_repo: dict[str, Counter] = defaultdict(Counter)
    for r in finished:
        per_repo[r["service"]][r["status"]] += 1
    failures = sum(1 for d in deploys if d["followed_by"])
    return {
        "deploys": {"count": len(deploys), "change_failure_signals": failures,
                    "change_failure_rate": failures / len(deploys) if deploys else None, "list": deploys},
        "pipelines": {
            "runs": len(pipelines), "finished": len(finished),
            "succeeded": sum(1 for r in finished if r["status"] == "succeeded"),
            "success_rate": sum(1 for r in finished if r["status"] == "succeeded") / len(finished) if finished else None,
            "by_repo": [{"repo": k, "succeeded": v["succeeded"], "failed": v["failed"]} for k, v in sorted(per_repo.items())],
        },
    }
