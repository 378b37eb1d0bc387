"""What changed around an alert, for the detail screen: the rule of :mod:`cockpit.core.related`
applied to the app's current source states (no I/O), newest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cockpit.core.models import Alert, Deploy, Pipeline, SourceState, utcnow
from cockpit.core.related import LOOK_BACK, alert_environment, changes_after, changes_before, repo_service

__all__ = ["RELATED_WINDOW", "Related", "related_changes", "repo_service"]

RELATED_WINDOW = LOOK_BACK
"""How far before an alert's start a deploy or a pipeline failure is shown as related."""


@dataclass
class Related:
    """Deploys and failed pipelines of one service: before the alert, and after it started."""

    service: str | None
    environment: str | None = None
    deploys: list[Deploy] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)
    after_deploys: list[Deploy] = field(default_factory=list)
    """Since the alert started (not its cause: a rollback, a failed fix), newest first."""
    after_pipelines: list[Pipeline] = field(default_factory=list)


def related_changes(alert: Alert, states: Iterable[SourceState], window: timedelta = RELATED_WINDOW,
                    now: datetime | None = None) -> Related:
    """The deploys and pipeline failures of the alert's service (and environment) in ``window``
    before it started, and those since, newest first."""
    related = Related(service=alert.service, environment=alert_environment(alert))
    if alert.starts_at is None:
        return related
    items = [i for s in states for i in s.items]
    deploys = [i for i in items if isinstance(i, Deploy)]
    pipelines = [i for i in items if isinstance(i, Pipeline)]
    before_d, before_p = changes_before(alert, deploys, pipelines, window=window)
    after_d, after_p = changes_after(alert, deploys, pipelines, until=now or utcnow())
    related.deploys, related.pipelines = before_d[::-1], before_p[::-1]
    related.after_deploys, related.after_pipelines = after_d[::-1], after_p[::-1]
    return related
