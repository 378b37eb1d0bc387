"""The timeline: one service's (or every service's) alerts, deploys, pipeline failures,
silences and triages on one time axis, as lines of text.

The first question of a triage is "what changed just before?"; a row per thing on a shared
axis answers it at a glance. Everything is told apart by a glyph, never by colour alone, so the
same lines serve the TUI (coloured by role), the mono theme, the triage export and the
Markdown report. Pure: models (or plain history rows) in, text out.

Glyphs: an alert's span is ``█`` while firing and critical, ``▓`` firing otherwise, ``░``
pending, ``⊘`` silenced; a deploy is ``◆`` (succeeded), ``✗`` (failed), ``↻`` (running); a
failed pipeline ``✗``; a silence ``═`` while it was active; a triage ``─`` while it was open,
``✓`` where a step was ticked and ``✎`` where a note was written. The legend says so.

:func:`marks_from_section` reads the report's ``timeline`` section (built by
:mod:`cockpit.engine.report.timeline`, the same for the screen, ``cockpit report`` and its
Markdown), :func:`marks_from_items` what the sources show now.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence

from cockpit.core.models import Alert, AlertState, Deploy, Pipeline, RunStatus
from cockpit.core.textsafe import clean_line
from cockpit.core.times import parse_time

__all__ = ["LEGEND", "WINDOWS", "Mark", "alerts_origin", "legend_lines", "marks_from_items", "marks_from_section",
           "merge_live", "render_timeline", "timeline_markdown", "triage_row"]

WINDOWS = (timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(hours=12),
           timedelta(hours=24))
"""The windows ``[`` and ``]`` step through."""

LEGEND = ("█ critical firing", "▓ firing", "░ pending", "⊘ silenced", "◆ deploy", "✗ failed",
          "↻ running", "═ silence", "─ triage", "✓ step done", "✎ note")
"""The legend's entries, wrapped to the width (glyphs, never colour alone)."""


@dataclass(frozen=True)
class Mark:
    """One row of the timeline: a span (``end`` set) or a point in time."""

    lane: str
    """``alert``, ``deploy``, ``pipeline``, ``silence`` or ``triage``."""
    label: str
    """What the row is (an alert name, ``deploy v2.14``, a workflow, a note)."""
    start: datetime
    end: datetime | None
    """None for a point (a deploy, a failure, a note)."""
    glyph: str
    role: str = ""
    """Colour role for the TUI (error, warning, info, success, muted); the glyph carries the meaning."""
    service: str = ""
    key: str = ""
    """What it is, to tell the same thing from two places apart (an alert's fingerprint)."""
    segments: tuple[tuple[datetime, datetime, str], ...] = ()
    """Parts of the span drawn with another glyph (an alert's pending start, its silenced end)."""
    points: tuple[tuple[datetime, str], ...] = ()
    """Moments on the row drawn over the span (a triage's ticks and notes)."""


_ORDER = {"deploy": 0, "pipeline": 1, "alert": 2, "silence": 3, "triage": 4}
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
    return Mark("alert", clean_line(alert.name, 80), alert.starts_at, now, glyph, role, alert.service or "",
                alert.fingerprint)


def marks_from_items(items: Iterable[object], now: datetime, service: str | None = None) -> list[Mark]:
    """Marks for the alerts, deploys and failed pipelines among ``items`` (of ``service`` when
    given: an alert's or deploy's service, a pipeline whose repo names it), in lane order."""
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
        if mark is not None:
            marks.append(mark)
    return _sorted(marks, service)


def _sorted(marks: list[Mark], service: str | None) -> list[Mark]:
    wanted = (service or "").casefold()
    if wanted:
        marks = [m for m in marks if wanted in m.service.casefold()]
    marks.sort(key=lambda m: (_ORDER.get(m.lane, 9), m.start))
    return marks


def _alert_row(row: Mapping[str, Any], until: datetime) -> Mark | None:
    seen, fired = parse_time(row.get("seen_at")), parse_time(row.get("fired_at"))
    start = min(t for t in (seen, fired, until) if t is not None)
    end = parse_time(row.get("resolved_at")) or until
    silenced = parse_time(row.get("silenced_at"))
    if fired is None:
        glyph, role = "░", "warning"
    elif str(row.get("severity") or "").casefold() in ("critical", "page", "error"):
        glyph, role = "█", "error"
    else:
        glyph, role = "▓", "warning"
    segments = []
    if fired is not None and start < fired:
        segments.append((start, fired, "░"))
    if silenced is not None and silenced < end:
        segments.append((silenced, end, "⊘"))
    return Mark("alert", clean_line(row.get("name") or "?", 80), start, end, glyph, role,
                str(row.get("service") or ""), str(row.get("key") or ""), tuple(segments))


def _silence_row(row: Mapping[str, Any], until: datetime) -> Mark | None:
    start = parse_time(row.get("starts_at"))
    if start is None:
        return None
    end = parse_time(row.get("ends_at"))
    matchers = " ".join(str(m).replace('"', "") for m in row.get("matchers") or []) or "?"
    return Mark("silence", clean_line(f"silence {matchers}", 80), start, min(end, until) if end else until, "═",
                "info", " ".join(str(s) for s in row.get("services") or []), f"{row.get('source')}/{row.get('id')}")


def triage_row(row: Mapping[str, Any], until: datetime) -> Mark | None:
    """A triage (its file's JSON, or the timeline section's row) as one row: open from its start
    to its close, a tick ``✓`` per step done and ``✎`` per note."""
    alert = row.get("alert") if isinstance(row.get("alert"), Mapping) else {}
    start = parse_time(row.get("created_at"))
    if start is None:
        return None
    points = []
    for event in row.get("events") or []:
        at = parse_time(event.get("at")) if isinstance(event, Mapping) else None
        glyph = {"step_done": "✓", "note": "✎"}.get(str(event.get("kind"))) if at else None
        if at is not None and glyph:
            points.append((at, glyph))
    service = row.get("service") or next((alert.get("labels", {}).get(k) for k in ("service", "app", "job", "namespace")
                                          if (alert.get("labels") or {}).get(k)), "")
    name = row.get("name") or alert.get("name") or "?"
    return Mark("triage", clean_line(f"triage {name}", 80), start, parse_time(row.get("closed_at")) or until, "─",
                "info", str(service or ""), str(row.get("id") or ""), points=tuple(points))


def marks_from_section(section: Mapping[str, Any], until: datetime, service: str | None = None) -> list[Mark]:
    """Marks of the report's ``timeline`` section (JSON-ready rows, see
    :mod:`cockpit.engine.report.timeline`): each alert episode on one row (pending ``░``, then
    firing, then ``⊘`` once silenced), deploys, pipeline failures, silences, triages."""
    marks: list[Mark | None] = [_alert_row(r, until) for r in section.get("alerts") or []]
    for row in section.get("deploys") or []:
        at = parse_time(row.get("at"))
        if at is not None:
            glyph, role = {"succeeded": ("◆", "success"), "failed": ("✗", "error"),
                           "cancelled": ("⊘", "muted")}.get(str(row.get("status")), ("↻", "info"))
            label = clean_line(f"{row.get('service') or ''} {row.get('version') or '?'} {row.get('environment') or ''}", 80)
            marks.append(Mark("deploy", label, at, None, glyph, role, str(row.get("service") or ""), str(row.get("key") or "")))
    for row in section.get("pipeline_failures") or []:
        at, repo = parse_time(row.get("at")), str(row.get("repo") or "")
        if at is not None:
            marks.append(Mark("pipeline", clean_line(f"{repo.rsplit('/', 1)[-1]} {row.get('name') or '?'}", 80), at, None,
                              "✗", "error", repo, str(row.get("key") or "")))
    marks += [_silence_row(r, until) for r in section.get("silences") or []]
    marks += [triage_row(r, until) for r in section.get("triages") or []]
    return _sorted([m for m in marks if m is not None], service)


def merge_live(rebuilt: Sequence[Mark], live: Sequence[Mark]) -> list[Mark]:
    """The rebuilt marks, plus what the sources show now that they lack (an alert by its
    fingerprint; a deploy or failure by its label and start), in lane order."""
    keys = {(m.lane, m.key) for m in rebuilt if m.key}
    seen = {(m.lane, m.label, m.start) for m in rebuilt}
    extra = [m for m in live if (m.lane, m.key) not in keys and (m.lane, m.label, m.start) not in seen]
    return _sorted(list(rebuilt) + extra, None)


def alerts_origin(section: Mapping[str, Any]) -> str:
    """Where the section's alert spans come from, in one line (the screen and the Markdown say it)."""
    origin = section.get("alerts_from") or {}
    parts = [f"rebuilt from {name}'s ALERTS history" for name in origin.get("upstream") or []]
    parts += [f"none from {name} (its ALERTS history did not answer: {clean_line(why, 80)})" for name, why in
              sorted((origin.get("failed") or {}).items())]
    if origin.get("history") or not parts:
        parts.append("others as this cockpit recorded them" if parts else
                     "as this cockpit recorded them (no prometheus-alerts source)")
    return "alert spans " + "; ".join(parts)


def _column(when: datetime, since: datetime, until: datetime, width: int) -> int:
    span = (until - since).total_seconds() or 1.0
    return min(width - 1, max(0, int((when - since).total_seconds() / span * width)))


def _clock(when: datetime) -> str:
    return when.strftime("%H:%M")


def _fill(row: list[str], start: datetime, end: datetime, glyph: str, since: datetime, until: datetime,
          exclusive: bool = False) -> None:
    """Draw ``glyph`` from ``start`` to ``end`` on the row (clipped to the window); ``exclusive``
    leaves the end's column to what follows (a pending start before the firing), at least one cell."""
    if end < since or start > until:
        return
    first = _column(max(start, since), since, until, len(row))
    last = _column(min(end, until), since, until, len(row))
    if exclusive and end <= until:
        last = max(first, last - 1)
    for col in range(first, last + 1):
        row[col] = glyph


def legend_lines(width: int) -> list[str]:
    """The legend's entries, as many a line as ``width`` holds."""
    lines, line = [], ""
    for entry in LEGEND:
        if line and len(line) + 2 + len(entry) > width:
            lines.append(line)
            line = ""
        line = f"{line}  {entry}" if line else entry
    return lines + [line]


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
        _fill(row, mark.start, end, mark.glyph, since, until)
        for seg_start, seg_end, glyph in mark.segments:
            _fill(row, seg_start, seg_end, glyph, since, until, exclusive=seg_end < end)
        for at, glyph in mark.points:
            if since <= at <= until:
                row[_column(at, since, until, track)] = glyph
        label = mark.label if len(mark.label) <= label_width else mark.label[: label_width - 1] + "…"
        lines.append((f"{label:<{label_width}} {''.join(row)}", mark.role))
    if not any(True for m in marks if not ((m.end or m.start) < since or m.start > until)):
        lines.append(("(nothing in this window)", "muted"))
    lines += [(line, "muted") for line in legend_lines(width)]
    if outside:
        lines.append((f"{outside} more outside the window", "muted"))
    return lines


def timeline_markdown(marks: Sequence[Mark], since: datetime, until: datetime, width: int = 100,
                      title: str = "Timeline", note: str = "") -> str:
    """The timeline as a Markdown section: a heading, ``note`` (Markdown) and the lines in a code
    block, fenced with more backticks than any run of them in the lines (a name holding ``` cannot
    close it early and turn the rest into Markdown)."""
    body = "\n".join(line.rstrip() for line, _role in render_timeline(marks, since, until, width))
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    return f"## {title}\n\n" + (f"{note}\n\n" if note else "") + f"{fence}text\n{body}\n{fence}\n"
