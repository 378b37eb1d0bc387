"""The part of Alertmanager's ``GET /api/v2/alerts`` answer the cockpit reads, parsed compactly.

With 10,000 alerts, ``json.loads`` builds about 19 MB of generic dicts and lists (``receivers``,
``updatedAt``... included) that were alive next to the models painted from the cache and the
new models: the TUI's memory peak. pydantic-core validates the body straight into these small
slotted dataclasses instead: unknown keys are skipped while parsing, repeated strings
(label names and values) are shared, and no intermediate dict exists.

Only a well-formed answer takes that path. Anything it rejects (an empty or HTML body,
malformed JSON, a wrong shape, a label value that is not a string...) is parsed again the old,
lenient way, so error messages and the tolerance for odd values stay exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from cockpit.core.errors import SourceBadResponse

if TYPE_CHECKING:
    import httpx
    from pydantic import TypeAdapter

__all__ = ["RawAlert", "RawStatus", "loose_alert", "parse_alerts_body", "str_map"]


@dataclass(slots=True)
class RawStatus:
    """``status`` of a GettableAlert (field names as on the wire)."""

    state: str = "active"
    silencedBy: list[str] = field(default_factory=list)  # noqa: N815 - wire name
    inhibitedBy: list[str] = field(default_factory=list)  # noqa: N815 - wire name
    mutedBy: list[str] = field(default_factory=list)  # noqa: N815 - wire name (Alertmanager 0.28+: time intervals)


@dataclass(slots=True)
class RawAlert:
    """One GettableAlert, only the fields an :class:`~cockpit.core.models.Alert` is built from.

    pydantic fills it strictly from a well-formed body; :func:`loose_alert` may leave odd
    upstream values (a number as ``startsAt``, None as ``state``) for the merge to cope with.
    """

    fingerprint: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    startsAt: str | None = None  # noqa: N815 - wire name
    endsAt: str | None = None  # noqa: N815 - wire name
    generatorURL: str | None = None  # noqa: N815 - wire name
    status: RawStatus = field(default_factory=RawStatus)


@cache
def _adapter() -> TypeAdapter[list[RawAlert]]:
    """Built on the first poll, not at import: building the validator costs start-up time."""
    from pydantic import ConfigDict, TypeAdapter

    return TypeAdapter(list[RawAlert], config=ConfigDict(strict=True, cache_strings=True))


def parse_alerts_body(response: httpx.Response, url: str) -> list[RawAlert] | list[Any]:
    """The alerts of one peer's answer.

    Returns RawAlert objects for a well-formed answer; otherwise the leniently parsed JSON list
    (its items are checked and converted by the merge, as before). Raises SourceBadResponse,
    in one line, for a body that is not a JSON list.
    """
    from pydantic import ValidationError

    try:
        return _adapter().validate_json(response.content)
    except ValidationError:
        pass  # not a well-formed answer: the lenient path says what is wrong, as it always did
    from cockpit.sources.http import parse_json

    data = parse_json(response, url)
    if not isinstance(data, list):
        raise SourceBadResponse(f"{url}: expected a JSON list of alerts")
    return data


def str_map(value: Any) -> dict[str, str]:
    """A JSON object as a str -> str map (None becomes ""); anything else as an empty map."""
    if not isinstance(value, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def loose_alert(raw: dict[str, Any]) -> RawAlert:
    """A leniently parsed alert object as a RawAlert, with the tolerance the source always had."""
    status = raw.get("status") if isinstance(raw.get("status"), dict) else {}
    return RawAlert(
        fingerprint=str(raw.get("fingerprint") or ""),
        labels=str_map(raw.get("labels")),
        annotations=str_map(raw.get("annotations")),
        startsAt=raw.get("startsAt"),
        endsAt=raw.get("endsAt"),
        generatorURL=raw.get("generatorURL"),
        status=RawStatus(
            state=status.get("state", "active"),
            silencedBy=[str(s) for s in status.get("silencedBy") or []],
            inhibitedBy=[str(s) for s in status.get("inhibitedBy") or []],
            mutedBy=[str(s) for s in status.get("mutedBy") or []],
        ),
    )
