"""The report's ``timeline`` section: what the window holds on one time axis, as JSON-ready rows.

Built from what the report itself counts (:func:`cockpit.engine.report.build.build_report`): the
alert episodes (rebuilt from a ``prometheus-alerts`` source's ``ALERTS`` history where one is
configured, else as this cockpit recorded them), the deploys and pipeline failures (the run
sources' own listing, else recorded), the silences this cockpit saw or made and the triages
worked here. The timeline screen, ``cockpit report --format json`` (``timeline``) and the
Markdown report's timeline all read this one section; :func:`cockpit.core.timeline.marks_from_section`
draws it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from cockpit.core.matchers import MatcherError, matchers_match, parse_matchers
from cockpit.core.times import parse_time, rfc3339
from cockpit.engine.report.model import Episode

__all__ = ["timeline_section"]


def timeline_section(episodes: list[Episode], events: list[dict[str, Any]], triages: list[dict[str, Any]],
                     state_dir: Path, since: datetime, until: datetime, alerts_from: dict[str, Any]) -> dict[str, Any]:
    """Every row of [since, until] on the axis; ``alerts_from`` says where the alert spans come from
    (``upstream``: source names rebuilt from upstream, ``failed``: name -> reason, ``history``)."""
    shown = [e for e in episodes if (e.fired_at or e.seen_at) <= until and (e.resolved_at is None or e.resolved_at >= since)]
    shown.sort(key=lambda e: (e.fired_at or e.seen_at, e.name))
    return {
        "alerts_from": alerts_from,
        "alerts": [_episode(e) for e in shown],
        **_runs(events, since, until),
        "silences": _silences(state_dir, events, shown, since, until),
        "triages": _triages(triages, since, until),
    }


def _episode(e: Episode) -> dict[str, Any]:
    silenced = min((at for at, what in e.actions if what == "silenced"), default=None)
    seen = min(e.seen_at, e.activated_at) if e.activated_at else e.seen_at  # pending from its activation
    return {"source": e.source, "key": e.key, "name": e.name, "severity": e.severity, "service": e.service,
            "seen_at": rfc3339(seen), "fired_at": rfc3339(e.fired_at), "resolved_at": rfc3339(e.resolved_at),
            "silenced_at": rfc3339(silenced), "origin": e.origin}


def _runs(events: list[dict[str, Any]], since: datetime, until: datetime) -> dict[str, list[dict[str, Any]]]:
    """Each deploy once (its last state), each failed pipeline run once, by start time."""
    deploys: dict[tuple[str, str], dict[str, Any]] = {}
    failures: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in events:
        if ev["kind"] not in ("deploy", "pipeline") or ev["at"] > until:
            continue
        data = ev.get("data") or {}
        at = parse_time(data.get("started_at")) or ev["at"]
        if not since <= at <= until:
            continue
        ident = (ev["source"], ev["key"])
        if ev["kind"] == "deploy":
            deploys[ident] = {"at": rfc3339(at), "source": ev["source"], "key": ev["key"], "service": ev["service"],
                              "version": ev["name"], "environment": data.get("environment"), "status": ev["state"]}
        elif ev["state"] == "failed":
            failures[ident] = {"at": rfc3339(at), "source": ev["source"], "key": ev["key"], "repo": ev["service"],
                               "name": ev["name"], "branch": data.get("branch")}
        else:
            failures.pop(ident, None)  # rerun and passed
    by_time = lambda row: parse_time(row["at"])  # noqa: E731
    return {"deploys": sorted(deploys.values(), key=by_time), "pipeline_failures": sorted(failures.values(), key=by_time)}


def _silences(state_dir: Path, events: list[dict[str, Any]], episodes: list[Episode], since: datetime,
              until: datetime) -> list[dict[str, Any]]:
    """The silences seen active in the window (the ledger) and those made here (the history's
    actions), each once, with the services of the window's alerts they match."""
    from cockpit.engine.silence_soon import SilenceLedger  # the report's silences section reads it too

    rows: dict[str, dict[str, Any]] = {}
    for entry in SilenceLedger(state_dir).active_between(since, until):
        rows[f"{entry.get('source')}/{entry.get('id')}"] = {
            "source": entry.get("source"), "id": entry.get("id"), "matchers": entry.get("matchers") or [],
            "starts_at": entry["starts_at"], "ends_at": entry.get("ends_at"), "created_by": entry.get("created_by"),
            "expired_early": bool(entry.get("expired_early"))}
    for ev in events:
        data = ev.get("data") or {}
        if ev["kind"] != "action" or ev["state"] != "silence" or not data.get("silence_id"):
            continue
        ends = parse_time(data.get("ends_at"))
        if ev["at"] > until or (ends is not None and ends < since):
            continue
        made = rows.setdefault(f"{ev['source']}/{data['silence_id']}", {
            "source": ev["source"], "id": data["silence_id"], "matchers": data.get("matchers") or [],
            "starts_at": rfc3339(ev["at"]), "ends_at": rfc3339(ends), "created_by": data.get("by"), "expired_early": False})
        if ev["at"] < (parse_time(made["starts_at"]) or ev["at"]):
            made["starts_at"] = rfc3339(ev["at"])
    for row in rows.values():
        row["services"] = _services(row["matchers"], episodes)
    return sorted(rows.values(), key=lambda r: parse_time(r["starts_at"]))


def _services(texts: list[str], episodes: list[Episode]) -> list[str]:
    """The services a silence is about: those of the alerts it matches, and a ``service`` it names."""
    try:
        matchers = [m for text in texts for m in parse_matchers(str(text))]
    except MatcherError:
        return []
    found = {e.service for e in episodes if e.service and e.labels and matchers_match(matchers, e.labels)}
    found |= {m.value for m in matchers if m.name == "service" and m.op == "="}
    return sorted(found)


def _triages(triages: list[dict[str, Any]], since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The triages open at some time in the window, with their ticks and notes (times and kinds)."""
    out = []
    for t in triages:
        start, closed = parse_time(t.get("created_at")), parse_time(t.get("closed_at"))
        if start is None or start > until or (closed is not None and closed < since):
            continue
        labels = t["alert"].get("labels") or {}
        events = [{"at": rfc3339(at), "kind": e.get("kind")} for e in t.get("events") or []
                  if isinstance(e, dict) and (at := parse_time(e.get("at"))) is not None and since <= at <= until]
        out.append({"id": str(t.get("id", "?")), "name": str(t["alert"].get("name", "?")),
                    "service": next((labels[k] for k in ("service", "app", "job", "namespace") if labels.get(k)), None),
                    "created_at": rfc3339(start), "closed_at": rfc3339(closed), "events": events})
    return sorted(out, key=lambda t: parse_time(t["created_at"]))
