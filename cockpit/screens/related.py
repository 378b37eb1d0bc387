"""What changed around an alert: deploys and failed pipelines of its service just before it began.

A pure helper over the app's current source states (no I/O), used by the alert detail screen.
The service is the alert's :attr:`~cockpit.models.Alert.service` (its ``service``, ``app``,
``job`` or ``namespace`` label); a deploy matches on :attr:`Deploy.service`, a pipeline on the
last path segment of :attr:`Pipeline.repo` (``shop/checkout`` -> ``checkout``). Names compare
case-insensitively. Only runs that started within ``window`` before the alert started (and not
after it) count: a deploy after the alert began did not cause it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from cockpit.models import Alert, Deploy, Pipeline, RunStatus, SourceState

__all__ = ["RELATED_WINDOW", "Related", "alert_service", "related_changes", "repo_service"]

RELATED_WINDOW = timedelta(hours=2)
"""How far before an alert's start a deploy or a pipeline failure is shown as related."""


@dataclass
class Related:
    """Deploys and failed pipelines of one service, newest first."""

    service: str | None
    deploys: list[Deploy] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)


def alert_service(alert: Alert) -> str | None:
    """The service an alert is about (see :attr:`Alert.service`)."""
    return alert.service


def repo_service(repo: str) -> str:
    """A repository's service name: the last segment of ``group/sub/name`` (``.git`` dropped)."""
    last = repo.strip().rstrip("/").rsplit("/", 1)[-1]
    return last[:-4] if last.endswith(".git") else last


def related_changes(alert: Alert, states: Iterable[SourceState], window: timedelta = RELATED_WINDOW) -> Related:
    """The deploys and pipeline failures of the alert's service in ``window`` before it started."""
    service = alert_service(alert)
    related = Related(service=service)
    if not service or alert.starts_at is None:
        return related
    wanted = service.strip().lower()
    since, until = alert.starts_at - window, alert.starts_at

    def in_window(item: Deploy | Pipeline) -> bool:
        return item.started_at is not None and since <= item.started_at <= until

    for state in states:
        for item in state.items:
            if isinstance(item, Deploy):
                if item.service.strip().lower() == wanted and in_window(item):
                    related.deploys.append(item)
            elif isinstance(item, Pipeline):
                if (item.status is RunStatus.FAILED and repo_service(item.repo).lower() == wanted
                        and in_window(item)):
                    related.pipelines.append(item)
    related.deploys.sort(key=lambda d: d.started_at, reverse=True)  # type: ignore[arg-type, return-value]
    related.pipelines.sort(key=lambda p: p.started_at, reverse=True)  # type: ignore[arg-type, return-value]
    return related
