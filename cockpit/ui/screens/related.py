"""What changed around an alert, for the detail screen: the rule of :mod:`cockpit.core.related`
applied to the app's current source states (no I/O), newest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from cockpit.core.models import Alert, Deploy, Pipeline, SourceState
from cockpit.core.related import changes_before, repo_service

__all__ = ["RELATED_WINDOW", "Related", "related_changes", "repo_service"]

RELATED_WINDOW = timedelta(hours=2)
"""How far before an alert's start a deploy or a pipeline failure is shown as related."""


@dataclass
class Related:
    """Deploys and failed pipelines of one service, newest first."""

    service: str | None
    deploys: list[Deploy] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)


def related_changes(alert: Alert, states: Iterable[SourceState], window: timedelta = RELATED_WINDOW) -> Related:
    """The deploys and pipeline failures of the alert's service in ``window`` before it started,
    newest first."""
    related = Related(service=alert.service)
    if alert.starts_at is None:
        return related
    items = [i for s in states for i in s.items]
    deploys, pipelines = changes_before(
        alert, (i for i in items if isinstance(i, Deploy)), (i for i in items if isinstance(i, Pipeline)),
        window=window,
    )
    related.deploys, related.pipelines = deploys[::-1], pipelines[::-1]
    return related
