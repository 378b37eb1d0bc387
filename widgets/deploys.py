"""The Deploys panel: newest first; service, environment, version, who, when, duration, status.

A deploy that started within the two hours before a live alert (firing, silenced or inhibited)
of the same service and environment is marked ``⚑ suspect`` (a change is the usual first suspect
of an incident); the rule is :mod:`cockpit.core.related`'s, the one the detail screens use. The panel takes the
alerts from the same source states the app gives every panel (:meth:`Panel.set_states`), so
no extra plumbing is needed; the comparison is :func:`suspect_for`, a pure function.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from rich.text import Text

from cockpit.core.durations import format_duration
from cockpit.core.models import Alert, AlertState, Deploy, RunStatus, SourceKind, SourceState
from cockpit.core.related import LOOK_BACK, suspect_alert
from cockpit.widgets.panel import ColumnSpec, Panel, age_text, plain

__all__ = ["RUN_MARKS", "SUSPECT_MARK", "SUSPECT_WINDOW", "DeploysPanel", "duration_text", "firing_by_service",
           "run_status_cell", "run_status_width", "short_version", "suspect_for"]

RUN_MARKS: dict[RunStatus, str] = {
    RunStatus.SUCCEEDED: "✓",
    RunStatus.FAILED: "✗",
    RunStatus.RUNNING: "↻",
    RunStatus.QUEUED: "…",
    RunStatus.CANCELLED: "⊘",
}
"""A symbol per run status, shown beside the word."""

SUSPECT_WINDOW = LOOK_BACK
"""A deploy this long (or less) before a firing alert of its service is marked suspect."""

SUSPECT_MARK = "⚑ suspect"
"""The mark of a deploy made suspect by a firing alert of its service."""

_LIVE = (AlertState.FIRING, AlertState.SILENCED, AlertState.INHIBITED)
_RUN_ROLES = {RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "error",
              RunStatus.RUNNING: "info", RunStatus.QUEUED: "muted", RunStatus.CANCELLED: "muted"}
_HEX = frozenset("0123456789abcdef")


def run_status_width(statuses: Iterable[RunStatus] = tuple(RunStatus)) -> int:
    """The width of the widest status cell among ``statuses`` (a status column's reserve, so a
    run turning ``↻ running`` or ``✓ succeeded`` never widens it)."""
    return max(len(f"{RUN_MARKS[status]} {status.value}") for status in statuses)


def run_status_cell(panel: Panel, status: RunStatus | str) -> Text:
    """``✗ failed`` styled by its role."""
    status = RunStatus(status)
    return Text(f"{RUN_MARKS[status]} {status.value}", style=panel.cell_style(_RUN_ROLES[status]))


def short_version(version: str | None, length: int = 8) -> str:
    """A full commit id (40 or 64 hex) shortened to ``length``; tags and other versions as they are."""
    if version and len(version) in (40, 64) and set(version.lower()) <= _HEX:
        return version[:length]
    return version or "-"


def duration_text(seconds: float | None) -> str:
    """``3m``, ``1h05m``; ``-`` when unknown (still running, or never finished)."""
    return "-" if seconds is None or seconds < 0 else format_duration(seconds)


def _service(name: str | None) -> str:
    return (name or "").strip().casefold()


def firing_by_service(alerts: Iterable[Alert]) -> dict[str, list[Alert]]:
    """Live alerts (firing, silenced or inhibited: silencing an alert does not clear its cause)
    that have a start time and a service, by service (case-insensitive)."""
    firing: dict[str, list[Alert]] = {}
    for alert in alerts:
        service = _service(alert.service)
        if AlertState(alert.state) in _LIVE and alert.starts_at is not None and service:
            firing.setdefault(service, []).append(alert)
    return firing


def suspect_for(deploy: Deploy, firing: dict[str, list[Alert]],
                window: timedelta = SUSPECT_WINDOW) -> Alert | None:
    """The earliest live alert of the deploy's service and environment that started at most
    ``window`` after the deploy started (``firing`` from :func:`firing_by_service`); None when
    there is none (:func:`cockpit.core.related.suspect_alert`)."""
    return suspect_alert(deploy, firing.get(_service(deploy.service), []), window)


class DeploysPanel(Panel[Deploy]):
    """Recent deploys of every deploys source, newest first."""

    KIND = SourceKind.DEPLOYS
    ITEM_TYPE = "deploy"
    TITLE = "Deploys"
    AGE_COLUMN = ("when", "started_at")
    COLUMNS = (
        ColumnSpec("service", "Service", 0, min_width=8, max_width=24),
        # as wide as its mark from the start: an alert that starts firing never widens it
        ColumnSpec("suspect", "⚑", 1, reserve=len(SUSPECT_MARK), sortable=False),
        ColumnSpec("env", "Env", 3, min_width=4, max_width=12),
        ColumnSpec("version", "Version", 4, min_width=7, max_width=12),
        ColumnSpec("status", "Status", 0, reserve=run_status_width()),
        ColumnSpec("when", "When", 0, reserve=5),
        ColumnSpec("author", "Who", 5, min_width=6, max_width=16),
        ColumnSpec("duration", "Took", 6),
    )

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._suspects: dict[str, str] = {}

    def set_states(self, states: Iterable[SourceState], now: datetime | None = None) -> None:
        """As :meth:`Panel.set_states`, and compare the deploys with the firing alerts."""
        states = list(states)
        deploys = [i for s in states for i in s.items if isinstance(i, Deploy)]
        firing = firing_by_service(i for s in states for i in s.items if isinstance(i, Alert))
        suspects = {self.item_key(d): a.name for d in deploys if (a := suspect_for(d, firing)) is not None}
        if suspects != self._suspects:
            self._suspects = suspects
            self._cache = {}  # the mark is not part of the item: recompute the cells
        super().set_states(states, now)

    def suspect_alert(self, item: Deploy) -> str | None:
        """The name of the firing alert that makes this deploy suspect, if any."""
        return self._suspects.get(self.item_key(item))

    def item_key(self, item: Deploy) -> str:
        started = item.started_at.isoformat() if item.started_at else ""
        return f"{item.source}/{item.id or f'{item.service}/{item.environment}/{item.version}/{started}'}"

    def sort_items(self, items: list[Deploy]) -> list[Deploy]:
        return sorted(items, key=lambda d: -(d.started_at.timestamp()) if d.started_at else 0.0)

    def row_cells(self, item: Deploy, now: datetime) -> list[Text]:
        suspect = self.suspect_alert(item)
        return [
            plain(item.service, 40, "bold"),
            Text(SUSPECT_MARK, style=self.cell_style("warning")) if suspect else Text(""),
            plain(item.environment or "-", 20),
            plain(short_version(item.version, 7), 24),
            run_status_cell(self, item.status),
            Text(age_text(item.started_at, now)),
            plain(item.author or "-", 24),
            Text(duration_text(item.duration_s)),
        ]
