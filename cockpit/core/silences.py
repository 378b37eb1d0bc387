"""What the silence dialog computes from the alerts on screen: prefilled matchers, the preview."""

from __future__ import annotations

from collections.abc import Iterable

from cockpit.core.matchers import Matcher, matchers_match
from cockpit.core.models import Alert

__all__ = ["matching_alerts", "silence_matchers_for"]


def silence_matchers_for(alert: Alert, labels: Iterable[str] | None = None) -> list[Matcher]:
    """Equality matchers prefilled from an alert's labels (all of them, or only ``labels``)."""
    names = list(labels) if labels is not None else sorted(alert.labels)
    return [Matcher(name, "=", alert.labels[name]) for name in names if name in alert.labels]


def matching_alerts(alerts: Iterable[Alert], matchers: list[Matcher]) -> list[Alert]:
    """The alerts a silence with these matchers would match (the dialog's preview count)."""
    if not matchers:
        return []
    return [a for a in alerts if matchers_match(matchers, a.labels)]
