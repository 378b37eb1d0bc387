"""The timeline: one service's (or every service's) alerts, deploys, pipeline failures and
notes on one time axis, as lines of text.

The first question of a triage is "what changed just before?"; a row per thing on a shared
axis answers it at a glance. Everything is told apart by a glyph, never by colour alone, so the
same lines serve the TUI (coloured by role), the mono theme, the triage export and the
Markdown report. Pure: models (or plain history rows) in, text out.

Glyphs: an alert's span is ``█`` while firing and critical, ``▓`` firing otherwise, ``░``
pending, ``⊘`` silenced; a deploy is ``◆`` (succeeded), ``✗`` (failed), ``↻`` (running); a
failed pipeline ``✗``; a note ``✎``. The legend line says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence

from cockpit.core.models import Alert, AlertState, Deploy, Pipeline, RunStatus
from cockpit.core.textsafe import clean_line

__all__ = ["LEGEND", "WINDOWS", "Mark", "marks_from_events", "marks_from_items", "render_timeline",
           "timeline_markdown"]

WINDOWS = (timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(hours=12),
           timedelta(hours=24))
"""The windows ``[`` and ``]`` step through."""

LEGEND = ("█ critical firing  ▓ firing  ░ pending  ⊘ silenced  "
          "◆ deploy  ✗ failed  ↻ running  ✎ note")


@dataclass(frozen=True)
class Mark:
    """One row of the timeline: a span (``end`` set) or a point in time."""

    lane: str
    """``alert``, ``deploy``, ``pipeline`` or ``note``."""
    label: str
    """What the row is (an alert name, ``deploy v2.14``, a workflow, a note)."""
    start: datetime
    end: datetime | None
    """None for a point (a deploy, a failure, a note)."""
    glyph: str
    role: str = ""
    """Colour role for the TUI (error, warning, info, success, muted); the glyph carries the meaning."""
    service: str = ""


_ORDER = {"deploy": 0, "pipeline": 1, "alert": 2, "note": 3}
_DEPLOY = {RunStatus.SUCCEEDED: ("◆", "success"), RunStatus.FAILED: ("✗", "error"),
           RunStatus.RUNNING: ("↻", "info"), RunStatus.QUEUED: ("↻", "muted"),
           RunStatus.CANCELLED: ("⊘", "muted")}


def _alert_mark(alert: Alert, now: datetime) -> Mark | None:
    if alert.starts_at is None:
        return None
    state = AlertState(alert.state)
    if state == AlertState.PENDING:
        glyph, role = "░", "warning"
    elif state in (AlertState.SILENCED, AlertState.INHIBITED):
        glyph, role = "⊘", "muted"
    elif alert.severity_rank <= 1:
        glyph, role = "█", "error"
    else:
        glyph, role = "▓", "warning"
    return Mark("alert", clean_line(alert.name, 80), alert.starts_at, now, glyph, role, alert.service or "")


def marks_from_items(items: Iterable[object], now: datetime, service: str | None = None) -> list[Mark]:
    """Marks for the alerts, deploys and failed pipelines among ``items`` (of ``service`` when
    given: an alert's or deploy's service, a pipeline whose repo names it), in lane order."""
    wanted = (service or "").casefold()
    marks: list[Mark] = []
    for item in items:
        mark: Mark | None = None
        if isinstance(item, Alert):
            mark = _alert_mark(item, now)
        elif isinstance(item, Deploy) and item.started_at is not None:
            glyph, role = _DEPLOY.get(RunStatus(item.status), ("◆", ""))
            label = clean_line(f"{item.service or ''} {item.version or '?'} {item.environment or ''}", 80)
            mark = Mark("deploy", label, item.started_at, None, glyph, role, item.service or "")
        elif (isinstance(item, Pipeline) and item.started_at is not None
              and RunStatus(item.status) == RunStatus.FAILED):
            label = clean_line(f"{item.repo.rsplit('/', 1)[-1]} {item.name}", 80)
            mark = Mark("pipeline", label, item.started_at, None, "✗", "error", item.repo)
        if mark is None:
            continue
        if wanted and wanted not in mark.service.casefold():
            continue
        marks.append(mark)
    marks.sort(key=lambda m: (_ORDER.get(m.lane, 9), m.start))
    return marks


def marks_from_events(events: Iterable[Mapping[str, Any]], until: datetime, service: str | None = None) -> list[Mark]:
    """Marks from the shift history's events (``History.events`` rows, oldest first): an
    alert's span from the event that saw it pending or firing to the one that saw it resolved
    (or ``until``), deploys and pipeline failures as points. Plain dicts in, so the core needs
    nothing of the engine."""
    wanted = (service or "").casefold()
    open_spans: dict[tuple[str, str], tuple[datetime, Mapping[str, Any]]] = {}
    marks: list[Mark] = []

    def close(key: tuple[str, str], end: datetime) -> None:
        start, event = open_spans.pop(key)
        state = event.get("state")
        severity = str(event.get("severity") or "")
        if state == "pending":
            glyph, role = "░", "warning"
        elif state in ("silenced", "inhibited"):
            glyph, role = "⊘", "muted"
        elif severity.casefold() in ("critical", "page", "error"):
            glyph, role = "█", "error"
        else:
            glyph, role = "▓", "warning"
        marks.append(Mark("alert", clean_line(event.get("name") or "?", 80), start, end, glyph, role,
                          str(event.get("service") or "")))

    for event in events:
        kind, at = event.get("kind"), event.get("at")
        if not isinstance(at, datetime):
            continue
        key = (str(event.get("source")), str(event.get("key")))
        if kind == "alert":
            if key in open_spans:
                close(key, at)
            if event.get("state") != "resolved":
                open_spans[key] = (at, event)
        elif kind == "deploy":
            status = event.get("state") or ""
            glyph, role = {"succeeded": ("◆", "success"), "failed": ("✗", "error")}.get(status, ("↻", "info"))
            data = event.get("data") or {}
            label = clean_line(f"{event.get('service') or ''} {event.get('name') or '?'} {data.get('environment') or ''}", 80)
            marks.append(Mark("deploy", label, at, None, glyph, role, str(event.get("service") or "")))
        elif kind == "pipeline" and event.get("state") == "failed":
            repo = str(event.get("service") or "")
            label = clean_line(f"{repo.rsplit('/', 1)[-1]} {event.get('name') or '?'}", 80)
            marks.append(Mark("pipeline", label, at, None, "✗", "error", repo))
    for key in list(open_spans):
        close(key, until)
    if wanted:
        marks = [m for m in marks if wanted in m.service.casefold()]
    marks.sort(key=lambda m: (_ORDER.get(m.lane, 9), m.start))
    return marks


def _column(when: datetime, since: datetime, until: datetime, width: int) -> int:
    span = (until - since).total_seconds() or 1.0
    return min(width - 1, max(0, int((when - since).total_seconds() / span * width)))


def _clock(when: datetime) -> str:
    return when.strftime("%H:%M")


def render_timeline(marks: Sequence[Mark], since: datetime, until: datetime, width: int,
                    label_width: int | None = None) -> list[tuple[str, str]]:
    """The timeline as ``(line, role)`` pairs for ``width`` columns: an axis with clock times,
    one line per mark in the window (label, then its glyphs on the axis), then the legend.

    A mark before the window that lasts into it starts at the left edge; marks wholly outside
    the window are left out (the last line counts them).
    """
    label_width = label_width or max(12, min(28, width // 3))
    track = max(10, width - label_width - 1)
    lines: list[tuple[str, str]] = []
    axis = [" "] * track
    ticks = max(2, min(6, track // 12))
    for n in range(ticks):
        at = since + (until - since) * n / (ticks - 1)
        text = _clock(at)
        col = _column(at, since, until, track)
        col = min(col, track - len(text))
        for i, ch in enumerate(text):
            axis[col + i] = ch
    lines.append((" " * label_width + " " + "".join(axis).rstrip(), "muted"))
    lines.append((" " * label_width + " " + "┬" + "─" * (track - 2) + "┬", "muted"))
    outside = 0
    for mark in marks:
        end = mark.end or mark.start
        if end < since or mark.start > until:
            outside += 1
            continue
        row = ["·"] * track
        first = _column(max(mark.start, since), since, until, track)
        last = _column(min(end, until), since, until, track)
        for col in range(first, last + 1):
            row[col] = mark.glyph
        label = mark.label if len(mark.label) <= label_width else mark.label[: label_width - 1] + "…"
        lines.append((f"{label:<{label_width}} {''.join(row)}", mark.role))
    if not any(True for m in marks if not ((m.end or m.start) < since or m.start > until)):
        lines.append(("(nothing in this window)", "muted"))
    lines.append((LEGEND if len(LEGEND) <= width else LEGEND[: width - 1] + "…", "muted"))
    if outside:
        lines.append((f"{outside} more outside the window", "muted"))
    return lines


def timeline_markdown(marks: Sequence[Mark], since: datetime, until: datetime, width: int = 100,
                      title: str = "Timeline") -> str:
    """The timeline as a Markdown section: a heading and the lines in a code block."""
    body = "\n".join(line.rstrip() for line, _role in render_timeline(marks, since, until, width))
    return f"## {title}\n\n```text\n{body}\n```\n"
