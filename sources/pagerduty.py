"""Open PagerDuty incidents as alerts, and who is on call now (REST API v2).

* ``GET /incidents?statuses[]=triggered&statuses[]=acknowledged`` with classic ``offset``/``limit``
  pagination, followed while ``more`` is true for at most ``max_pages`` pages (a huge backlog never
  turns one poll into hundreds of requests; the poll then says it shows only the first ones).
* ``GET /oncalls?earliest=true``: who is on call at every escalation level, shown in the status
  bar as ``{"on call": "L1 Name (escalation policy); L2 ..."}``. A failure there does not hide
  the incidents: the poll is marked degraded instead.

The state comes from each incident's own ``status``, not from the request's filter: a
``resolved`` incident in an answer (resolved between two pages, a caching proxy) is left out.

An incident becomes an :class:`Alert` named after its title; urgency ``high`` is severity
``critical`` and ``low`` is ``warning``; an acknowledged incident stays ``firing`` with the label
``pd_status=acknowledged`` (PagerDuty has no silence). Auth is PagerDuty's own header,
``Authorization: Token token=…``, with the versioned ``Accept`` header.

For the shift report, :meth:`PagerDutySource.incident_history` reads ``GET /log_entries``
(``is_overview=true``: the trigger, acknowledge and resolve entries) over a window: each incident
triggered in it, when it was first acknowledged and by whom, and when it was resolved.

Writes (:class:`~cockpit.sources.base.SupportsIncidents`), each sent once and never retried:
``PUT /incidents/{id}`` (one incident) or ``PUT /incidents`` (several, at most 250) with
``{"type": "incident_reference", "status": "acknowledged"|"resolved"}``, and
``POST /incidents/{id}/notes`` with ``{"note": {"content": …}}``. PagerDuty requires the acting
user's email in the ``From`` header (option ``from_email``); without it a write is refused here,
before anything is sent. An error answer's ``error.message`` and ``errors`` are kept in the
error's message (what the upstream answered goes to the audit log).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import Field

from datetime import datetime

from cockpit.core.models import Alert, AlertState, FetchResult, SourceKind
from cockpit.core.times import parse_time, rfc3339
from cockpit.core.upstream_history import Incident, IncidentHistory
from cockpit.sources.base import SupportsIncidentHistory, SupportsIncidents
from cockpit.core.errors import SourceAuthError, SourceBadResponse, SourceError, SourceWriteRefused
from cockpit.sources.http import HttpOptions, HttpSource

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_URL", "MAX_UPDATE", "PagerDutyOptions", "PagerDutySource", "incident_id", "incident_to_alert"]

MAX_UPDATE = 250
"""PagerDuty updates at most this many incidents in one ``PUT /incidents``."""

DEFAULT_URL = "https://api.pagerduty.com"
ACCEPT = "application/vnd.pagerduty+json;version=2"
_SEVERITY = {"high": "critical", "low": "warning"}
_HISTORY_PAGES = 100
"""At most this many pages of log entries for one report window (10,000 entries)."""
_ON_CALL_SHOWN = 6


class PagerDutyOptions(HttpOptions):
    """Options of the ``pagerduty`` source."""

    url: str | None = DEFAULT_URL
    """The REST API base URL (EU accounts use the same one)."""
    token_env: str | None = "PAGERDUTY_TOKEN"
    """Environment variable holding the REST API key."""
    service_ids: list[str] = []
    """Only incidents of these services (PagerDuty ids such as ``PIJ90N7``); empty: all."""
    team_ids: list[str] = []
    """Only incidents of these teams; empty: all."""
    escalation_policy_ids: list[str] = []
    """Whose on-call to show: these escalation policies; empty: every policy."""
    on_call: bool = True
    """Ask ``/oncalls`` for who is on call now (shown in the status bar)."""
    page_size: int = Field(default=100, ge=1, le=100)
    """Incidents per request (PagerDuty allows at most 100)."""
    max_pages: int = Field(default=5, ge=1, le=50)
    """At most this many pages of incidents per poll."""
    from_email: str | None = None
    """Email of the PagerDuty user you act as: the ``From`` header PagerDuty requires on writes
    (acknowledge, resolve, note). Without it those writes are refused."""


def _ref_summary(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("summary") or value.get("name") or "")
    return ""


def incident_to_alert(source: str, base: str, raw: dict[str, Any]) -> Alert:
    """One PagerDuty incident object as an :class:`Alert`."""
    urgency = str(raw.get("urgency") or "")
    status = str(raw.get("status") or "triggered")
    title = str(raw.get("title") or raw.get("summary") or raw.get("id") or "(untitled incident)")
    labels = {"alertname": title, "urgency": urgency, "pd_status": status}
    service = _ref_summary(raw.get("service"))
    if service:
        labels["service"] = service
    policy = _ref_summary(raw.get("escalation_policy"))
    if policy:
        labels["escalation_policy"] = policy
    priority = _ref_summary(raw.get("priority"))
    if priority:
        labels["priority"] = priority
    if raw.get("incident_number") is not None:
        labels["incident_number"] = str(raw["incident_number"])
    annotations = {}
    assignees = [_ref_summary(a.get("assignee")) for a in raw.get("assignments") or [] if isinstance(a, dict)]
    if any(assignees):
        annotations["assigned_to"] = ", ".join(a for a in assignees if a)
    if raw.get("summary"):
        annotations["summary"] = str(raw["summary"])
    acked = [_ref_summary(a.get("acknowledger")) for a in raw.get("acknowledgements") or [] if isinstance(a, dict)]
    if any(acked):
        annotations["acknowledged_by"] = ", ".join(a for a in acked if a)
    return Alert(
        source=source,
        fingerprint=f"pd-{raw.get('id', title)}",
        name=title,
        severity=_SEVERITY.get(urgency, urgency or "none"),
        state=AlertState.FIRING,
        starts_at=parse_time(raw.get("created_at")),
        labels=labels,
        annotations=annotations,
        summary=annotations.get("summary"),
        generator_url=raw.get("html_url") or None,
        peers=[base],
    )


def incident_id(fingerprint: str) -> str:
    """The PagerDuty incident id behind an alert's fingerprint (``pd-PT4KHLK`` -> ``PT4KHLK``)."""
    return fingerprint.removeprefix("pd-")


class PagerDutySource(HttpSource, SupportsIncidentHistory, SupportsIncidents):
    """The ``pagerduty`` source: open incidents, who is on call, incident history; acknowledge, resolve, note."""

    kind = SourceKind.ALERTS
    Options = PagerDutyOptions
    options: PagerDutyOptions

    def auth_headers(self) -> dict[str, str]:
        # PagerDuty's scheme is "Token token=<key>"; the versioned Accept header rides along
        # because these headers are applied last when the client is built.
        token = self.options.resolve_token()
        headers = {"Accept": ACCEPT}
        if token:
            headers["Authorization"] = f"Token token={token}"
        return headers

    @property
    def base(self) -> str:
        endpoints = self.options.endpoints
        return endpoints[0] if endpoints else DEFAULT_URL

    async def fetch(self) -> FetchResult:
        if not self.options.resolve_token():
            name = self.options.token_env or "token_file"
            raise SourceAuthError(f"no PagerDuty API key: set {name} (or token_file)")
        jobs = [self._incidents()]
        if self.options.on_call:
            jobs.append(self._on_call())
        results = await asyncio.gather(*jobs, return_exceptions=True)
        incidents = results[0]
        if isinstance(incidents, BaseException):
            raise incidents
        alerts, truncated = incidents
        degraded = []
        if truncated:
            degraded.append(f"showing the first {len(alerts)} incidents; more are open on PagerDuty")
        info: dict[str, str] = {}
        if len(results) > 1:
            on_call = results[1]
            if isinstance(on_call, SourceError):
                degraded.append(f"on-call: {on_call.message}")
            elif isinstance(on_call, BaseException):
                raise on_call
            elif on_call:
                info["on call"] = on_call
        return FetchResult(items=alerts, info=info, degraded="; ".join(degraded) or None)

    async def _incidents(self) -> tuple[list[Alert], bool]:
        params: list[tuple[str, str | int]] = [("statuses[]", "triggered"), ("statuses[]", "acknowledged")]
        params += [("service_ids[]", s) for s in self.options.service_ids]
        params += [("team_ids[]", t) for t in self.options.team_ids]
        params += [("time_zone", "UTC"), ("limit", self.options.page_size)]
        alerts: dict[str, Alert] = {}
        offset, more = 0, True
        for _ in range(self.options.max_pages):
            page = await self._page("incidents", params + [("offset", offset)])
            raw_incidents = page.get("incidents")
            if not isinstance(raw_incidents, list):
                raise SourceBadResponse(f"{self.base}/incidents: no incidents list in the response")
            for raw in raw_incidents:
                if isinstance(raw, dict) and raw.get("status") != "resolved":
                    alert = incident_to_alert(self.name, self.base, raw)
                    alerts[alert.fingerprint] = alert  # pages can overlap when incidents move
            more = bool(page.get("more"))
            if not more or not raw_incidents:
                more = False
                break
            offset += len(raw_incidents)
        return list(alerts.values()), more

    async def _on_call(self) -> str:
        params: list[tuple[str, str | int]] = [("earliest", "true"), ("time_zone", "UTC"), ("limit", 100)]
        params += [("escalation_policy_ids[]", p) for p in self.options.escalation_policy_ids]
        page = await self._page("oncalls", params)
        entries = page.get("oncalls")
        if not isinstance(entries, list):
            raise SourceBadResponse(f"{self.base}/oncalls: no oncalls list in the response")
        found: list[tuple[int, str]] = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            level = entry.get("escalation_level")
            level = level if isinstance(level, int) else 1
            user, policy = _ref_summary(entry.get("user")), _ref_summary(entry.get("escalation_policy"))
            text = f"L{level} {user} ({policy})" if policy else f"L{level} {user}"
            if user and (level, text) not in found:
                found.append((level, text))
        names = [text for _, text in sorted(found)]
        if len(names) > _ON_CALL_SHOWN:
            return "; ".join(names[:_ON_CALL_SHOWN]) + f"; +{len(names) - _ON_CALL_SHOWN} more"
        return "; ".join(names)

    async def incident_history(self, start: datetime, end: datetime) -> IncidentHistory:
        params: list[tuple[str, str | int]] = [("since", rfc3339(start) or ""), ("until", rfc3339(end) or ""),
                                               ("is_overview", "true"), ("time_zone", "UTC"),
                                               ("limit", self.options.page_size)]
        params += [("team_ids[]", t) for t in self.options.team_ids]
        services = set(self.options.service_ids)
        entries: list[dict[str, Any]] = []
        offset = 0
        for _ in range(_HISTORY_PAGES):
            page = await self._page("log_entries", params + [("offset", offset)])
            found = page.get("log_entries")
            if not isinstance(found, list):
                raise SourceBadResponse(f"{self.base}/log_entries: no log_entries list in the response")
            entries += [e for e in found if isinstance(e, dict)]
            if not page.get("more") or not found:
                break
            offset += len(found)
        incidents: dict[str, Incident] = {}
        for entry in sorted(entries, key=lambda e: str(e.get("created_at") or "")):
            ref, at = entry.get("incident") or {}, parse_time(entry.get("created_at"))
            service = entry.get("service") or {}
            if not isinstance(ref, dict) or at is None or (services and service.get("id") not in services):
                continue
            ident, kind = str(ref.get("id") or ""), str(entry.get("type") or "")
            if kind == "trigger_log_entry" and ident not in incidents:
                incidents[ident] = Incident(ident, str(ref.get("summary") or ""), _ref_summary(service) or None, at,
                                            url=ref.get("html_url"))
            elif (incident := incidents.get(ident)) is None:
                continue  # triggered before the window
            elif kind == "acknowledge_log_entry" and incident.acknowledged_at is None:
                incident.acknowledged_at, incident.acknowledged_by = at, _ref_summary(entry.get("agent")) or None
            elif kind == "resolve_log_entry" and incident.resolved_at is None:
                incident.resolved_at = at
        return IncidentHistory(list(incidents.values()), method=f"{self.base}/log_entries (is_overview)")

    # -- writes: sent once, never retried -------------------------------------------------

    def _write_headers(self) -> dict[str, str]:
        if not (self.options.from_email or "").strip():
            raise SourceWriteRefused(
                f"pagerduty source {self.name}: set from_email (PagerDuty requires the acting user's email)")
        return {"From": self.options.from_email.strip()}  # type: ignore[union-attr]

    async def update_incidents(self, incident_ids: list[str], status: str) -> dict[str, str]:
        if status not in ("acknowledged", "resolved"):
            raise SourceWriteRefused(f"unknown incident status {status!r}")
        if not incident_ids or len(incident_ids) > MAX_UPDATE:
            raise SourceWriteRefused(f"between 1 and {MAX_UPDATE} incidents can be updated at once")
        headers = self._write_headers()
        if len(incident_ids) == 1:
            ident = incident_ids[0]
            body: dict[str, Any] = {"incident": {"type": "incident_reference", "status": status}}
            url = f"{self.base}/incidents/{quote(ident, safe='')}"
        else:
            body = {"incidents": [{"id": i, "type": "incident_reference", "status": status} for i in incident_ids]}
            url = f"{self.base}/incidents"
        data = await self._write("PUT", url, body, headers)
        found = data.get("incidents") if "incidents" in data else [data.get("incident")]
        answered: dict[str, str] = {}
        for raw in found or []:
            if isinstance(raw, dict) and raw.get("id"):
                answered[str(raw["id"])] = str(raw.get("status") or "")
        return answered

    async def add_note(self, incident_id: str, content: str) -> str:
        if not content.strip():
            raise SourceWriteRefused("a note needs some text")
        headers = self._write_headers()
        url = f"{self.base}/incidents/{quote(incident_id, safe='')}/notes"
        data = await self._write("POST", url, {"note": {"content": content}}, headers)
        note = data.get("note")
        return str(note.get("id") or "") if isinstance(note, dict) else ""

    async def _write(self, method: str, url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        from cockpit.sources.http import parse_json

        response = await self.request(method, url, json=body, headers=headers)
        data = parse_json(response, url)
        if not isinstance(data, dict):
            raise SourceBadResponse(f"{url}: expected a JSON object")
        return data

    def check_status(self, response: httpx.Response, where: str) -> None:
        """As for every HTTP source, plus PagerDuty's own words (``error.message``, ``errors``)."""
        try:
            super().check_status(response, where)
        except SourceError as exc:
            said = _error_text(response.content)
            if said:
                exc.message = f"{exc.message}: {said}"
                exc.args = (exc.message,)
            raise

    async def _page(self, path: str, params: list[tuple[str, str | int]]) -> dict[str, Any]:
        data = await self.get_json(f"{self.base}/{path}", params=params)
        if not isinstance(data, dict):
            raise SourceBadResponse(f"{self.base}/{path}: expected a JSON object")
        return data


def _error_text(body: bytes) -> str:
    """PagerDuty's error object as one short line (``Invalid Input Provided (2001): …``)."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return ""
    if not isinstance(error, dict):
        return ""
    text = str(error.get("message") or "")
    if error.get("code") is not None:
        text += f" ({error['code']})"
    details = [str(e) for e in error.get("errors") or [] if isinstance(e, (str, int, float))]
    if details:
        text += ": " + "; ".join(details)
    return " ".join(text.split())[:300]
