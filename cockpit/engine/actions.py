"""The write path: silences created and expired on behalf of the user, deliberately and on record.

The app calls these after the user confirmed. Each function:

* refuses with :class:`~cockpit.core.errors.SourceWriteRefused` when ``read_only`` is set (the config's
  ``read_only`` or ``--read-only``), before anything leaves the machine;
* sends the write once: a failure is reported, never retried (a retried POST can create two
  silences; the user decides whether to try again);
* appends every attempt to the :class:`~cockpit.engine.audit.AuditLog`: the intent (``sending``)
  before anything leaves, so a process killed mid-request still left a trace, then the outcome
  (``ok``, ``error``, ``refused`` or ``unknown``);
* on a write whose answer never came (a timeout: the upstream may have applied it), looks for its
  effect (the silence by matchers, comment and author) before saying anything: found, it is
  reported created; not found, :class:`~cockpit.core.errors.SourceOutcomeUnknown` says so and
  that the user should check before retrying.

The dialog's helpers (matchers prefilled from an alert, the preview of what they match) are in
:mod:`cockpit.core.silences`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cockpit.engine.audit import AuditLog
from cockpit.core.models import utcnow
from cockpit.sources.base import SilenceInfo, SilenceRequest, Source, SupportsSilences
from cockpit.core.errors import SourceError, SourceOutcomeUnknown, SourceTimeout, SourceWriteRefused
from cockpit.core.matchers import Matcher

__all__ = [
    "READ_ONLY_MESSAGE",
    "create_silence",
    "default_author",
    "expire_silence",
    "find_silence",
    "list_silences",
    "silence_request",
]

READ_ONLY_MESSAGE = "read-only mode: silences and other writes are disabled (read_only / --read-only)"

_IDENTITY_LABELS = ("alertname", "severity", "namespace", "service", "job", "instance", "pod", "cluster")


def default_author() -> str:
    """Who the user is, for ``createdBy`` and the audit log (the login name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def silence_request(
    matchers: list[Matcher],
    *,
    duration_s: float,
    comment: str,
    created_by: str | None = None,
    starts_at: datetime | None = None,
) -> SilenceRequest:
    """A silence from now (or ``starts_at``) for ``duration_s`` seconds."""
    start = starts_at or utcnow()
    return SilenceRequest(
        matchers=[m.to_api() for m in matchers],
        starts_at=start,
        ends_at=start + timedelta(seconds=duration_s),
        created_by=created_by or default_author(),
        comment=comment,
    )


def _silence_details(request: SilenceRequest) -> dict[str, Any]:
    return {
        "matchers": [str(Matcher.from_api(m)) for m in request.matchers],
        "starts_at": request.starts_at.isoformat(),
        "ends_at": request.ends_at.isoformat(),
        "comment": request.comment,
        **({"replaces": request.id} if request.id else {}),
    }


def _refuse(audit: AuditLog, who: str, what: str, source: Source, details: Mapping[str, Any], why: str) -> None:
    audit.append(who=who, what=what, source=source.name, result="refused", details=details, error=why)
    raise SourceWriteRefused(why)


def _writer(source: Source, audit: AuditLog, who: str, what: str, details: Mapping[str, Any]) -> SupportsSilences:
    if not isinstance(source, SupportsSilences):
        _refuse(audit, who, what, source, details, f"source {source.name} cannot silence alerts")
    return source  # type: ignore[return-value]


def _validation_problem(request: SilenceRequest) -> str | None:
    if not request.matchers:
        return "a silence needs at least one matcher"
    if not request.comment.strip():
        return "a silence needs a comment"
    if not request.created_by.strip():
        return "a silence needs an author"
    if request.ends_at <= request.starts_at:
        return "a silence must end after it starts"
    try:
        matchers = [Matcher.from_api(m) for m in request.matchers]
    except ValueError as exc:
        return f"bad matcher: {exc}"
    if all(m.matches({}) for m in matchers):
        return "the matchers would match every alert; add a matcher that needs a label"
    return None


async def create_silence(
    source: Source, request: SilenceRequest, *, read_only: bool, audit: AuditLog, what: str = "create_silence"
) -> str:
    """Create the silence once and return its id.

    Raises :class:`SourceWriteRefused` in read-only mode, for a source that cannot silence, or for
    an invalid request (no comment, no matcher, matches everything); a
    :class:`~cockpit.core.errors.SourceError` when the upstream failed. Never retries.
    """
    who, details = request.created_by, _silence_details(request)
    if read_only:
        _refuse(audit, who, what, source, details, READ_ONLY_MESSAGE)
    writer = _writer(source, audit, who, what, details)
    problem = _validation_problem(request)
    if problem:
        _refuse(audit, who, what, source, details, problem)
    audit.append(who=who, what=what, source=source.name, result="sending", details=details)
    try:
        silence_id = await writer.create_silence(request)
    except (SourceTimeout, SourceOutcomeUnknown) as exc:
        audit.append(who=who, what=what, source=source.name, result="unknown", details=details, error=exc.message)
        found = await _look_for(source, request)
        if found is None:
            raise SourceOutcomeUnknown(
                f"outcome unknown ({exc.message}); the silence was not found on the peers that answered,"
                " but it may still appear: check the silences before you retry"
            ) from exc
        silence_id = found.id
        details = {**details, "found_after": "unknown"}
    except SourceError as exc:
        audit.append(who=who, what=what, source=source.name, result="error", details=details, error=exc.message)
        raise
    audit.append(who=who, what=what, source=source.name, result="ok", details={**details, "silence_id": silence_id})
    return silence_id


def _same_silence(silence: SilenceInfo, request: SilenceRequest) -> bool:
    def key(matchers: Iterable[Mapping[str, Any]]) -> set[str]:
        return {str(Matcher.from_api(dict(m))) for m in matchers}

    try:
        same_matchers = key(silence.matchers) == key(request.matchers)
    except ValueError:
        return False
    return same_matchers and silence.comment == request.comment and silence.created_by == request.created_by


async def find_silence(source: Source, request: SilenceRequest) -> SilenceInfo | None:
    """The active or pending silence with the request's matchers, comment and author, or None
    (what a write whose answer never came may have created). Raises SourceError when the
    silences cannot be listed."""
    return next((s for s in await list_silences(source) if _same_silence(s, request)), None)


async def _look_for(source: Source, request: SilenceRequest) -> SilenceInfo | None:
    try:
        return await find_silence(source, request)
    except SourceError:
        return None  # cannot look: the outcome stays unknown


async def expire_silence(
    source: Source, silence_id: str, *, read_only: bool, audit: AuditLog, who: str | None = None
) -> None:
    """Expire one silence now; refused in read-only mode; recorded in the audit log."""
    who, what, details = who or default_author(), "expire_silence", {"silence_id": silence_id}
    if read_only:
        _refuse(audit, who, what, source, details, READ_ONLY_MESSAGE)
    writer = _writer(source, audit, who, what, details)
    audit.append(who=who, what=what, source=source.name, result="sending", details=details)
    try:
        await writer.expire_silence(silence_id)
    except (SourceTimeout, SourceOutcomeUnknown) as exc:
        audit.append(who=who, what=what, source=source.name, result="unknown", details=details, error=exc.message)
        try:
            still = any(s.id == silence_id for s in await list_silences(source))
        except SourceError:
            still = True
        if still:
            raise SourceOutcomeUnknown(
                f"outcome unknown ({exc.message}); the silence still shows as active: check before you retry"
            ) from exc
    except SourceError as exc:
        audit.append(who=who, what=what, source=source.name, result="error", details=details, error=exc.message)
        raise
    audit.append(who=who, what=what, source=source.name, result="ok", details=details)


async def list_silences(source: Source) -> list[SilenceInfo]:
    """The source's active and pending silences (a read: allowed in read-only mode, not audited)."""
    if not isinstance(source, SupportsSilences):
        return []
    return await source.list_silences()
