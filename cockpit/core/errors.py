"""The one error tree every source raises; library errors are wrapped once, here, with ``from``.

::

    SourceError                 a poll or a write failed; ``message`` is one line, never a secret
    ├── SourceUnreachable       connection refused, name does not resolve, TLS failed
    ├── SourceTimeout           no answer within the source's timeout
    ├── SourceAuthError         401 / 403 (not rate limiting)
    ├── SourceRateLimited       429, or 403 with the rate-limit headers; ``retry_at`` when known
    ├── SourceBadResponse       5xx, malformed or empty body, HTML where JSON was expected, too big
    ├── SourceWriteRefused      a write refused before it left (read-only mode)
    └── SourceOutcomeUnknown    a write was sent and no answer came: it may have been applied
"""

from __future__ import annotations

from datetime import datetime

from cockpit.core.textsafe import clean_line

__all__ = [
    "SourceAuthError",
    "SourceBadResponse",
    "SourceError",
    "SourceOutcomeUnknown",
    "SourceRateLimited",
    "SourceTimeout",
    "SourceUnreachable",
    "SourceWriteRefused",
    "StorageError",
]


class StorageError(Exception):
    """A local file or directory of ours cannot be used (full disk, read-only, not a directory).

    Not a source's failure: ``message`` names the path and the reason in one line.
    """

    def __init__(self, message: str) -> None:
        self.message = " ".join(str(message).split())
        super().__init__(self.message)


class SourceError(Exception):
    """A source failed. ``message`` is shown in the status bar: one line, no secret."""

    title = "Source error"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        one_line = clean_line(message, 2000)  # upstream text in it is made inert here, once
        super().__init__(one_line)
        self.message = one_line
        if title:
            self.title = title


class SourceUnreachable(SourceError):
    title = "Unreachable"


class SourceTimeout(SourceError):
    title = "Timed out"


class SourceAuthError(SourceError):
    title = "Not authorised"


class SourceRateLimited(SourceError):
    """The upstream asked us to slow down; the poller waits until ``retry_at``."""

    title = "Rate limited"

    def __init__(self, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class SourceBadResponse(SourceError):
    title = "Bad response"

    def __init__(self, message: str, *, title: str | None = None, status: int | None = None) -> None:
        super().__init__(message, title=title)
        self.status = status
        """The HTTP status of the answer, when the answer was an HTTP error (404, 500…)."""


class SourceWriteRefused(SourceError):
    title = "Write refused"


class SourceOutcomeUnknown(SourceError):
    """A write reached (or may have reached) the upstream, and its answer did not come back.

    Never report such a write as failed: the upstream may have applied it, and a retry would
    apply it twice. Look for its effect first.
    """

    title = "Outcome unknown"
