"""``cockpit snapshot``: every source's state rendered as JSON (the contract), text or Markdown.

The JSON keys are exactly those of CONTRACT.md; unknown values are ``null``, never missing.
Text and Markdown are for people and run every upstream string through the sanitiser.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from cockpit.core.durations import format_age, format_duration
from cockpit.core.models import Alert, Deploy, Pipeline, Slo, SourceState, SourceStatus, utcnow
from cockpit.core import times
from cockpit.core.textsafe import clean_line, markdown_inert

__all__ = ["collect", "render_json", "render_markdown", "render_text", "snapshot_dict"]

BURN_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def rfc3339(value: datetime | None) -> str | None:
    """The contract's time format: RFC 3339 UTC to the second."""
    return times.rfc3339(value, "seconds")


def collect(states: list[SourceState]) -> dict[str, list[Any]]:
    """Items of every source, by kind, in display order."""
    alerts = [i for s in states for i in s.items if isinstance(i, Alert)]
    slos = [i for s in states for i in s.items if isinstance(i, Slo)]
    deploys = [i for s in states for i in s.items if isinstance(i, Deploy)]
    pipelines = [i for s in states for i in s.items if isinstance(i, Pipeline)]
    far_past = datetime.min.replace(tzinfo=timezone.utc)
    alerts.sort(key=lambda a: (a.severity_rank, a.starts_at or far_past))
    deploys.sort(key=lambda d: d.started_at or d.finished_at or far_past, reverse=True)
    pipelines.sort(key=lambda p: p.started_at or far_past, reverse=True)
    return {"alerts": alerts, "slos": slos, "deploys": deploys, "pipelines": pipelines}


def _alert(a: Alert) -> dict[str, Any]:
    return {
        "source": a.source, "fingerprint": a.fingerprint, "name": a.name, "severity": a.severity,
        "state": a.state.value, "starts_at": rfc3339(a.starts_at), "labels": dict(a.labels),
        "annotations": dict(a.annotations), "summary": a.summary, "generator_url": a.generator_url,
        "runbook": {"url": a.runbook.url, "path": a.runbook.path} if a.runbook else None,
        "silenced_by": list(a.silenced_by), "peers": list(a.peers),
    }


def _slo(s: Slo) -> dict[str, Any]:
    return {
        "source": s.source, "id": s.id, "service": s.service, "name": s.name,
        "objective": s.objective, "period": s.period,
        "burn_rates": {w: s.burn_rates.get(w) for w in BURN_WINDOWS},
        "error_budget_remaining": s.error_budget_remaining, "status": s.status.value,
        "generator": s.generator,
    }


def _deploy(d: Deploy) -> dict[str, Any]:
    return {
        "source": d.source, "service": d.service, "environment": d.environment, "version": d.version,
        "status": d.status.value, "started_at": rfc3339(d.started_at),
        "finished_at": rfc3339(d.finished_at), "author": d.author, "url": d.url,
    }


def _pipeline(p: Pipeline) -> dict[str, Any]:
    return {
        "source": p.source, "repo": p.repo, "name": p.name, "branch": p.branch, "commit": p.commit,
        "status": p.status.value, "started_at": rfc3339(p.started_at), "duration_s": p.duration_s,
        "author": p.author, "url": p.url,
    }


def _source(s: SourceState, now: datetime) -> dict[str, Any]:
    age = s.age_s(now)
    return {
        "name": s.name, "type": s.type, "kind": s.kind.value, "status": s.status.value,
        "fetched_at": rfc3339(s.fetched_at), "age_s": round(age, 1) if age is not None else None,
        "error": s.error, "degraded": s.degraded,
    }


def snapshot_dict(states: list[SourceState], now: datetime | None = None) -> dict[str, Any]:
    """The snapshot as the contract's JSON object."""
    now = now or utcnow()
    items = collect(states)
    return {
        "generated_at": rfc3339(now),
        "sources": [_source(s, now) for s in states],
        "alerts": [_alert(a) for a in items["alerts"]],
        "slos": [_slo(s) for s in items["slos"]],
        "deploys": [_deploy(d) for d in items["deploys"]],
        "pipelines": [_pipeline(p) for p in items["pipelines"]],
    }


def render_json(states: list[SourceState], now: datetime | None = None) -> str:
    return json.dumps(snapshot_dict(states, now), indent=2, ensure_ascii=False)


def _status_word(s: SourceState, now: datetime) -> str:
    word = s.status.value.upper()
    if s.status is SourceStatus.OK:
        word = "ok"
    detail = f"data {format_age(s.age_s(now))}"
    if s.error:
        detail += f"; {clean_line(s.error, 160)}"
    if s.degraded:
        detail += f"; degraded: {clean_line(s.degraded, 120)}"
    return f"{s.name} ({s.type}): {word}, {detail}"


def _rows(states: list[SourceState], now: datetime) -> dict[str, list[list[str]]]:
    items = collect(states)

    def age(t: datetime | None) -> str:
        return format_duration((now - t).total_seconds()) if t else "-"

    return {
        "Alerts": [[a.severity, a.shown_state, a.name, a.service or "-", age(a.starts_at), a.summary or ""] for a in items["alerts"]],
        "SLOs": [[s.service, s.name, f"{s.objective:.4g}", _burn(s.burn_rates.get("1h")), _burn(s.burn_rates.get("6h")),
                  f"{s.error_budget_remaining:.0%}" if s.error_budget_remaining is not None else "-", s.status.value]
                 for s in items["slos"]],
        "Deploys": [[d.service, d.environment or "-", d.version or "-", d.status.value, d.author or "-", age(d.started_at)] for d in items["deploys"]],
        "Pipelines": [[p.repo, p.name, p.branch or "-", (p.commit or "-")[:8], p.status.value, p.author or "-", age(p.started_at)] for p in items["pipelines"]],
    }


HEADERS = {
    "Alerts": ["severity", "state", "alert", "service", "age", "summary"],
    "SLOs": ["service", "slo", "objective", "burn 1h", "burn 6h", "budget left", "status"],
    "Deploys": ["service", "env", "version", "status", "author", "age"],
    "Pipelines": ["repo", "pipeline", "branch", "commit", "status", "author", "age"],
}


def _burn(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render_text(states: list[SourceState], now: datetime | None = None) -> str:
    now = now or utcnow()
    out = [f"cockpit snapshot {rfc3339(now)}", "", "Sources:"]
    out += [f"  {_status_word(s, now)}" for s in states]
    for title, rows in _rows(states, now).items():
        out += ["", f"{title} ({len(rows)}):"]
        cells = [[clean_line(c, 80) for c in row] for row in rows]
        widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(HEADERS[title])]
        out.append("  " + "  ".join(h.ljust(w) for h, w in zip(HEADERS[title], widths)).rstrip())
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(out) + "\n"


def _md_cell(value: str) -> str:
    return markdown_inert(clean_line(value, 120))


def render_markdown(states: list[SourceState], now: datetime | None = None) -> str:
    now = now or utcnow()
    out = [f"# cockpit snapshot, {rfc3339(now)}", "", "## Sources", ""]
    out += [f"- {_md_cell(_status_word(s, now))}" for s in states]
    for title, rows in _rows(states, now).items():
        out += ["", f"## {title} ({len(rows)})", ""]
        if not rows:
            out.append("_none_")
            continue
        out.append("| " + " | ".join(HEADERS[title]) + " |")
        out.append("|" + "---|" * len(HEADERS[title]))
        out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"
