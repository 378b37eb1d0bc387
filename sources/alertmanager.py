"""Alerts and silences from the peers of one Alertmanager HA cluster (API v2, Alertmanager >= 0.25).

Every poll asks all peers at once for ``/api/v2/alerts`` (active, silenced, inhibited and
unprocessed). Peers of one cluster usually report the same alerts; they are merged by fingerprint,
the way karma does it:

* the earliest ``startsAt`` wins (a peer that restarted saw the alert later);
* the state follows ``active`` > ``suppressed`` > ``unprocessed`` (a silence still gossiping to one
  peer must not hide a firing alert);
* ``peers`` lists every peer that reported the alert.

A dead or hung peer never hides the live one's alerts: the poll succeeds with ``degraded`` naming
the failed peer. Only when every peer fails does the poll raise (the error of the first peer, with all reasons).

Silences are written to the first peer that accepts a connection; Alertmanager gossips them to the
others. A write is sent once: it moves to the next peer only when the connection was refused, i.e.
when the request cannot have reached a server.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from pydantic import field_validator

from cockpit.core.models import Alert, AlertState, FetchResult, RunbookRef, SourceKind, share_fields_set
from cockpit.sources.alertmanager_wire import RawAlert, loose_alert, parse_alerts_body
from cockpit.sources.base import SilenceInfo, SilenceRequest, SupportsSilences
from cockpit.core.errors import (
    SourceBadResponse,
    SourceError,
    SourceOutcomeUnknown,
    SourceTimeout,
    SourceUnreachable,
)
from cockpit.sources.http import HttpOptions, HttpSource, parse_json
from cockpit.sources.peers import ask_peers, peer_reason
from cockpit.core.matchers import validate_matcher_texts
from cockpit.core.times import parse_time, rfc3339

__all__ = ["AlertmanagerOptions", "AlertmanagerSource", "alert_from_api", "merge_peer_alerts"]

_STATE_RANK = {"active": 0, "suppressed": 1, "unprocessed": 2}
_ALERT_QUERY = [("active", "true"), ("silenced", "true"), ("inhibited", "true"), ("unprocessed", "true")]


class AlertmanagerOptions(HttpOptions):
    """Options of the ``alertmanager`` source: ``urls`` are the peers of one HA cluster."""

    filter: list[str] = []
    """Matchers sent as ``filter=`` to every peer, e.g. ``["severity=~critical|warning"]``."""

    @field_validator("filter")
    @classmethod
    def _valid_matchers(cls, value: list[str]) -> list[str]:
        return validate_matcher_texts(value, single=True)


def _runbook(annotations: dict[str, str]) -> RunbookRef | None:
    url = annotations.get("runbook_url") or annotations.get("runbook")
    return RunbookRef(url=url, path=None) if url else None


def _summary(annotations: dict[str, str]) -> str | None:
    for key in ("summary", "message", "description"):
        if annotations.get(key):
            return annotations[key]
    return None


@lru_cache(maxsize=4096)
def _time(value: str) -> datetime | None:
    """parse_time memoized: alerts of one rule share their times, and then one datetime."""
    return parse_time(value)


def _when(value: Any) -> datetime | None:
    return _time(value) if isinstance(value, str) else parse_time(value)


def alert_from_api(source: str, raw: dict[str, Any] | RawAlert, peers: list[str]) -> Alert:
    """One API v2 ``GettableAlert`` (a parsed JSON object or a RawAlert) as an :class:`Alert`."""
    if not isinstance(raw, RawAlert):
        raw = loose_alert(raw)
    labels, annotations, status = raw.labels, raw.annotations, raw.status
    if status.state == "suppressed":
        # Muted by a time interval only (mutedBy, Alertmanager 0.28+): the contract's "silenced"
        # (held back by the user's own configuration, not by another alert), with muted_by
        # naming the intervals and silenced_by empty: no phantom silence.
        state = AlertState.INHIBITED if status.inhibitedBy and not status.silencedBy else AlertState.SILENCED
    else:  # active, and unprocessed (not yet seen by the dispatcher): it is firing
        state = AlertState.FIRING
    alert = Alert(
        source=source,
        fingerprint=raw.fingerprint,
        name=labels.get("alertname", "(no alertname)"),
        severity=labels.get("severity") or "none",
        state=state,
        starts_at=_when(raw.startsAt),
        ends_at=_when(raw.endsAt),
        labels=labels,
        annotations=annotations,
        summary=_summary(annotations),
        generator_url=raw.generatorURL or None,
        runbook=_runbook(annotations),
        silenced_by=status.silencedBy,
        inhibited_by=status.inhibitedBy,
        muted_by=status.mutedBy,
        peers=list(peers),
    )
    return share_fields_set(alert)  # type: ignore[return-value]


def merge_peer_alerts(source: str, per_peer: list[tuple[str, list[Any]]]) -> list[Alert]:
    """Merge the alerts each peer reported (RawAlert objects or parsed JSON objects) into one
    Alert per fingerprint.

    The peers' lists are emptied once read, and each raw alert is dropped as soon as its Alert
    is built: with 10,000 alerts, holding the raw alerts and the models at once was the poll's
    memory peak.
    """
    best: dict[str, RawAlert] = {}
    earliest: dict[str, datetime | None] = {}
    peers: dict[str, list[str]] = {}
    for peer, raw_alerts in per_peer:
        for raw in raw_alerts:
            if not isinstance(raw, RawAlert):
                if not isinstance(raw, dict):
                    raise SourceBadResponse(f"peer {peer}: an alert is not a JSON object")
                raw = loose_alert(raw)
            fingerprint = raw.fingerprint
            if not fingerprint:
                continue
            peers.setdefault(fingerprint, [])
            if peer not in peers[fingerprint]:
                peers[fingerprint].append(peer)
            started = _when(raw.startsAt)
            known = earliest.get(fingerprint)
            if fingerprint not in earliest or (started and (known is None or started < known)):
                earliest[fingerprint] = started
            current = best.get(fingerprint)
            if current is None or _rank(raw) < _rank(current):
                best[fingerprint] = raw
    for _peer, raw_alerts in per_peer:
        raw_alerts.clear()  # only ``best`` still holds the raw alerts that become models
    merged = []
    for fingerprint in list(best):
        raw = best.pop(fingerprint)
        alert = alert_from_api(source, raw, peers[fingerprint])
        alert.starts_at = earliest[fingerprint] or alert.starts_at
        merged.append(alert)
    return merged


def _rank(raw: RawAlert) -> int:
    return _STATE_RANK.get(raw.status.state, 3)


class AlertmanagerSource(HttpSource, SupportsSilences):
    """The ``alertmanager`` source: one HA cluster, its alerts merged, its silences writable."""

    kind = SourceKind.ALERTS
    Options = AlertmanagerOptions
    options: AlertmanagerOptions

    async def fetch(self) -> FetchResult:
        peers = self.options.endpoints
        if not peers:
            raise SourceError("no Alertmanager url configured")
        good, reasons = await ask_peers(peers, self._peer_alerts)
        alerts = merge_peer_alerts(self.name, good)
        info = {"peers": f"{len(good)}/{len(peers)} up"} if len(peers) > 1 else {}
        return FetchResult(items=alerts, info=info, degraded=reasons)

    async def _peer_alerts(self, peer: str) -> list[Any]:
        """One peer's alerts, parsed compactly (see sources/alertmanager_wire.py).

        The whole request has the source's ``timeout`` (httpx's own timeout is per read, and a
        stopped peer that accepted the connection would hold the poll): a hung peer fails alone,
        like a dead one, and the others' alerts are kept.
        """
        params = list(_ALERT_QUERY) + [("filter", f) for f in self.options.filter]
        url = f"{peer}/api/v2/alerts"
        response = await self._bounded_get(url, params=params)
        return parse_alerts_body(response, url)  # the body goes with the response, on return

    async def status(self) -> dict[str, Any]:
        """``/api/v2/status`` of the first live peer: version, cluster state, config."""
        return await self._first_live("GET", "/api/v2/status")

    # -- silences: writes are sent once ---------------------------------------------------------

    async def create_silence(self, request: SilenceRequest) -> str:
        body = {
            "matchers": request.matchers,
            "startsAt": rfc3339(request.starts_at),
            "endsAt": rfc3339(request.ends_at),
            "createdBy": request.created_by,
            "comment": request.comment,
        }
        if request.id:
            body["id"] = request.id  # Alertmanager replaces the silence with this id
        data = await self._first_live("POST", "/api/v2/silences", json=body)
        silence_id = data.get("silenceID") if isinstance(data, dict) else None
        if not silence_id:
            raise SourceBadResponse("Alertmanager accepted the silence but returned no silenceID")
        return str(silence_id)

    async def list_silences(self) -> list[SilenceInfo]:
        """Active and pending silences of every peer that answers (within the timeout), merged
        by id: a hung peer neither hides the others' silences nor holds the list."""
        good, _reasons = await ask_peers(self.options.endpoints, self._peer_silences)
        data = [raw for _peer, answer in good for raw in answer]
        found, seen = [], set()
        for raw in data:
            if not isinstance(raw, dict) or raw.get("id") in seen:
                continue
            seen.add(raw.get("id"))
            state = (raw.get("status") or {}).get("state", "")
            if state not in ("active", "pending"):
                continue
            found.append(
                SilenceInfo(
                    id=str(raw.get("id", "")),
                    matchers=list(raw.get("matchers") or []),
                    starts_at=parse_time(raw.get("startsAt")),
                    ends_at=parse_time(raw.get("endsAt")),
                    created_by=str(raw.get("createdBy") or ""),
                    comment=str(raw.get("comment") or ""),
                    state=state,
                )
            )
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        found.sort(key=lambda s: s.starts_at or epoch, reverse=True)
        return found

    async def _bounded_get(self, url: str, **kwargs: Any) -> Any:
        """GET with the whole request bounded by the source's timeout (a hung peer fails alone)."""
        try:
            return await asyncio.wait_for(self.request("GET", url, **kwargs), self.options.timeout)
        except asyncio.TimeoutError:
            raise SourceTimeout(f"{url}: no answer within {self.options.timeout:g}s") from None

    async def _peer_silences(self, peer: str) -> list[Any]:
        url = f"{peer}/api/v2/silences"
        data = parse_json(await self._bounded_get(url), url)
        if not isinstance(data, list):
            raise SourceBadResponse(f"{url}: expected a JSON list")
        return data

    async def expire_silence(self, silence_id: str) -> None:
        await self._first_live("DELETE", f"/api/v2/silence/{quote(silence_id, safe='')}", expect_json=False)

    async def _first_live(self, method: str, path: str, *, expect_json: bool = True, **kwargs: Any) -> Any:
        """Send to the first peer that accepts a connection; never resend once a peer got it."""
        refused: list[str] = []
        for peer in self.options.endpoints:
            try:
                response = await self.request(method, f"{peer}{path}", **kwargs)
            except SourceUnreachable as exc:
                import httpx  # here, not at the top: validating a config must not import httpx

                if isinstance(exc.__cause__, httpx.ConnectError):
                    refused.append(f"peer {peer}: {peer_reason(exc, peer + path)}")
                    continue
                if method != "GET":  # the connection broke after the request may have arrived
                    raise SourceOutcomeUnknown(exc.message) from exc
                raise
            return parse_json(response, f"{peer}{path}") if expect_json else None
        raise SourceUnreachable("no Alertmanager peer reachable: " + "; ".join(refused))


