"""Pending and firing alerts straight from Prometheus (``/api/v1/alerts``), for setups without an
Alertmanager; Thanos Query, Mimir and Cortex answer the same API (see
:mod:`cockpit.sources.prom_api` for tenants, path prefixes and Thanos's parameters).

Several ``urls`` are the replicas of one HA pair, both evaluating the same rules: every replica
is asked at once and their alerts merged by fingerprint as for Alertmanager peers (one alert,
the earliest ``activeAt``, firing over pending, every replica in ``peers``). A dead replica
degrades the poll without failing it.

Prometheus's alerts API carries no fingerprint, so one is computed from the labels exactly as
Prometheus and Alertmanager compute theirs (FNV-1a 64 over the sorted label names and values,
each followed by a 0xff byte, printed as 16 hex digits). The same alert therefore has the same
fingerprint here and in an Alertmanager fed by this Prometheus.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import field_validator

from cockpit.core.upstream_history import AlertHistory
from cockpit.core.models import Alert, AlertState, FetchResult, RunbookRef, SourceKind
from cockpit.core.times import parse_time
from cockpit.core.errors import SourceBadResponse, SourceError
from cockpit.sources.base import SupportsAlertHistory
from cockpit.sources.http import HttpSource
from cockpit.sources.peers import ask_peers
from cockpit.sources.prom_api import PromApiOptions
from cockpit.sources.prom_history import merge_histories, read_alert_history
from cockpit.core.matchers import matchers_match, parse_matchers, validate_matcher_texts

__all__ = ["PrometheusAlertsOptions", "PrometheusAlertsSource", "label_fingerprint"]

_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = (1 << 64) - 1
_SEPARATOR = 0xFF


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """The label set's fingerprint as Prometheus and Alertmanager print it (16 hex digits)."""
    value = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode("utf-8"):
                value = ((value ^ byte) * _FNV_PRIME) & _MASK
            value = ((value ^ _SEPARATOR) * _FNV_PRIME) & _MASK
    return f"{value:016x}"


class PrometheusAlertsOptions(PromApiOptions):
    """Options of the ``prometheus-alerts`` source: ``url`` is one Prometheus, ``urls`` an HA pair."""

    include_pending: bool = True
    """Show alerts whose ``for`` duration has not elapsed yet (state ``pending``)."""
    filter: list[str] = []
    """Matchers an alert must satisfy to be shown, e.g. ``["severity!=none"]`` (applied here)."""

    coverage_series: str = "up"
    """For the shift report: a series selector with samples whenever the server was collecting;
    where it has none, the report shows a hole. Empty: holes are not looked for."""

    @field_validator("filter")
    @classmethod
    def _valid_matchers(cls, value: list[str]) -> list[str]:
        return validate_matcher_texts(value)


class PrometheusAlertsSource(HttpSource, SupportsAlertHistory):
    """The ``prometheus-alerts`` source."""

    kind = SourceKind.ALERTS
    Options = PrometheusAlertsOptions
    options: PrometheusAlertsOptions

    def auth_headers(self) -> dict[str, str]:
        return {**super().auth_headers(), **self.options.api_headers()}

    async def fetch(self) -> FetchResult:
        bases = self.options.api_bases
        if not bases:
            raise SourceError("no Prometheus url configured")
        good, reasons = await ask_peers(bases, self._replica_alerts)
        merged: dict[str, Alert] = {}
        for _base, alerts in good:
            for alert in alerts:
                known = merged.get(alert.fingerprint)
                merged[alert.fingerprint] = alert if known is None else _merge(known, alert)
        info = {"peers": f"{len(good)}/{len(bases)} up"} if len(bases) > 1 else {}
        return FetchResult(items=list(merged.values()), info=info, degraded=reasons)

    async def _replica_alerts(self, base: str) -> list[Alert]:
        data = await self.get_json(f"{base}/api/v1/alerts", params=self.options.api_params())
        if not isinstance(data, dict) or data.get("status") != "success":
            reason = data.get("error") if isinstance(data, dict) else None
            raise SourceBadResponse(f"{base}/api/v1/alerts: {reason or 'not a success response'}")
        raw_alerts = (data.get("data") or {}).get("alerts")
        if not isinstance(raw_alerts, list):
            raise SourceBadResponse(f"{base}/api/v1/alerts: no alerts list in the response")
        matchers = [m for text in self.options.filter for m in parse_matchers(text)]
        alerts = []
        for raw in raw_alerts:
            alert = self._alert(base, raw)
            if alert is None or not matchers_match(matchers, alert.labels):
                continue
            if alert.state is AlertState.PENDING and not self.options.include_pending:
                continue
            alerts.append(alert)
        return alerts

    async def alert_history(self, start: datetime, end: datetime) -> AlertHistory:
        """The window rebuilt from every replica's ALERTS and ALERTS_FOR_STATE series, merged
        (see :mod:`cockpit.sources.prom_history`); a dead replica degrades it, all dead raise."""
        matchers = [m for text in self.options.filter for m in parse_matchers(text)]

        async def replica(base: str) -> AlertHistory:
            async def query(expr: str, begin: datetime, until: datetime, step: float) -> list[dict[str, Any]]:
                params = {**self.options.api_params(), "query": expr, "start": f"{begin.timestamp():.3f}",
                          "end": f"{until.timestamp():.3f}", "step": f"{step:g}"}
                data = await self.get_json(f"{base}/api/v1/query_range", params=params)
                result = (data.get("data") or {}) if isinstance(data, dict) and data.get("status") == "success" else None
                if result is None or result.get("resultType") != "matrix" or not isinstance(result.get("result"), list):
                    reason = data.get("error") if isinstance(data, dict) else None
                    raise SourceBadResponse(f"{base}/api/v1/query_range: {reason or 'not a matrix'}")
                return result["result"]

            history = await read_alert_history(query, start, end, label_fingerprint, self.options.coverage_series)
            history.spans = [s for s in history.spans if matchers_match(matchers, s.labels)]
            return history

        good, reasons = await ask_peers(self.options.api_bases, replica)
        return merge_histories([history for _base, history in good], reasons)

    def _alert(self, base: str, raw: Any) -> Alert | None:
        if not isinstance(raw, dict):
            raise SourceBadResponse(f"{base}/api/v1/alerts: an alert is not a JSON object")
        state = raw.get("state")
        if state not in ("firing", "pending"):
            return None  # "inactive" never appears in this API; anything else is not shown
        labels = {str(k): str(v) for k, v in (raw.get("labels") or {}).items()}
        annotations = {str(k): str(v) for k, v in (raw.get("annotations") or {}).items()}
        runbook = annotations.get("runbook_url") or annotations.get("runbook")
        return Alert(
            source=self.name,
            fingerprint=label_fingerprint(labels),
            name=labels.get("alertname", "(no alertname)"),
            severity=labels.get("severity") or "none",
            state=AlertState.FIRING if state == "firing" else AlertState.PENDING,
            starts_at=parse_time(raw.get("activeAt")),
            labels=labels,
            annotations=annotations,
            summary=annotations.get("summary") or annotations.get("message") or annotations.get("description"),
            generator_url=f"{base}/alerts",
            runbook=RunbookRef(url=runbook, path=None) if runbook else None,
            peers=[base],
        )


def _merge(known: Alert, other: Alert) -> Alert:
    """One alert reported by two replicas: firing wins over pending, the earliest start is kept."""
    first = known if known.state is AlertState.FIRING or other.state is not AlertState.FIRING else other
    starts = [t for t in (known.starts_at, other.starts_at) if t is not None]
    return first.model_copy(update={"starts_at": min(starts) if starts else None,
                                    "peers": known.peers + [p for p in other.peers if p not in known.peers]})
