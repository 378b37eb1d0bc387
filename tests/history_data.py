"""Helpers for the history and report tests: source states built from a few words, a shift player."""

from __future__ import annotations

from datetime import datetime, timedelta

from cockpit.engine.history import History
from cockpit.core.models import Alert, AlertState, Deploy, Pipeline, RunStatus, Slo, SloStatus, SourceKind, SourceState

__all__ = ["Shift", "alert", "deploy", "pipeline", "slo", "state"]


def alert(name: str, state: str = "firing", severity: str = "critical", service: str = "checkout",
          starts_at: datetime | None = None, source: str = "am", **labels: str) -> Alert:
    all_labels = {"alertname": name, "severity": severity, "service": service, **labels}
    return Alert(source=source, fingerprint=f"fp-{name}-{service}", name=name, severity=severity,
                 state=AlertState(state), labels=all_labels, starts_at=starts_at)


def deploy(service: str, started: datetime, status: str = "succeeded", version: str = "v1", source: str = "ci") -> Deploy:
    return Deploy(source=source, id=f"{service}-{version}", service=service, environment="production", version=version,
                  status=RunStatus(status), started_at=started, finished_at=started + timedelta(minutes=3))


def pipeline(repo: str, started: datetime, status: str, branch: str = "main", sha: str = "abc", source: str = "ci") -> Pipeline:
    return Pipeline(source=source, id=f"{repo}-{sha}", repo=repo, name="ci", branch=branch, commit=sha,
                    status=RunStatus(status), started_at=started)


def slo(service: str, status: str, budget: float, source: str = "prom") -> Slo:
    return Slo(source=source, id=f"{service}-availability", service=service, name="availability", objective=0.999,
               status=SloStatus(status), error_budget_remaining=budget, burn_rates={"1h": 1.0})


def state(name: str, items: list, error: str | None = None, kind: SourceKind = SourceKind.ALERTS,
          interval: float = 30.0) -> SourceState:
    return SourceState(name=name, type="test", kind=kind, items=items, error=error, interval_s=interval)


class Shift:
    """Plays polls into a History: ``shift.poll(minutes, source, items)`` records at t0 + minutes."""

    def __init__(self, history: History, t0: datetime) -> None:
        self.history, self.t0 = history, t0

    def at(self, minutes: float) -> datetime:
        return self.t0 + timedelta(minutes=minutes)

    def poll(self, minutes: float, source: str, items: list, error: str | None = None,
             kind: SourceKind = SourceKind.ALERTS) -> None:
        self.history.record(state(source, items, error, kind), self.at(minutes))

    def steady(self, start: float, end: float, source: str, items_at, step: float = 0.5,
               kind: SourceKind = SourceKind.ALERTS) -> None:
        """Poll every ``step`` minutes from ``start`` to ``end`` (inclusive); ``items_at(m)`` gives the items."""
        m = start
        while m <= end + 1e-9:
            self.poll(m, source, items_at(m), kind=kind)
            m += step
