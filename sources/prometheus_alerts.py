"""Pending and firing alerts straight from Prometheus (``/api/v1/alerts``), for setups without an
Alertmanager.

Prometheus's alerts API carries no fingerprint, so one is computed from the labels exactly as
Prometheus and Alertmanager compute theirs (FNV-1a 64 over the sorted label names and values,
each followed by a 0xff byte, printed as 16 hex digits). The same alert therefore has the same
fingerprint here and in an Alertmanager fed by this Prometheus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import field_validator

from cockpit.core.models import Alert, AlertState, FetchResult, RunbookRef, SourceKind
from cockpit.core.times import parse_time
from cockpit.core.errors import SourceBadResponse, SourceError
from cockpit.sources.http import HttpOptions, HttpSource
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


class PrometheusAlertsOptions(HttpOptions):
    """Options of the ``prometheus-alerts`` source: ``url`` is one Prometheus."""

    include_pending: bool = True
    """Show alerts whose ``for`` duration has not elapsed yet (state ``pending``)."""
    filter: list[str] = []
    """Matchers an alert must satisfy to be shown, e.g. ``["severity!=none"]`` (applied here)."""

    @field_validator("filter")
    @classmethod
    def _valid_matchers(cls, value: list[str]) -> list[str]:
        return validate_matcher_texts(value)


class PrometheusAlertsSource(HttpSource):
    """The ``prometheus-alerts`` source."""

    kind = SourceKind.ALERTS
    Options = PrometheusAlertsOptions
    options: PrometheusAlertsOptions

    async def fetch(self) -> FetchResult:
        endpoints = self.options.endpoints
        if not endpoints:
            raise SourceError("no Prometheus url configured")
        base = endpoints[0]
        data = await self.get_json(f"{base}/api/v1/alerts")
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
        return FetchResult(items=alerts)

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
