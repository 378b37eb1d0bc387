"""The shift report as text, Markdown or JSON (see :func:`cockpit.engine.report.build.build_report`).

Text and Markdown are built from one list of blocks (heading, paragraph, table, list), so both
show the same sections in the same order. Every string from an upstream (alert names, services,
versions, triage steps) or from a user (handoff notes) goes through
:func:`cockpit.core.textsafe.clean_line`; in Markdown, every character that could start markup is escaped too
(:func:`cockpit.core.textsafe.markdown_inert`).
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from cockpit.core.durations import format_duration
from cockpit.core.textsafe import clean_line, clean_lines, markdown_inert
from cockpit.core.times import clock_time, parse_time

__all__ = ["SECTIONS", "markdown_timeline", "render_json", "render_markdown", "render_report", "render_text"]

SECTIONS = ("Alerts and pages", "Pages per hour", "Response", "Noise", "SLOs", "Deploys",
            "Pipelines", "DORA four keys", "Open triages", "Silences", "Handoff notes", "Data holes",
            "How these figures were computed",
            "Where these figures come from")
"""Section headings, in order (every one is always present, with "none" when empty)."""

Block = tuple[str, Any]
MAX_ROWS = 25
"""Longest deploy table in text and Markdown (the JSON has every deploy)."""


def render_json(report: dict[str, Any]) -> str:
    """The report dict as JSON (strings as recorded: JSON escaping keeps them inert)."""
    return json.dumps(report, indent=2, sort_keys=False)


def _c(value: object, max_len: int = 120) -> str:
    return "-" if value is None else clean_line(value, max_len=max_len)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _at(value: str | None, tz: tzinfo | None = None, today: datetime | None = None) -> str:
    """A time as ``09:30`` on ``today``'s day (the window's end), else ``Thu 26 Nov 23:00``."""
    when = parse_time(value)
    if when is None:
        return "-"
    return clock_time(when, today or when, tz)


def _stat(stats: dict[str, Any]) -> str:
    if not stats["count"]:
        return "- (no data)"
    return f"mean {format_duration(stats['mean_s'])}, median {format_duration(stats['median_s'])} over {stats['count']}"


def blocks(r: dict[str, Any], tz: tzinfo | None = None) -> list[Block]:
    """The report as a list of blocks, the same for text and Markdown; times shown in ``tz``."""
    a, out = r["alerts"], []

    today = parse_time(r["window"]["until"])

    def _time(value: str | None) -> str:
        return _at(value, tz, today)

    h = out.append
    h(("title", f"Shift report {_time(r['window']['since'])} to {_time(r['window']['until'])} ({r['window']['hours']:g}h)"))
    h(("h", SECTIONS[0]))
    h(("p", f"{a['fired']} alerts fired, {a['pages']} pages ({a['pages_after_hours']} after hours); "
            f"{a['still_firing']} still firing at the end; {len(a['carried_over'])} carried over from before the window"
            + (f"; {a['pending_only']} pending that never fired (not counted)." if a.get("pending_only") else ".")))
    if a["by_severity"]:
        h(table(["severity", "alerts", "pages"], [[_c(x["severity"]), x.get("alerts", 0), x.get("pages", 0)] for x in a["by_severity"]]))
        h(table(["service", "alerts", "pages"], [[_c(x["service"]), x.get("alerts", 0), x.get("pages", 0)] for x in a["by_service"]]))
    if a["carried_over"]:
        h(("list", [f"carried over: {_c(x['name'])} ({_c(x['severity'])}, {_c(x['service'])}) since {_time(x['fired_at'])}"
                    for x in a["carried_over"]]))
    h(("h", SECTIONS[1]))
    hours = r["pages_per_hour"]
    shown = hours if len(hours) <= 24 else [x for x in hours if x["pages"]]
    if shown:
        h(table(["hour", "pages", ""], [[_time(x["hour"]), x["pages"], "after hours" if x["after_hours"] else ""]
                                       for x in shown]))
    if len(shown) < len(hours):
        h(("p", f"{len(hours) - len(shown)} of {len(hours)} hours without pages are not listed."))
    resp = r["response"]
    h(("h", SECTIONS[2]))
    pd = resp.get("pagerduty")
    if pd:
        h(("list", [f"MTTA (triggered to acknowledged): {_stat(resp['mtta'])}; {pd['unacknowledged']} of "
                    f"{pd['incidents']} incident(s) not acknowledged",
                    f"MTTR (triggered to resolved): {_stat(resp['mttr'])}; {pd['incidents'] - pd['resolved']} not resolved",
                    f"alerts: time to first action {_stat(resp['alerts_mtta'])}; fired to resolved {_stat(resp['alerts_mttr'])}"]))
    else:
        h(("list", [f"MTTA (time to first action): {_stat(resp['mtta'])}; {resp['unacknowledged']} alert(s) without action",
                    f"MTTR (fired to resolved): {_stat(resp['mttr'])}; {resp['unresolved']} not resolved in the window"]))
    noise = r["noise"]
    h(("h", SECTIONS[3]))
    h(("list", [f"actionable share: {_pct(noise['actionable_share'])}",
                f"self-resolved without action: {len(noise['self_resolved'])}"
                + "".join(f"; {_c(x['name'])} after {format_duration(x['lasted_s'])}" for x in noise["self_resolved"][:10]),
                "flapping: " + (", ".join(f"{_c(x['name'])} fired {x['fired']}x" for x in noise["flapping"]) or "none"),
                "top noisy: " + (", ".join(f"{_c(x['name'])} ({x['unactioned']} of {x['fired']} without action)"
                                          for x in noise["top_noisy"]) or "none")]))
    h(("h", SECTIONS[4]))
    if r["slos"]:
        h(table(["service", "slo", "objective", "attainment", "budget start", "budget end", "burnt", "paged"],
           [[_c(s["service"]), _c(s["name"]), f"{s['objective'] * 100:g}%", _pct(s["attainment"]),
             _pct(s["budget_start"]), _pct(s["budget_end"]),
             "-" if s["budget_consumed"] is None else f"{s['budget_consumed'] * 100:.2f} pts",
             f"yes, {_time(s['first_page_at'])}" if s["paged"] else "no"] for s in r["slos"]]))
    else:
        h(("p", "none recorded"))
    d = r["deploys"]
    h(("h", SECTIONS[5]))
    h(("p", f"{d['count']} deploys; {d['change_failure_signals']} followed by a critical alert on the same service "
            f"(change-failure rate {_pct(d['change_failure_rate'])})."))
    listed = d["list"][-MAX_ROWS:]
    if listed:
        h(table(["started", "service", "env", "version", "status", "followed by"],
           [[_time(x["started_at"]), _c(x["service"]), _c(x["environment"]), _c(x["version"], 40), _c(x["status"]),
             f"{_c(x['followed_by']['alert'])} at {_time(x['followed_by']['fired_at'])}" if x["followed_by"] else ""]
            for x in listed]))
    if len(listed) < len(d["list"]):
        h(("p", f"the {len(listed)} most recent of {len(d['list'])} deploys are listed (all of them in --format json)."))
    p = r["pipelines"]
    h(("h", SECTIONS[6]))
    h(("p", f"{p['runs']} runs on default branches, {p['finished']} finished, success rate {_pct(p['success_rate'])}."))
    if p["by_repo"]:
        h(table(["repo", "succeeded", "failed"], [[_c(x["repo"]), x["succeeded"], x["failed"]] for x in p["by_repo"]]))
    h(("h", SECTIONS[7]))
    h(("list", _dora(r["dora"])))
    h(("h", SECTIONS[8]))
    if r["open_triages"]:
        h(table(["alert", "service", "started", "progress", "last step"],
           [[_c(t["alert"]), _c(t["service"]), _time(t["started_at"]), f"{t['steps_done']}/{t['steps']}", _last(t["last_step"], tz, today)]
            for t in r["open_triages"]]))
    else:
        h(("p", "none"))
    h(("h", SECTIONS[9]))
    h(("list", silence_lines(r.get("silences") or {}, _time)))
    h(("h", SECTIONS[10]))
    notes = [f"{_time(n['at'])} {_c(n['author']) + ': ' if n['author'] else ''}"
             + "\n".join(clean_lines(n["text"], max_len=2000) or ["-"])
             + (" (dismissed)" if n["dismissed"] else "") for n in r["handoff_notes"]]
    h(("list", notes) if notes else ("p", "none"))
    h(("h", SECTIONS[11]))
    holes = []
    for s in r["holes"]:
        if not s["holes"]:
            holes.append(f"{_c(s['source'])}: complete ({_pct(s['covered_share'])} up)")
            continue
        parts = [f"{x['kind']} {_time(x['start'])}-{_time(x['end'])}" + (f" ({_c(x['error'], 80)})" if x["error"] else "")
                 for x in s["holes"]]
        holes.append(f"{_c(s['source'])}: data has holes, {_pct(s['covered_share'])} covered: " + "; ".join(parts))
    holes += [f"{_c(s['source'])}: degraded: {_c(s['degraded'], 200)}" for s in r["holes"] if s.get("degraded")]
    if r.get("history_cap"):
        cap = r["history_cap"]
        holes.insert(0, f"history row cap ({cap['cap']:,} events) reached: events up to {_time(cap['lost_until'])} were "
                        f"dropped; the counts above cover only {_time(cap['counted_from'])} onwards")
    h(("list", holes) if holes else ("p", "no source recorded anything in this window"))
    h(("h", SECTIONS[12]))
    h(("list", r["footer"]))
    h(("h", SECTIONS[13]))
    h(("list", [f"{what}: {_c(origin, 300)}" for what, found in (r.get("origins") or {}).items() for origin in found]))
    return out


def _dora(k: dict[str, Any]) -> list[str]:
    def d(seconds: float | None) -> str:
        return "-" if seconds is None else format_duration(seconds)

    f, lead, cfr, ttr, p = (k["deployment_frequency"], k["lead_time"], k["change_failure_rate"],
                            k["time_to_restore"], k["pipelines"])
    targets = ", ".join(f"{_c(t['service'])}/{_c(t['environment'])} {t['deploys']}" for t in f["by_target"][:8])
    return [
        f"deployment frequency: {f['deploys']} deploys ({f['per_day']:.2f}/day)" + (f": {targets}" if targets else ""),
        f"lead time for changes: median {d(lead['median_s'])} (n={lead['sample']} of {lead['of_deploys']} deploys "
        "with a known commit time)",
        f"change failure rate: {_pct(cfr['rate'])} (n={cfr['sample']} finished deploys)"
        + "".join(f"; {_c(x['service'])} {_c(x['version'], 40)}: {_c(x['why'], 60)}" for x in cfr["failures"][:5]),
        f"time to restore (pages): median {d(ttr['median_s'])} (n={ttr['sample']})",
        f"pipelines on default branches: success {_pct(p['success_rate'])}, median duration {d(p['median_duration_s'])} "
        f"(n={p['sample']})",
    ]


def silence_lines(section: dict[str, Any], when: Any) -> list[str]:
    """The report's silences: those ending soon after the window, those that ended in it."""
    def one(s: dict[str, Any]) -> str:
        by = f" by {_c(s['created_by'], 40)}" if s.get("created_by") else ""
        early = " (expired early)" if s.get("expired_early") else ""
        return f"{_c(', '.join(s.get('matchers') or []), 160)}{by}: {_c(s.get('comment'), 120)}{early}"

    lines = [f"ends soon, {when(s['ends_at'])}: {one(s)}" for s in section.get("ending_soon", [])]
    lines += [f"ended {when(s['ends_at'])}: {one(s)}" for s in section.get("expired", [])]
    return lines or ["none ending soon, none ended in the window (silences seen by the cockpit)"]


def table(headers: list[str], rows: list[list[Any]]) -> Block:
    return ("table", (headers, rows))


def _last(step: dict[str, Any] | None, tz: tzinfo | None = None, today: datetime | None = None) -> str:
    if step is None:
        return "-"
    what = {"step_done": "done", "step_undone": "undone", "note": "note", "started": "started"}.get(step["kind"], _c(step["kind"]))
    detail = step["step"] or step["text"]
    return f"{_at(step['at'], tz, today)} {what}" + (f": {_c(detail, 80)}" if detail else "")


def render_text(report: dict[str, Any], tz: tzinfo | None = None) -> str:
    lines: list[str] = []
    for kind, body in blocks(report, tz):
        if kind == "title":
            lines += [body, "=" * len(body)]
        elif kind == "h":
            lines += ["", body, "-" * len(body)]
        elif kind == "p":
            lines.append(body)
        elif kind == "list":  # an item's further lines (a handoff note's) indented under it
            lines += [f"  * {item}".replace("\n", "\n    ") for item in body]
        else:
            headers, rows = body
            cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
            widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
            lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


def _md(value: object) -> str:
    return markdown_inert(value)


def render_markdown(report: dict[str, Any], tz: tzinfo | None = None) -> str:
    lines: list[str] = []
    for kind, body in blocks(report, tz):
        if kind == "title":
            lines += [f"# {_md(body)}", ""]
        elif kind == "h":
            lines += ["", f"## {body}", ""] if lines and lines[-1] else [f"## {body}", ""]
        elif kind == "p":
            lines += [_md(body), ""]
        elif kind == "list":  # an item's further lines kept with a hard line break
            lines += ["- " + "\\\n  ".join(_md(line) for line in item.split("\n")) for item in body] + [""]
        else:
            headers, rows = body
            lines += ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows] + [""]
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text + ("\n" + markdown_timeline(report, tz) if report.get("timeline") else "")


def markdown_timeline(report: dict[str, Any], tz: tzinfo | None = None, width: int = 100) -> str:
    """The report's window on one time axis (its ``timeline`` section), as the timeline screen draws it."""
    from cockpit.core.timeline import alerts_origin, marks_from_section, timeline_markdown

    since, until = parse_time(report["window"]["since"]), parse_time(report["window"]["until"])
    assert since is not None and until is not None
    section = report["timeline"]
    origin = alerts_origin(section)
    return timeline_markdown(marks_from_section(section, until), since.astimezone(tz), until.astimezone(tz), width,
                             note=_md(origin[:1].upper() + origin[1:] + "."))


def render_report(report: dict[str, Any], fmt: str, tz: tzinfo | None = None) -> str:
    """``fmt`` is ``text``, ``markdown`` or ``json``; text times are shown in ``tz`` (default local)."""
    if fmt == "json":
        return render_json(report) + "\n"
    return render_markdown(report, tz) if fmt == "markdown" else render_text(report, tz)
