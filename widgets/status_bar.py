"""The status bar: each source's health, the read-only marker, small facts such as who is on
call, and one line per problem (a failing, stale or degraded source) with its reason."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from cockpit.core.durations import format_coarse_age
from cockpit.core.models import SourceState, SourceStatus, utcnow
from cockpit.core.textsafe import clean_line
from cockpit.themes import THEMES, cell_styles

__all__ = ["MAX_PROBLEM_LINES", "StatusBar", "render_status"]

MAX_PROBLEM_LINES = 3
"""Problem lines shown at most; the last one says how many more there are."""

_MARKS = {SourceStatus.OK: "✓", SourceStatus.STALE: "⚠", SourceStatus.ERROR: "✗"}


def _problems(states: list[SourceState], now: datetime) -> list[tuple[str, str]]:
    """(role, line) for every source that is not plainly ok, errors first."""
    lines: list[tuple[int, str, str]] = []
    for state in states:
        name = clean_line(state.name, 40)
        last_ok = format_coarse_age(state.age_s(now))
        status = state.status_at(now)
        if status == SourceStatus.ERROR:
            reason = clean_line(state.error or "poll failed", 160)
            lines.append((0, "error", f"✗ {name}: ERROR {reason} (data {last_ok})"))
        elif status == SourceStatus.STALE:
            detail = f"last success {last_ok}" if state.fetched_at else "no data yet"
            reason = f" {clean_line(state.error, 120)}" if state.error else ""
            lines.append((1, "warning", f"⚠ {name}: STALE {detail}{reason}"))
        if state.degraded and status != SourceStatus.ERROR:
            lines.append((2, "warning", f"⚠ {name}: DEGRADED {clean_line(state.degraded, 160)}"))
    lines.sort(key=lambda line: line[0])
    return [(role, text) for _rank, role, text in lines]


def render_status(
    states: Iterable[SourceState],
    now: datetime,
    read_only: bool = False,
    styles: dict[str, Style] | None = None,
    hint: str = "? help",
    missing: Iterable[str] = (),
    facts: dict[str, str] | None = None,
) -> Text:
    """The status bar's text: a summary line, then up to MAX_PROBLEM_LINES problem lines.

    ``missing``: the panels hidden because no source of their kind is configured."""
    styles = styles or cell_styles(THEMES["dark"])
    states = list(states)
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if read_only:
        text.append(" READ-ONLY ", style=styles["warning"] + Style(reverse=True, bold=True))
        text.append(" ")
    if not states:
        text.append("no sources configured", style=styles["muted"])
    for index, state in enumerate(states):
        if index:
            text.append(" · ", style=styles["muted"])
        status = state.status_at(now)
        role = {SourceStatus.OK: "success", SourceStatus.STALE: "warning"}.get(status, "error")
        text.append(f"{clean_line(state.name, 40)} ")
        text.append(f"{_MARKS[status]} {status.value}", style=styles[role])
    info: dict[str, str] = dict(facts or {})
    for state in states:
        for key, value in state.info.items():
            info.setdefault(clean_line(key, 30), clean_line(value, 80))
    for key, value in info.items():
        text.append(" │ ", style=styles["muted"])
        text.append(f"{key}: ", style=styles["muted"])
        text.append(value)
    missing = list(missing)
    if missing and states:
        text.append(" │ ", style=styles["muted"])
        text.append(f"no source: {', '.join(missing)}", style=styles["muted"])
    if hint:
        text.append(" │ ", style=styles["muted"])
        text.append(hint, style=styles["muted"])
    problems = _problems(states, now)
    if len(problems) > MAX_PROBLEM_LINES:
        extra = len(problems) - (MAX_PROBLEM_LINES - 1)
        problems = problems[: MAX_PROBLEM_LINES - 1] + [("muted", f"… and {extra} more problems")]
    for role, line in problems:
        text.append("\n")
        text.append(line, style=styles[role])
    return text


class StatusBar(Static):
    """Bottom bar; the app feeds it states, the clock and the read-only flag."""

    def __init__(self, *, id: str | None = "status-bar") -> None:
        super().__init__("", id=id, markup=False)
        self._states: dict[str, SourceState] = {}
        self._now = utcnow()
        self._read_only = False
        self._hint = "? help"
        self._missing: list[str] = []
        self._styles = cell_styles(THEMES["dark"])
        self._last = ""
        self._extra: dict[str, str] = {}

    def set_states(self, states: Iterable[SourceState], now: datetime | None = None) -> None:
        self._states = {s.name: s for s in states}
        if now is not None:
            self._now = now
        self._redraw()

    def set_missing(self, titles: Iterable[str]) -> None:
        """The panels hidden for want of a source (named on the first line)."""
        titles = list(titles)
        if titles != self._missing:
            self._missing = titles
            self._redraw()

    def set_extra(self, name: str, value: str | None) -> None:
        """A fact of the app's own beside the sources' (``⏳ silences``: how many end soon); None drops it."""
        if value is None:
            self._extra.pop(name, None)
        else:
            self._extra[name] = value
        self._redraw()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._redraw()

    def set_hint(self, hint: str) -> None:
        """The key hint at the end of the first line (shows the help key in force)."""
        self._hint = hint
        self._redraw()

    def set_theme(self, theme_name: str) -> None:
        if theme_name in THEMES:
            self._styles = cell_styles(THEMES[theme_name])
            self._redraw(force=True)

    def tick(self, now: datetime) -> None:
        self._now = now
        self._redraw()

    def _redraw(self, force: bool = False) -> None:
        text = render_status(
            self._states.values(), self._now, self._read_only, self._styles, self._hint, self._missing,
            self._extra,
        )
        key = text.markup
        if force or key != self._last:
            relayout = key.count("\n") != self._last.count("\n")  # height changes
            self._last = key
            self.update(text, layout=relayout or force)
