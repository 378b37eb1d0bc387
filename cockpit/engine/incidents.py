"""Incident writes (PagerDuty): acknowledge, resolve, add a note; refused in read-only, sent once, audited.

The app calls these after the user confirmed a one-line preview (:func:`preview`). Each write is
refused before anything leaves the machine in read-only mode or for a source that has no incidents;
otherwise it is sent once (a failure is reported, never retried) through
:func:`cockpit.engine.audited.send_audited`, which records the intent and the upstream's answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from cockpit.core.models import Alert
from cockpit.engine.audit import AuditLog
from cockpit.engine.audited import refuse, send_audited
from cockpit.sources.base import Source, SupportsIncidents

__all__ = ["INCIDENT_VERBS", "READ_ONLY_MESSAGE", "add_incident_note", "incident_ids", "preview", "update_incidents"]

READ_ONLY_MESSAGE = "read-only mode: acknowledging, resolving and notes are disabled (read_only / --read-only)"

INCIDENT_VERBS = {"acknowledged": "acknowledge", "resolved": "resolve"}
"""Target status -> the verb the preview and the audit log use."""


def incident_ids(alerts: Sequence[Alert]) -> list[str]:
    """The PagerDuty incident ids behind these alerts (fingerprints ``pd-<id>``), in order, once each."""
    seen: list[str] = []
    for alert in alerts:
        ident = alert.fingerprint.removeprefix("pd-")
        if ident not in seen:
            seen.append(ident)
    return seen


def preview(verb: str, alerts: Sequence[Alert], source: str, extra: str = "") -> str:
    """The one-line preview the user confirms with ``y``: what, which, where."""
    if len(alerts) == 1:
        alert = alerts[0]
        number = alert.labels.get("incident_number")
        which = f"#{number} {alert.name}" if number else alert.name
    else:
        which = f"{len(alerts)} incidents"
    tail = f" · {extra}" if extra else ""
    return f"{verb.capitalize()} {which} on {source}{tail}?  y: yes · any other key: no"


def _checked(source: Source, audit: AuditLog, who: str, what: str, details: dict, read_only: bool) -> SupportsIncidents:
    if read_only:
        refuse(audit, who=who, what=what, source=source.name, details=details, why=READ_ONLY_MESSAGE)
    if not isinstance(source, SupportsIncidents):
        refuse(audit, who=who, what=what, source=source.name, details=details,
               why=f"source {source.name} has no incidents to {what.split('_')[0]}")
    return source  # type: ignore[return-value]


async def update_incidents(
    source: Source, alerts: Sequence[Alert], status: str, *, read_only: bool, audit: AuditLog, who: str
) -> dict[str, str]:
    """Acknowledge or resolve the incidents behind ``alerts`` in one request; returns
    ``{incident id: status}`` as the upstream answered. Raises SourceWriteRefused / SourceError."""
    verb = INCIDENT_VERBS.get(status, status)
    what = f"{verb}_incident"
    ids = incident_ids(alerts)
    details = {"incidents": ids, "titles": [a.name for a in alerts][:20], "status": status}
    writer = _checked(source, audit, who, what, details, read_only)
    return await send_audited(
        audit, who=who, what=what, source=source.name, details=details,
        send=lambda: writer.update_incidents(ids, status),
        answered=lambda result: {"answered": result},
    )


async def add_incident_note(
    source: Source, alert: Alert, content: str, *, read_only: bool, audit: AuditLog, who: str
) -> str:
    """Add a note to the alert's incident; returns the note id the upstream gave it."""
    [ident] = incident_ids([alert])
    details = {"incident": ident, "title": alert.name, "note": content}
    writer = _checked(source, audit, who, "note_incident", details, read_only)
    return await send_audited(
        audit, who=who, what="note_incident", source=source.name, details=details,
        send=lambda: writer.add_note(ident, content),
        answered=lambda note_id: {"note_id": note_id},
    )
