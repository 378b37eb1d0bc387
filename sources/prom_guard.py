"""How the prometheus-slo source reads answers through prometheus-api-client (requests).

The client raises one exception type with the status and body in its text, drops the headers
of failed answers and reads bodies of any size; these helpers put the project's error tree and
body cap in front of it.
"""

from __future__ import annotations

import io
import re
from typing import Any

import requests

from cockpit.core.errors import (
    SourceAuthError,
    SourceBadResponse,
    SourceError,
    SourceRateLimited,
)
from cockpit.sources.http import MAX_BODY_BYTES, format_retry_at, retry_after

__all__ = ["api_error", "guard_response", "retry_kwargs"]

def api_error(where: str, text: str) -> SourceError:
    """Map prometheus-api-client's "HTTP Status Code N (body)" to the error tree."""
    match = re.search(r"HTTP Status Code (\d+)", text)
    code = int(match.group(1)) if match else 0
    detail = ""
    start = text.find('"error":"')
    if start >= 0:  # the body arrives as a bytes repr: quotes inside are escaped once or twice
        reason = text[start + 9 :].split('"}', 1)[0].split('","', 1)[0]
        detail = ": " + reason.replace("\\\\", "\\").replace('\\"', '"')[:200]
    if code == 429:
        return SourceRateLimited(f"{where}: rate limited (HTTP 429)")
    if code in (401, 403):
        return SourceAuthError(f"{where}: HTTP {code} (check the credentials)")
    return SourceBadResponse(f"{where}: HTTP {code or '?'}{detail}")


def retry_kwargs(exc: SourceError) -> dict[str, Any]:
    return {"retry_at": exc.retry_at} if isinstance(exc, SourceRateLimited) else {}


def guard_response(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A requests hook: read at most MAX_BODY_BYTES, and refuse the answers the client garbles.

    prometheus-api-client drops the headers of a failed answer (so Retry-After would be lost) and
    reads bodies of any size; this runs before it sees the response.
    """
    code = response.status_code
    if code == 429:
        when = retry_after(response)  # type: ignore[arg-type]
        hint = f", retry after {format_retry_at(when)}" if when else ""
        raise SourceRateLimited(f"rate limited (HTTP 429){hint}", retry_at=when)
    if code in (401, 403):
        raise SourceAuthError(f"HTTP {code} (check the credentials)")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise SourceBadResponse(f"body of {declared} bytes is too large")
    body = response.raw.read(MAX_BODY_BYTES + 1, decode_content=True) or b""
    if len(body) > MAX_BODY_BYTES:
        response.close()
        raise SourceBadResponse(f"body larger than {MAX_BODY_BYTES} bytes")
    response.raw = io.BytesIO(body)  # requests reads .content from here: what was read, decoded
    if 200 <= code < 300:
        if not body.strip():
            raise SourceBadResponse("empty body where JSON was expected")
        if body.lstrip()[:1] == b"<":
            raise SourceBadResponse("HTML page where JSON was expected")
    return response
