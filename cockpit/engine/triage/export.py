"""A triage as a Markdown incident timeline: the alert, the changes before it, every action.

Every upstream string is made inert for Markdown (escapes removed, markup characters escaped);
the user's own notes are kept as written, on one line each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.core.timeline import marks_from_items, timeline_markdown, triage_row
from cockpit.core.models import Deploy, Pipeline
from cockpit.core.fill import fill_labels
from cockpit.core.textsafe import clean, clean_line, markdown_inert, safe_url
from cockpit.engine.triage.store import DEFAULT_LOOKBACK, Triage, related_changes

__all__ = ["export_file_name", "export_markdown", "export_path"]


def export_file_name(triage_id: str) -> str:
    """A triage's export file name (``--output DIR`` writes it there)."""
    return f"triage-{triage_id}.md"


def export_path(state_dir: Path, triage_id: str) -> Path:
    """Where ``e`` in a triage writes its timeline: the state dir's ``exports/triage-<id>.md``."""
    return state_dir / "exports" / export_file_name(triage_id)


# -- the Markdown incident timeline ----------------------------------------------------------


def _t(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if when else "unknown time"


def _md(text: object) -> str:
    """Untrusted text on one line, inert in Markdown: escapes gone, markup characters escaped."""
    return markdown_inert(clean_line(text, max_len=500))


def export_markdown(
    triage: Triage, deploys: Iterable[Deploy] = (), pipelines: Iterable[Pipeline] = (),
    *, lookback: timedelta = DEFAULT_LOOKBACK,
) -> str:
    """The incident timeline: the alert, the changes of its service before it, every action.

    ``deploys``/``pipelines`` (e.g. the cache's current ones) are merged with those captured
    when the triage started; only those of the alert's service within ``lookback`` count.
    """
    alert = triage.alert
    extra_d, extra_p = related_changes(alert, deploys, pipelines, before=alert.starts_at or triage.created_at, lookback=lookback)
    seen_d = {(d.source, d.id, d.service, d.started_at) for d in triage.deploys}
    seen_p = {(p.source, p.id, p.repo, p.started_at) for p in triage.pipelines}
    all_d = triage.deploys + [d for d in extra_d if (d.source, d.id, d.service, d.started_at) not in seen_d]
    all_p = triage.pipelines + [p for p in extra_p if (p.source, p.id, p.repo, p.started_at) not in seen_p]
    steps = {s.id: s for s in triage.steps}
    done, total = triage.progress
    out = [
        f"# Incident timeline: {_md(alert.name)}",
        "",
        f"- Triage: `{triage.id}` ({triage.status}, {done}/{total} steps done)",
        f"- Started: {_t(triage.created_at)}" + (f" · closed: {_t(triage.closed_at)}" if triage.closed_at else ""),
        "",
        "## Alert",
        "",
        f"- Name: **{_md(alert.name)}** · severity {_md(alert.severity)} · {alert.state.value}",
        f"- Firing since: {_t(alert.starts_at)} · source {_md(alert.source)}",
    ]
    if alert.summary or alert.annotations.get("summary"):
        out.append(f"- Summary: {_md(alert.summary or alert.annotations.get('summary'))}")
    if alert.labels:
        out.append("- Labels: " + ", ".join(f"{_md(k)}={_md(v)}" for k, v in sorted(alert.labels.items())))
    url = alert.runbook.url if alert.runbook else alert.annotations.get("runbook_url")
    if triage.runbook_path or url:
        out.append(f"- Runbook: {_md(triage.runbook_title or triage.runbook_path or '')}{_url(url)}".rstrip())
    service = alert.service
    out += ["", f"## Changes before the alert (service {_md(service or 'unknown')})", ""]
    changes: list[tuple[datetime, str]] = []
    for d in all_d:
        line = f"deploy {_md(d.service)} {_md(d.version or '')} to {_md(d.environment or '?')}: {d.status.value}"
        line += (f" by {_md(d.author)}" if d.author else "") + _url(d.url)
        changes.append((d.started_at or d.finished_at or triage.created_at, line))
    for p in all_p:
        line = f"pipeline failed: {_md(p.repo)} {_md(p.name)}" + (f" on {_md(p.branch)}" if p.branch else "")
        line += (f" at {_md((p.commit or '')[:12])}" if p.commit else "") + (f" by {_md(p.author)}" if p.author else "")
        changes.append((p.started_at or triage.created_at, line + _url(p.url)))
    changes.sort(key=lambda c: c[0])
    out += [f"- {_t(at)} {line}" for at, line in changes] or [
        f"- No deploys or pipeline failures of this service in the {_age(lookback)} before the alert."
    ]
    end = triage.closed_at or max([triage.created_at, *(e.at for e in triage.events)])
    since = min([alert.starts_at or triage.created_at, *(at for at, _line in changes)]) - timedelta(minutes=10)
    marks = marks_from_items([alert, *all_d, *all_p], end)
    marks += [m for m in (triage_row(triage.model_dump(mode="json"), end),) if m is not None]
    axis = timeline_markdown(marks, since, end, title="On one time axis").splitlines()
    out += [""] + axis
    out += ["", "## Timeline", ""]
    for e in triage.events:
        who = f" ({_md(e.by)})" if e.by else ""
        step = steps.get(e.step) if e.step is not None else None
        what = {
            "started": "triage started", "closed": "triage closed", "reopened": "triage reopened",
            "step_done": f"done: {_md(step.title) if step else e.step}",
            "step_undone": f"no longer done: {_md(step.title) if step else e.step}",
            "note": "note" + (f" on {_md(step.title)}" if step else "") + ": " + _note(e.text),
        }[e.kind]
        out.append(f"- {_t(e.at)} {what}{who}")
    out += ["", "## Steps", ""]
    labels = alert.labels
    for s in triage.steps:
        if s.kind == "section":
            out += ([""] if out[-1] else []) + [f"### {_step(s.title, labels)}", ""]
            continue
        mark = "x" if s.done else " "
        done_at = f" (done {_t(s.done_at)})" if s.done_at else ""
        if s.kind == "code":
            code = fill_labels(clean(s.title, max_len=4000), labels)[0].replace("```", "` ` `")
            out.append(f"- [{mark}] run{done_at}:")
            out += ["  ```"] + [f"  {line}" for line in code.splitlines()] + ["  ```"]
        else:
            out.append(f"- [{mark}] {_step(s.title, labels)}{done_at}")
        for n in triage.notes(s.id):
            out.append(f"  - {_t(n.at)} note: {_note(n.text)}")
    general = triage.notes(None)
    if general:
        out += ["", "## Notes", ""] + [f"- {_t(n.at)} {_note(n.text)}" for n in general]
    return "\n".join(out) + "\n"


def _step(text: str, labels: dict[str, str]) -> str:
    """A runbook step as it reads in the runbook (its inline Markdown kept, so a command stays a
    pasteable code span), on one line, escapes removed, the alert's labels filled in; only what
    could start HTML or a new block is escaped."""
    line = fill_labels(clean_line(text, max_len=500), labels)[0]
    parts = re.split(r"(`[^`]+`)", line)  # code spans stay as written: they are shown literally
    return "".join(p if p.startswith("`") else re.sub(r"([<>|])", r"\\\1", p) for p in parts)


def _url(url: str | None) -> str:
    safe = safe_url(url)
    return f" <{safe}>" if safe else ""


def _note(text: str | None) -> str:
    """A note written by the user: kept as written but on one line and free of escapes."""
    return " / ".join(line.strip() for line in clean(text or "").splitlines() if line.strip())


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours}h" if hours else f"{int(delta.total_seconds() // 60)}m"
