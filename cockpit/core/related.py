"""The changes that may have caused an alert: deploys and failed pipelines of its service just
before it began. One rule, used by the alert detail screen and by triages and their export.

The service is :attr:`Alert.service`; a deploy matches on :attr:`Deploy.service`, a pipeline
on its repository's last path segment (``group/sub/checkout.git`` -> ``checkout``). Names
compare case-insensitively. Only changes from ``window`` before the alert's start up to that
start count: a deploy after the alert began did not cause it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from cockpit.core.models import Alert, Deploy, Pipeline, RunStatus

__all__ = ["changes_before", "repo_service", "same_service"]


def repo_service(repo: str) -> str:
    """A repository's service name: the last segment of ``group/sub/name`` (``.git`` dropped)."""
    last = repo.strip().rstrip("/").rsplit("/", 1)[-1]
    return last[:-4] if last.endswith(".git") else last


def same_service(service: str, name: str | None) -> bool:
    """Whether a deploy's service or a pipeline's repo (``name``) is ``service``."""
    if not name:
        return False
    wanted = service.strip().lower()
    return name.strip().lower() == wanted or repo_service(name).lower() == wanted


def changes_before(
    alert: Alert, deploys: Iterable[Deploy], pipelines: Iterable[Pipeline], *,
    window: timedelta, until: datetime | None = None,
) -> tuple[list[Deploy], list[Pipeline]]:
    """Deploys and failed pipelines of the alert's service in ``window`` before ``until``
    (default: the alert's start), oldest first; nothing when the alert has no service."""
    service = alert.service
    end = until or alert.starts_at
    if not service or end is None:
        return [], []
    start = end - window
    found_d = [d for d in deploys if same_service(service, d.service)
               and (t := d.started_at or d.finished_at) is not None and start <= t <= end]
    found_p = [p for p in pipelines if p.status == RunStatus.FAILED and same_service(service, p.repo)
               and p.started_at is not None and start <= p.started_at <= end]
    found_d.sort(key=lambda d: d.started_at or d.finished_at)  # type: ignore[arg-type, return-value]
    found_p.sort(key=lambda p: p.started_at)  # type: ignore[arg-type, return-value]
    return found_d, found_p
