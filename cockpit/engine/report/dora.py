"""DORA's four keys for the report's window, each with its sample size.

Runs come from the deploy and pipeline sources' own listings where they offer one (GitLab's
deployments and pipelines ``updated_after``/``updated_before``), else from what this cockpit
recorded; pages and restores from the rebuilt alert episodes.

* **Deployment frequency**: succeeded deploys per service and environment, and per day.
* **Lead time for changes**: deploy finished (else started) minus the deployed commit's time,
  where the source knows both; median and the number of deploys it is computed over.
* **Change failure rate**: finished deploys followed by a failure: the deploy itself failed, a
  page on the same service fired from its start to ``change_window`` after it finished (and
  before the next deploy of that service and environment started), or a
  rollback (the next deploy to the same service and environment, within ``change_window``,
  brings back the version before it); over finished deploys.
* **Time to restore**: pages (paging severities) fired in the window and resolved, fired to
  resolved; median.
* Pipelines on the default branches: success rate (succeeded / finished) and median duration.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median
from typing import TYPE_CHECKING, Any

from cockpit.core.times import parse_time as _parse, rfc3339 as _iso
from cockpit.engine.report.changes import runs_in_window

if TYPE_CHECKING:
    from cockpit.engine.report.model import Episode, ReportOptions

__all__ = ["dora"]


def _end(run: dict[str, Any]):
    return _parse(run.get("finished_at")) or run["start"]


def _median(values: list[float]) -> float | None:
    return median(values) if values else None


def dora(events: list[dict[str, Any]], episodes: list[Episode], opts: ReportOptions) -> dict[str, Any]:
    days = (opts.until - opts.since).total_seconds() / 86400 or 1.0
    deploys = runs_in_window(events, "deploy", opts)
    succeeded = [d for d in deploys if d["status"] == "succeeded"]
    finished = [d for d in deploys if d["status"] in ("succeeded", "failed")]
    per_target = Counter((d["service"], d.get("environment")) for d in succeeded)
    frequency = [{"service": s, "environment": e, "deploys": n, "per_day": n / days}
                 for (s, e), n in sorted(per_target.items(), key=lambda kv: (-kv[1], str(kv[0])))]
    leads = []
    for d in succeeded:
        committed = _parse(d.get("committed_at"))
        if committed is not None and _end(d) >= committed:
            leads.append((_end(d) - committed).total_seconds())
    pages = [e for e in episodes if e.fired_at and e.severity in opts.page_severities]
    failures = _failures(finished, pages, opts)
    restored = [(e.resolved_at - e.fired_at).total_seconds() for e in pages
                if e.fired_at and opts.since <= e.fired_at <= opts.until and e.resolved_at and e.resolved_at <= opts.until]
    pipelines = [r for r in runs_in_window(events, "pipeline", opts) if r.get("branch") in opts.default_branches]
    done = [r for r in pipelines if r["status"] in ("succeeded", "failed")]
    durations = [float(r["duration_s"]) for r in done if isinstance(r.get("duration_s"), (int, float))]
    return {
        "deployment_frequency": {"deploys": len(succeeded), "per_day": len(succeeded) / days, "by_target": frequency},
        "lead_time": {"median_s": _median(leads), "sample": len(leads), "of_deploys": len(succeeded)},
        "change_failure_rate": {"rate": len(failures) / len(finished) if finished else None, "failures": failures,
                                "sample": len(finished)},
        "time_to_restore": {"median_s": _median(restored), "sample": len(restored)},
        "pipelines": {"success_rate": sum(r["status"] == "succeeded" for r in done) / len(done) if done else None,
                      "median_duration_s": _median(durations), "sample": len(done), "durations_known": len(durations)},
    }


def _failures(finished: list[dict[str, Any]], pages: list[Episode], opts: ReportOptions) -> list[dict[str, Any]]:
    by_target: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
    for d in finished:
        by_target[(d["service"], d.get("environment"))].append(d)
    out = []
    for runs in by_target.values():
        runs.sort(key=lambda r: r["start"])
        ok = [r for r in runs if r["status"] == "succeeded"]
        for d in runs:
            why = "failed" if d["status"] == "failed" else None
            if why is None:  # a page counts against the last deploy before it, not every earlier one
                page = next((p for p in pages if (p.service or "").lower() == (d["service"] or "").lower()
                             and d["start"] <= p.fired_at <= _end(d) + opts.change_window
                             and not any(d["start"] < r["start"] <= p.fired_at for r in runs)), None)
                why = f"page {page.name}" if page else None
            if why is None and d in ok:
                i = ok.index(d)
                after = ok[i + 1] if i + 1 < len(ok) else None
                before = ok[i - 1] if i else None
                if before and after and after.get("version") == before.get("version") != d.get("version") \
                        and after["start"] - _end(d) <= opts.change_window:
                    why = f"rolled back to {before.get('version')}"
            if why:
                out.append({"service": d["service"], "environment": d.get("environment"), "version": d.get("version"),
                            "started_at": _iso(d["start"]), "why": why, "source": d["source"]})
    return sorted(out, key=lambda f: f["started_at"] or "")
