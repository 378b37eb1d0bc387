"""Which critical alerts just started firing: the ones the bell and the notification are for.

Pure logic, no Textual. A source's first data is the baseline (what was firing when the
cockpit started is not news, and it counts as seen); after that a critical alert is fresh the
first time it is seen firing, and only then.
"""

from __future__ import annotations

from cockpit.core.models import Alert, SourceState
from cockpit.widgets.alert_groups import alert_key, is_critical_firing

__all__ = ["CriticalArrivals"]


class CriticalArrivals:
    """Tracks, per source, the baseline and the alerts already announced."""

    def __init__(self, looked: set[str]) -> None:
        self.looked = looked
        """The panel's "seen" keys: a source's first alerts are added to it (not new)."""
        self._baselined: set[str] = set()
        self._rung: set[str] = set()

    def fresh(self, states: list[SourceState]) -> list[Alert]:
        """Critical alerts firing for the first time; a source's first data is the baseline."""
        fresh: list[Alert] = []
        for state in states:
            alerts = [i for i in state.items if isinstance(i, Alert)]
            if state.name not in self._baselined:
                if state.fetched_at is None and not alerts:
                    continue  # nothing known yet: the first real data is the baseline
                self._baselined.add(state.name)
                self.looked.update(alert_key(a) for a in alerts)
                self._rung.update(alert_key(a) for a in alerts if is_critical_firing(a))
                continue
            for alert in alerts:
                key = alert_key(alert)
                if key not in self._rung and is_critical_firing(alert):
                    self._rung.add(key)
                    fresh.append(alert)
        return fresh
