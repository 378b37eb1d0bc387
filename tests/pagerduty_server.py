"""A loopback HTTP server answering like PagerDuty's REST API v2, for the pagerduty source's tests.

It serves ``GET /incidents`` and ``GET /oncalls`` the way the public API reference documents them:
``Authorization: Token token=<key>`` required (401 with an ``error`` object otherwise), classic
pagination (``offset``, ``limit`` capped at 100, ``more``, ``total`` null unless ``total=true``),
``statuses[]`` and ``service_ids[]`` filters, incident objects with ``service`` /
``escalation_policy`` references, and 429 carrying ``ratelimit-*`` headers (plus ``Retry-After``
when asked). Every request is recorded (the toolkit's :class:`tests.loopback.Request`, in
``requests``) so tests can assert what the source sent.

Writes as the reference documents them: ``PUT /incidents/{id}`` (``{"incident": {"type":
"incident_reference", "status": ...}}``), ``PUT /incidents`` (``{"incidents": [...]}``, at most
250) and ``POST /incidents/{id}/notes`` (``{"note": {"content": ...}}``). Each requires the
``From`` header naming a user of the account (400, code 2016, without it; 400, code 1008, for an
unknown email); an unknown incident is 404 (code 2100); a bad body is 400 (code 2001).

Served by the tests' one HTTP toolkit (:class:`tests.loopback.Served`).
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from tests.loopback import Answer, Request, Served

__all__ = ["PagerDutyServer", "make_incident", "make_log_entry", "make_oncall"]


def _ref(kind: str, ident: str, summary: str) -> dict[str, Any]:
    return {
        "id": ident,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"https://api.pagerduty.com/{kind}s/{ident}",
        "html_url": f"https://acme.pagerduty.com/{kind}s/{ident}",
    }


def make_incident(
    number: int,
    title: str,
    *,
    status: str = "triggered",
    urgency: str = "high",
    service: str = "Checkout API",
    service_id: str = "PSVC001",
    created_at: str = "2026-11-27T08:00:00Z",
    assignee: str | None = "Ada Lovelace",
) -> dict[str, Any]:
    """An incident object shaped like the API reference's example."""
    ident = f"PINC{number:04d}"
    return {
        "id": ident,
        "type": "incident",
        "summary": f"[#{number}] {title}",
        "self": f"https://api.pagerduty.com/incidents/{ident}",
        "html_url": f"https://acme.pagerduty.com/incidents/{ident}",
        "incident_number": number,
        "title": title,
        "created_at": created_at,
        "updated_at": created_at,
        "status": status,
        "incident_key": f"key-{number}",
        "service": _ref("service", service_id, service),
        "assignments": [{"at": created_at, "assignee": _ref("user", "PUSR001", assignee)}] if assignee else [],
        "acknowledgements": [],
        "last_status_change_at": created_at,
        "urgency": urgency,
        "escalation_policy": _ref("escalation_policy", "PEP0001", "Checkout Escalation"),
        "teams": [],
        "priority": None,
        "alert_counts": {"all": 1, "triggered": 1 if status == "triggered" else 0, "resolved": 0},
    }


def make_oncall(user: str, policy: str, level: int = 1) -> dict[str, Any]:
    return {
        "user": _ref("user", f"PUSR{zlib.crc32(user.encode()) % 1000:03d}", user),
        "schedule": _ref("schedule", "PSCH001", "Primary rotation"),
        "escalation_policy": _ref("escalation_policy", f"PEP{zlib.crc32(policy.encode()) % 1000:03d}", policy),
        "escalation_level": level,
        "start": "2026-11-27T00:00:00Z",
        "end": "2026-11-28T00:00:00Z",
    }


@dataclass
class PagerDutyServer(Served):
    """The fake API: set ``incidents``/``oncalls``; ``fail_next`` queues forced answers;
    ``start()`` serves it on a :class:`tests.loopback.Loopback` (``url``, ``requests``)."""

    token: str = "test-pd-token"
    incidents: list[dict[str, Any]] = field(default_factory=list)
    oncalls: list[dict[str, Any]] = field(default_factory=list)
    log_entries: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    """(path, status, headers) answered once, in order, instead of the real response."""
    users: dict[str, str] = field(default_factory=lambda: {"ada@example.com": "Ada Lovelace"})
    """Email -> name of the account's users (who may appear in the From header)."""
    notes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Notes created, per incident id."""
    write_delay_s: float = 0.0
    """Wait this long before answering a write (a slow upstream; the write still lands)."""
    read_delay_s: float = 0.0
    """Wait this long before answering a read (a slow poll)."""

    def writes(self) -> list[Request]:
        """The PUT and POST requests received, in order."""
        return [r for r in self.requests if r.method != "GET"]

    def answer(self, request: Request) -> Answer:
        if self.fail_next and self.fail_next[0][0] == request.path:
            _, status, headers = self.fail_next.pop(0)
            message = "Rate Limit Exceeded" if status == 429 else "Forced failure"
            return Answer(status, {"error": {"message": message}}, dict(headers))
        if request.headers.get("authorization") != f"Token token={self.token}":
            return Answer(401, {"error": {"message": "Unauthorized", "code": 2006}})
        if request.method != "GET":
            return self._write(request)
        time.sleep(self.read_delay_s)
        query = request.query
        if request.path == "/incidents":
            statuses = set(query.get("statuses[]", [])) or {"triggered", "acknowledged", "resolved"}
            services = set(query.get("service_ids[]", []))
            found = [
                i for i in self.incidents
                if i["status"] in statuses and (not services or i["service"]["id"] in services)
            ]
            return Answer(200, _paginate("incidents", found, query))
        if request.path == "/oncalls":
            policies = set(query.get("escalation_policy_ids[]", []))
            found = [o for o in self.oncalls if not policies or o["escalation_policy"]["id"] in policies]
            return Answer(200, _paginate("oncalls", found, query))
        if request.path == "/log_entries":  # newest first, as PagerDuty lists them
            since, until = query.get("since", [""])[0], query.get("until", ["9999"])[0]
            found = sorted((e for e in self.log_entries if since <= e["created_at"] <= until),
                           key=lambda e: e["created_at"], reverse=True)
            return Answer(200, _paginate("log_entries", found, query))
        return Answer(404, {"error": {"message": "Not Found", "code": 2100}})

    # ----- writes -------------------------------------------------------------------
    def _write(self, request: Request) -> Answer:
        if self.write_delay_s:
            time.sleep(self.write_delay_s)
        try:
            body = request.json()
        except ValueError:
            body = None  # not JSON: answered as a bad body below
        sender = request.headers.get("From")
        if not sender:
            return Answer(400, _error("Invalid Input Provided", 2016,
                                      "the From header must name a user's email address"))
        if sender not in self.users:
            return Answer(400, _error("Requester User Not Found", 1008))
        segments = request.path.strip("/").split("/")
        if request.method == "PUT" and segments == ["incidents"]:
            updates = body.get("incidents") if isinstance(body, dict) else None
            if not isinstance(updates, list) or not updates:
                return Answer(400, _error("Invalid Input Provided", 2001, "incidents must be a list"))
            if len(updates) > 250:
                return Answer(413, _error("Request Entity Too Large", 2001))
            changed = []
            for update in updates:
                incident = self._incident(update.get("id") if isinstance(update, dict) else None)
                problem = _update_problem(update)
                if incident is None or problem:
                    return Answer(404 if incident is None else 400,
                                  _error("Not Found", 2100) if incident is None else problem)
                changed.append(self._apply(incident, update["status"], sender))
            return Answer(200, {"incidents": changed, "limit": 25, "offset": 0, "more": False, "total": None})
        if request.method == "PUT" and len(segments) == 2 and segments[0] == "incidents":
            incident = self._incident(segments[1])
            if incident is None:
                return Answer(404, _error("Not Found", 2100))
            update = body.get("incident") if isinstance(body, dict) else None
            problem = _update_problem(update)
            if problem:
                return Answer(400, problem)
            return Answer(200, {"incident": self._apply(incident, update["status"], sender)})
        if request.method == "POST" and len(segments) == 3 and segments[::2] == ["incidents", "notes"]:
            incident = self._incident(segments[1])
            if incident is None:
                return Answer(404, _error("Not Found", 2100))
            note = body.get("note") if isinstance(body, dict) else None
            if not isinstance(note, dict) or not isinstance(note.get("content"), str):
                return Answer(400, _error("Invalid Input Provided", 2001, "note.content is required"))
            notes = self.notes.setdefault(incident["id"], [])
            created = {"id": f"PNOTE{len(notes) + 1:03d}", "content": note["content"],
                       "user": _ref("user", "PUSR001", self.users[sender]),
                       "channel": {"summary": "The PagerDuty website or APIs"},
                       "created_at": "2026-11-27T09:31:00Z"}
            notes.append(created)
            return Answer(200, {"note": created})
        return Answer(404, _error("Not Found", 2100))

    def _incident(self, ident: Any) -> dict[str, Any] | None:
        return next((i for i in self.incidents if i["id"] == ident), None)

    def _apply(self, incident: dict[str, Any], status: str, sender: str) -> dict[str, Any]:
        incident["status"] = status
        if status == "acknowledged":
            incident["acknowledgements"] = [{"at": "2026-11-27T09:31:00Z",
                                             "acknowledger": _ref("user", "PUSR001", self.users[sender])}]
        if status == "resolved":
            incident["assignments"], incident["acknowledgements"] = [], []
        return incident


def _error(message: str, code: int, *errors: str) -> dict[str, Any]:
    return {"error": {"message": message, "code": code, "errors": list(errors)}}


def _update_problem(update: Any) -> dict[str, Any] | None:
    if not isinstance(update, dict) or update.get("type") not in ("incident", "incident_reference"):
        return _error("Invalid Input Provided", 2001, "type must be incident or incident_reference")
    if update.get("status") not in ("acknowledged", "resolved", "triggered"):
        return _error("Invalid Input Provided", 2001, "status is not a valid incident status")
    return None


def _paginate(key: str, items: list[dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
    offset = int(query.get("offset", ["0"])[0])
    limit = min(int(query.get("limit", ["25"])[0]), 100)
    page = items[offset : offset + limit]
    wants_total = query.get("total", ["false"])[0] == "true"
    return {
        key: page,
        "limit": limit,
        "offset": offset,
        "more": offset + limit < len(items),
        "total": len(items) if wants_total else None,
    }


def make_log_entry(kind: str, incident_id: str, title: str, at: str, agent: str = "PagerDuty",
                   service: str = "checkout") -> dict[str, Any]:
    """One log entry as ``GET /log_entries`` returns it (``kind``: trigger, acknowledge, resolve)."""
    return {
        "id": f"R{incident_id}{kind[:3].upper()}{at[11:19].replace(':', '')}",
        "type": f"{kind}_log_entry",
        "summary": f"{kind.title()}d through the API.",
        "created_at": at,
        "agent": _ref("user", "PUSER1", agent),
        "channel": {"type": "api"},
        "service": _ref("service", f"PSVC{service.upper()[:3]}", service),
        "incident": {**_ref("incident", incident_id, title),
                     "html_url": f"https://example.pagerduty.com/incidents/{incident_id}"},
        "teams": [],
    }
