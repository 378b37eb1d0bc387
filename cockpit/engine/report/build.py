"""The shift report: on-call KPIs computed from the recorded history (:mod:`cockpit.engine.history`).

:func:`build_report` returns one JSON-ready dict (rendered by :mod:`cockpit.engine.report.render`).
How each figure is computed is also written into the report's ``footer``:

* An alert *episode* runs from its first sighting to its resolution (gone from its source). It
  *fired* when first seen firing/silenced/inhibited; when first seen already firing, its
  upstream ``starts_at`` is used. Episodes that fired before the window are *carried over*:
  listed, but not counted as alerts of this shift.
* A *page* is an episode of a paging severity (default ``critical``).
* *Actions* are: the alert turning silenced, a silence or triage step recorded by the cockpit
  (history actions, ``triages/*.json``, ``audit.jsonl`` silences matched by labels).
  MTTA = first action after firing minus fired time; MTTR = resolved minus fired.
* *Noise*: episodes resolved less than N minutes after firing with no action (self-resolved);
  alerts that fired at least K times in the window (flapping).
* *SLO attainment*: share of the observed time the SLO's status was ``ok`` (each sample holds
  until the next one, 10 minutes at most); *budget burnt*: the sum of every drop of the
  remaining budget between samples, in points of the period's budget (a rolling period also
  regains budget as old errors age out, so the net change is given beside it).
* *Holes*: for each source, the parts of the window where its polls failed (down) or where
  nothing was recorded; figures above are silent about those parts, and the report says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.engine.handoff import list_notes
from cockpit.core.times import parse_time as _parse, rfc3339 as _iso
from cockpit.engine.history import SLO_SAMPLE_S, History
from cockpit.engine.report import upstream as up
from cockpit.engine.report.changes import changes
from cockpit.engine.report.dora import dora
from cockpit.engine.report.model import Episode, ReportOptions, stats
from cockpit.engine.report.inputs import audit_silences, open_triages, triage_files
from cockpit.engine.report.timeline import timeline_section
from cockpit.core.matchers import MatcherError, matchers_match, parse_matchers

if TYPE_CHECKING:
    from cockpit.engine.config import Config

__all__ = ["Episode", "ReportOptions", "build_report", "rebuild_report", "rebuilt_episodes", "rebuilt_timeline",
           "report_options"]

_ACTIVE = {"firing", "silenced", "inhibited"}
_FINAL = {"succeeded", "failed", "cancelled"}
_LOOKBACK = timedelta(days=2)


# -- episodes and actions -------------------------------------------------------------------------

def build_episodes(events: list[dict[str, Any]]) -> list[Episode]:
    """Alert events (oldest first) folded into episodes, with 'turned silenced' as an action."""
    open_: dict[tuple[str, str], Episode] = {}
    done: list[Episode] = []
    for ev in events:
        if ev["kind"] != "alert":
            continue
        ident = (ev["source"], ev["key"])
        state = ev["state"]
        episode = open_.get(ident)
        if state == "resolved":
            if episode is not None:
                episode.resolved_at = ev["at"]
                done.append(open_.pop(ident))
            continue
        if episode is None:
            data = ev["data"] or {}
            episode = Episode(ev["source"], ev["key"], ev["name"] or "?", (ev["severity"] or "none").lower(),
                              ev["service"], ev["at"], labels=data.get("labels") or {})
            open_[ident] = episode
            starts = _parse(data.get("starts_at"))
            if state in _ACTIVE and ev["prev"] is None and starts is not None and starts <= ev["at"]:
                episode.fired_at = starts
        if state in _ACTIVE and episode.fired_at is None:
            episode.fired_at = ev["at"]
        if state == "silenced":
            episode.actions.append((ev["at"], "silenced"))
    return done + list(open_.values())


def attach_actions(episodes: list[Episode], actions: list[dict[str, Any]], triages: list[dict[str, Any]],
                   silences: list[tuple[datetime, list]]) -> None:
    """Give each episode the actions made on its alert (by fingerprint, or silence matchers)."""
    by_key: dict[str, list[Episode]] = defaultdict(list)
    for episode in episodes:
        by_key[episode.key].append(episode)

    def add(key: str, source: str, at: datetime, what: str) -> None:
        for episode in by_key.get(key, []):
            if not source or source == episode.source or episode.origin == "upstream":
                episode.actions.append((at, what))

    for ev in actions:
        matchers = (ev["data"] or {}).get("matchers") or []
        if ev["key"]:
            add(ev["key"], ev["source"], ev["at"], ev["state"] or "action")
        elif matchers:
            try:
                parsed = [m for text in matchers for m in parse_matchers(str(text))]
            except MatcherError:
                continue
            silences.append((ev["at"], parsed))
    for triage in triages:
        alert = triage["alert"]
        for event in triage.get("events") or []:
            at = _parse(event.get("at")) if isinstance(event, dict) else None
            if at is not None and event.get("kind") in ("started", "step_done", "note"):
                add(str(alert.get("fingerprint", "")), str(alert.get("source", "")), at, f"triage {event['kind']}")
    for at, matchers in silences:
        for episode in episodes:
            if episode.labels and matchers_match(matchers, episode.labels):
                episode.actions.append((at, "silence"))


# -- sections -----------------------------------------------------------------------------------

def _alert_sections(episodes: list[Episode], opts: ReportOptions) -> dict[str, Any]:
    in_window = [e for e in episodes if e.fired_at and opts.since <= e.fired_at <= opts.until]
    carried = [e for e in episodes if e.fired_at and e.fired_at < opts.since
               and (e.resolved_at is None or e.resolved_at >= opts.since)]
    pages = [e for e in in_window if e.severity in opts.page_severities]
    by_sev: dict[str, Counter] = defaultdict(Counter)
    by_svc: dict[str, Counter] = defaultdict(Counter)
    for e in in_window:
        by_sev[e.severity]["alerts"] += 1
        by_svc[e.service or "(none)"]["alerts"] += 1
        if e.severity in opts.page_severities:
            by_sev[e.severity]["pages"] += 1
            by_svc[e.service or "(none)"]["pages"] += 1
    zone = opts.zone
    hours = []
    hour = opts.since.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    while hour < opts.until.astimezone(zone):
        nxt = (hour + timedelta(hours=1)).astimezone(zone)
        count = sum(1 for p in pages if hour <= p.fired_at.astimezone(zone) < nxt)
        business = hour.weekday() in opts.business_days and opts.business_start <= hour.time() < opts.business_end
        hours.append({"hour": hour.isoformat(timespec="minutes"), "pages": count, "after_hours": not business})
        hour = nxt
    return {
        "alerts": {
            "fired": len(in_window), "pages": len(pages),
            "pages_after_hours": sum(h["pages"] for h in hours if h["after_hours"]),
            "by_severity": [{"severity": k, **v} for k, v in sorted(by_sev.items(), key=lambda kv: -kv[1]["alerts"])],
            "by_service": [{"service": k, **v} for k, v in sorted(by_svc.items(), key=lambda kv: -kv[1]["alerts"])],
            "still_firing": sum(1 for e in in_window + carried if e.resolved_at is None or e.resolved_at > opts.until),
            "carried_over": [{"name": e.name, "severity": e.severity, "service": e.service, "source": e.source,
                              "fired_at": _iso(e.fired_at)} for e in carried],
        },
        "pages_per_hour": hours,
        **_response(in_window, opts),
    }


def _response(in_window: list[Episode], opts: ReportOptions) -> dict[str, Any]:
    acked, restored, self_resolved, unacted = [], [], [], Counter()
    fired_per_alert: Counter = Counter()
    names: dict[tuple[str, str], str] = {}
    for e in in_window:
        fired_per_alert[(e.source, e.key)] += 1
        names[(e.source, e.key)] = e.name
        first = e.first_action()
        if first is not None:
            acked.append(max(0.0, (first[0] - e.fired_at).total_seconds()))
        if e.resolved_at is not None and e.resolved_at <= opts.until:
            took = (e.resolved_at - e.fired_at).total_seconds()
            restored.append(took)
            if first is None:
                unacted[e.name] += 1
                if took < opts.noise_minutes * 60:
                    self_resolved.append({"name": e.name, "service": e.service, "source": e.source,
                                          "fired_at": _iso(e.fired_at), "lasted_s": took})
    resolved = len(restored)
    flapping = [{"name": names[k], "source": k[0], "fired": n} for k, n in fired_per_alert.items() if n >= opts.flap_count]
    noisy = Counter({name: n for name, n in unacted.items()})
    fired_by_name = Counter(e.name for e in in_window)
    return {
        "response": {"mtta": stats(acked), "mttr": stats(restored),
                     "unacknowledged": len(in_window) - len(acked), "unresolved": len(in_window) - resolved},
        "noise": {
            "self_resolved": self_resolved,
            "flapping": sorted(flapping, key=lambda f: -f["fired"]),
            "actionable_share": (resolved - sum(unacted.values())) / resolved if resolved else None,
            "top_noisy": [{"name": n, "unactioned": c, "fired": fired_by_name[n]} for n, c in noisy.most_common(5)],
        },
    }


def _slo_section(samples: list[dict[str, Any]], opts: ReportOptions) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in samples:
        grouped[(s["source"], s["slo_id"])].append(s)
    out = []
    for (source, slo_id), rows in sorted(grouped.items()):
        total = ok = 0.0
        for i, row in enumerate(rows):
            nxt = rows[i + 1]["at"] if i + 1 < len(rows) else opts.until
            held = max(0.0, min((nxt - row["at"]).total_seconds(), 2 * SLO_SAMPLE_S))
            total += held
            ok += held if row["status"] == "ok" else 0.0
        budgets = [r["budget"] for r in rows if r["budget"] is not None]
        paged = next((r["at"] for r in rows if r["status"] == "page"), None)
        out.append({
            "source": source, "id": slo_id, "service": rows[-1]["service"], "name": rows[-1]["name"],
            "objective": rows[-1]["objective"], "samples": len(rows),
            "attainment": ok / total if total else None,
            "budget_start": budgets[0] if budgets else None, "budget_end": budgets[-1] if budgets else None,
            "budget_consumed": sum(max(0.0, a - b) for a, b in zip(budgets, budgets[1:])) if budgets else None,
            "budget_net_change": budgets[-1] - budgets[0] if budgets else None,
            "paged": paged is not None, "first_page_at": _iso(paged), "status_end": rows[-1]["status"],
        })
    return out


def _holes(history: History, opts: ReportOptions) -> list[dict[str, Any]]:
    spans = history.spans(opts.since, opts.until)
    names = sorted(set(opts.sources) | {s.source for s in spans})
    window = (opts.until - opts.since).total_seconds() or 1.0
    out = []
    for name in names:
        mine = [s for s in spans if s.source == name]
        holes, cursor, up_s = [], opts.since, 0.0
        for index, s in enumerate(mine):
            start, end = max(s.start, opts.since), min(s.end, opts.until)
            if index == len(mine) - 1 and (opts.until - end).total_seconds() <= s.gap:
                end = opts.until  # the last reading holds until the next poll is due: not a hole
            if start > cursor:
                holes.append({"start": _iso(cursor), "end": _iso(start), "kind": "not recorded", "error": None})
            if s.up:
                up_s += max(0.0, (end - max(start, cursor)).total_seconds())
            elif end > max(start, cursor):
                holes.append({"start": _iso(max(start, cursor)), "end": _iso(end), "kind": "down", "error": s.error})
            cursor = max(cursor, end)
        if cursor < opts.until:
            holes.append({"start": _iso(cursor), "end": _iso(opts.until), "kind": "not recorded", "error": None})
        out.append({"source": name, "covered_share": up_s / window, "holes": holes})
    return out


def _footer(opts: ReportOptions) -> list[str]:
    zone = opts.zone
    days = ",".join("Mon Tue Wed Thu Fri Sat Sun".split()[d] for d in opts.business_days)
    return [
        f"Window: {_iso(opts.since)} to {_iso(opts.until)}; hours shown in {datetime.now(zone).tzname() or zone}.",
        "Alerts: from a prometheus-alerts source, an episode is a run of its firing ALERTS samples on the server "
        "(fired = first firing evaluation, resolved = first evaluation after the last; pending is not firing; "
        "ALERTS_FOR_STATE gives the activation time); from other sources, an episode runs from the cockpit's first "
        "sighting to resolution (gone from its source; upstream starts_at when first seen already firing). An alert "
        "seen by both counts once. Episodes fired before the window are carried over and not counted.",
        f"Pages: episodes of severity {'/'.join(opts.page_severities)}; after-hours = outside "
        f"{opts.business_start:%H:%M}-{opts.business_end:%H:%M} on {days}.",
        "MTTA and MTTR: with a PagerDuty source, from its log entries (triggered to first acknowledged, triggered to "
        "resolved, incidents triggered in the window); otherwise first action (alert turned silenced, silence or "
        "triage step recorded by the cockpit) minus fired time, and resolved minus fired.",
        f"Noise: resolved less than {opts.noise_minutes:g} min after firing with no action (self-resolved); "
        f"flapping = fired {opts.flap_count} or more times in the window; actionable share = resolved episodes with an action.",
        f"SLOs: attainment = share of observed time with status ok (sampled every {SLO_SAMPLE_S / 60:g} min and on "
        f"every status change; each sample holds until the next, {2 * SLO_SAMPLE_S / 60:g} min at most); "
        "budget burnt = sum of every drop of the remaining error budget between samples, in points of the period's "
        "budget (a rolling period also regains budget: the net change start to end is in the JSON).",
        f"Changes: deploys started in the window; a change-failure signal is a critical alert on the same service "
        f"from the deploy's start to {opts.change_window.total_seconds() / 60:g} min after it finished. Pipelines: runs "
        f"on {'/'.join(opts.default_branches)} started in the window; success rate = succeeded / (succeeded + failed).",
        "Holes: parts of the window a source was down or nothing was recorded (prometheus-alerts: where the server "
        "has no samples of its coverage series, up by default); figures are silent about them.",
    ]


def _history_cap(history: History, opts: ReportOptions) -> dict[str, Any] | None:
    """Which part of the window the history's row cap cut off (None: none of it)."""
    cut = history.capped_before("events")
    if cut is None or cut < opts.since - _LOOKBACK:
        return None
    return {"table": "events", "cap": history.max_rows["events"], "lost_until": _iso(min(cut, opts.until)),
            "counted_from": _iso(min(cut, opts.until))}


def _silences(cache_dir: Path, opts: ReportOptions) -> dict[str, Any]:
    """Silences the cockpit saw: ending soon after the window, and ended inside it."""
    from cockpit.engine.silence_soon import SilenceLedger

    ledger = SilenceLedger(cache_dir)
    return {"ending_soon": ledger.ending_soon(opts.until, opts.silence_ending_soon_s),
            "expired": ledger.expired_between(opts.since, min(opts.until, datetime.now(timezone.utc)))}


def build_report(history: History, cache_dir: Path | str, opts: ReportOptions,
                 upstream: up.Upstream | None = None) -> dict[str, Any]:
    """Compute every section of the report for ``opts``'s window.

    ``upstream`` (:func:`cockpit.engine.report.upstream.read_upstream`) replaces the episodes of
    the sources that keep history upstream, their holes, and MTTA/MTTR where PagerDuty is set.
    """
    upstream = upstream or up.Upstream()
    cache_dir = Path(cache_dir)
    episodes, events, triages = _gather(history, cache_dir, opts.since, opts.until, upstream)
    notes = [n for n in list_notes(cache_dir) if opts.since <= n.at <= opts.until or n.dismissed_at is None]
    alerts = _alert_sections(episodes, opts)
    alerts["alerts"]["pending_only"] = up.pending_only(upstream, opts.since, opts.until)
    up.use_incidents(alerts["response"], upstream, opts.since, opts.until)
    replaced = upstream.alert_sources | set(upstream.failed) | set(upstream.runs)
    local_opts = replace(opts, sources=tuple(n for n in opts.sources if n not in replaced))
    holes = [h for h in _holes(history, local_opts) if h["source"] not in replaced]
    return {
        "generated_at": _iso(datetime.now(timezone.utc)),
        "window": {"since": _iso(opts.since), "until": _iso(opts.until),
                   "hours": round((opts.until - opts.since).total_seconds() / 3600, 2)},
        **alerts,
        "slos": _slo_section(history.slo_samples(opts.since, opts.until), opts),
        **changes(events, episodes, opts),
        "dora": dora(events, episodes, opts),
        "open_triages": open_triages(triages),
        "silences": _silences(cache_dir, opts),
        "handoff_notes": [{"id": n.id, "at": _iso(n.at), "author": n.author, "text": n.text,
                           "dismissed": n.dismissed_at is not None} for n in notes],
        "holes": sorted(up.upstream_holes(upstream, opts.since, opts.until) + holes, key=lambda h: str(h["source"])),
        "history_cap": _history_cap(history, opts),
        "origins": up.origins(upstream, history_sources=sorted({e.source for e in episodes if e.origin == "history"})),
        "footer": _footer(opts),
        "timeline": timeline_section(episodes, events, triages, cache_dir, opts.since, opts.until,
                                     _alerts_from(upstream, episodes)),
    }


def _gather(history: History, cache_dir: Path, since: datetime, until: datetime,
            upstream: up.Upstream) -> tuple[list[Episode], list[dict[str, Any]], list[dict[str, Any]]]:
    """The window's alert episodes (upstream's merged with the recorded ones, with the actions made
    here), its events (runs from the run sources' own listing where they answered) and triages."""
    events = history.events(since - _LOOKBACK, until)
    episodes = up.merge_episodes(build_episodes(events), upstream, since)
    run_sources = set(upstream.runs) | (set(upstream.failed) - upstream.failed_alerts)
    events = [e for e in events if e["kind"] not in ("deploy", "pipeline") or e["source"] not in run_sources]
    events += upstream.run_events()
    triages = triage_files(cache_dir)
    attach_actions(episodes, [e for e in events if e["kind"] == "action"], triages,
                   audit_silences(cache_dir, since - _LOOKBACK, until))
    return episodes, events, triages


def _alerts_from(upstream: up.Upstream, episodes: list[Episode]) -> dict[str, Any]:
    """Where the alert spans come from: rebuilt upstream, upstream that did not answer, recorded here."""
    return {"upstream": sorted(upstream.alerts),
            "failed": {name: why for name, why in sorted(upstream.failed.items()) if name in upstream.failed_alerts},
            "history": sorted({e.source for e in episodes if e.origin == "history"})}


def rebuilt_episodes(config: Config | None, history: History, cache_dir: Path, since: datetime,
                     until: datetime) -> tuple[list[Episode], dict[str, str]]:
    """The alert episodes of [since, until] exactly as the report counts them (upstream history
    merged with this cockpit's, each alert once, with the actions made here), for a timeline;
    and the sources that could not answer."""
    upstream = up.read_upstream(config, since, until, cache_dir) if config else up.Upstream()
    episodes, _events, _triages = _gather(history, Path(cache_dir), since, until, upstream)
    shown = [e for e in episodes if (e.fired_at or e.seen_at) <= until and (e.resolved_at is None or e.resolved_at >= since)]
    return sorted(shown, key=lambda e: e.fired_at or e.seen_at), dict(upstream.failed)


def rebuilt_timeline(config: Config | None, history: History, state_dir: Path, since: datetime,
                     until: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """The report's ``timeline`` section for [since, until] (the same build as the report's), and
    the sources that could not answer."""
    upstream = up.read_upstream(config, since, until, state_dir) if config else up.Upstream()
    episodes, events, triages = _gather(history, Path(state_dir), since, until, upstream)
    return (timeline_section(episodes, events, triages, Path(state_dir), since, until, _alerts_from(upstream, episodes)),
            dict(upstream.failed))


def report_options(config: Config | None, since: datetime, until: datetime, **overrides: Any) -> ReportOptions:
    """The options of a report of [since, until] under ``config``, for ``cockpit report`` and the
    Report screen alike: every configured source is reported on (a hole when it recorded nothing)
    and silences are "ending soon" within the config's ``silence_ending_soon``."""
    names = tuple(entry.name for entry in config.sources) if config else ()
    soon = float(config.cockpit.silence_ending_soon) if config else ReportOptions.silence_ending_soon_s
    return ReportOptions(since=since, until=until, sources=names, silence_ending_soon_s=soon, **overrides)


def rebuild_report(config: Config | None, history: History, cache_dir: Path, opts: ReportOptions) -> tuple[dict[str, Any], dict[str, str]]:
    """The report of ``opts``'s window rebuilt from the upstreams ``config`` names, merged with
    ``history``; and the sources that could not answer (their part is a hole)."""
    upstream = up.read_upstream(config, opts.since, opts.until, cache_dir) if config else up.Upstream()
    return build_report(history, cache_dir, opts, upstream), dict(upstream.failed)
