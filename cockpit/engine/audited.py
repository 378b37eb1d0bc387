"""One write, on record: the intent before it is sent, the outcome after.

Every write the cockpit sends (an acknowledge, a resolve, a note, a silence, an action) goes
through :func:`send_audited`, which appends two lines to the :class:`~cockpit.engine.audit.AuditLog`:

* ``result = "sending"`` (the intent) just before the request leaves (who, what, when, the details), so a crash
  or a kill mid-request still leaves a trace of what was attempted;
* then the outcome: ``ok`` with what the upstream answered, ``error`` with its one-line reason, or
  ``unknown`` when no answer came in time (the write may have landed: check before sending it
  again; it is never resent here).

A write refused before sending (read-only mode, a missing setting) is one ``refused`` line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from cockpit.core.errors import SourceError, SourceTimeout, SourceWriteRefused
from cockpit.engine.audit import AuditLog

__all__ = ["UNKNOWN_OUTCOME", "refuse", "send_audited"]

T = TypeVar("T")

UNKNOWN_OUTCOME = "no answer in time: it may or may not have been applied; check before trying again"


def refuse(audit: AuditLog, *, who: str, what: str, source: str, details: Mapping[str, Any], why: str) -> None:
    """Record a write refused before sending and raise :class:`SourceWriteRefused`."""
    audit.append(who=who, what=what, source=source, result="refused", details=details, error=why)
    raise SourceWriteRefused(why)


async def send_audited(
    audit: AuditLog,
    *,
    who: str,
    what: str,
    source: str,
    details: Mapping[str, Any],
    send: Callable[[], Awaitable[T]],
    answered: Callable[[T], Mapping[str, Any]] = lambda _result: {},
) -> T:
    """Append the intent, await ``send()`` once, append the outcome; return what it returned.

    ``answered`` turns the result into the details of the ``ok`` line (what the upstream said).
    A :class:`SourceWriteRefused` raised by ``send`` (the source refused before sending) is
    recorded as ``refused``. Errors are re-raised after they are recorded.
    """
    audit.append(who=who, what=what, source=source, result="sending", details=details)
    try:
        result = await send()
    except SourceWriteRefused as exc:
        audit.append(who=who, what=what, source=source, result="refused", details=details, error=exc.message)
        raise
    except SourceTimeout as exc:
        audit.append(who=who, what=what, source=source, result="unknown", details=details,
                     error=f"{exc.message}; {UNKNOWN_OUTCOME}")
        raise
    except SourceError as exc:
        audit.append(who=who, what=what, source=source, result="error", details=details, error=exc.message)
        raise
    audit.append(who=who, what=what, source=source, result="ok", details={**details, **answered(result)})
    return result
