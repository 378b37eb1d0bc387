"""What the silence dialog computes from the alerts on screen: prefilled matchers, the preview."""

from __future__ import annotations

from collections.abc import Iterable

from cockpit.core.matchers import Matcher, matchers_match
from cockpit.core.models import Alert

__all__ = ["VOLATILE_LABELS", "matching_alerts", "silence_matchers_for"]

VOLATILE_LABELS = ("pod", "pod_name", "pod_ip", "instance", "container_id", "uid")
"""Labels left out of a "this alert" silence by default (``[cockpit] silence_volatile_labels``)."""


def silence_matchers_for(alert: Alert, labels: Iterable[str] | None = None,
                         volatile: Iterable[str] = VOLATILE_LABELS) -> list[Matcher]:
    """Equality matchers prefilled from an alert's labels: only ``labels`` when given, else its
    stable ones (every label but the ``volatile`` ones, which change when a pod restarts)."""
    if labels is not None:
        names = list(labels)
    else:
        drop = {name.casefold() for name in volatile}
        names = [name for name in sorted(alert.labels) if name.casefold() not in drop]
    return [Matcher(name, "=", alert.labels[name]) for name in names if name in alert.labels]


def matching_alerts(alerts: Iterable[Alert], matchers: list[Matcher]) -> list[Alert]:
    """The alerts a silence with these matchers would match (the dialog's preview count)."""
    if not matchers:
        return []
    return [a for a in alerts if matchers_match(matchers, a.labels)]
