"""The changes that may have caused an alert. One rule, used by the alert detail, the Deploys
panel's ``⚑ suspect`` mark, the deploy detail, and triages and their export:

- **Same service.** The service is :attr:`Alert.service`; a deploy matches on
  :attr:`Deploy.service`, a pipeline on its repository's last path segment
  (``group/sub/checkout.git`` -> ``checkout``). Names compare case-insensitively.
- **Same environment when both say one.** The alert's is its ``environment`` or ``env`` label,
  a deploy's its :attr:`Deploy.environment`; ``prod``/``production``, ``stg``/``stage``/``staging``
  and ``dev``/``development`` are the same. A side that names none matches any.
- **A look-back window** (:data:`LOOK_BACK`, 2h): changes from that long before the alert's start
  up to the start are "before it"; changes after the start (up to now) are listed apart, as
  "after it started" (a failed rollback matters), never as the cause.
- **Every live alert counts**: firing, silenced or inhibited (silencing an alert does not clear
  the deploy that caused it); a pending alert has not started yet.
- Pipelines count when they failed; deploys whatever their status.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from cockpit.core.models import Alert, AlertState, Deploy, Pipeline, RunStatus

__all__ = ["LOOK_BACK", "alert_environment", "changes_after", "changes_before", "repo_service",
           "same_environment", "same_service", "suspect_alert"]

LOOK_BACK = timedelta(hours=2)
"""How long before an alert's start a change counts as "before it" (shown on screen)."""

ENV_LABELS = ("environment", "env")
"""The alert labels that name its environment, first found wins."""

_ENV_ALIASES = {"prod": "production", "prd": "production", "stg": "staging", "stage": "staging",
                "dev": "development"}
_LIVE = (AlertState.FIRING, AlertState.SILENCED, AlertState.INHIBITED)


def alert_environment(alert: Alert) -> str | None:
    """The environment an alert names (its ``environment`` or ``env`` label), else None."""
    for name in ENV_LABELS:
        value = alert.labels.get(name)
        if value:
            return value
    return None


def _env(value: str | None) -> str:
    name = (value or "").strip().lower()
    return _ENV_ALIASES.get(name, name)


def same_environment(one: str | None, other: str | None) -> bool:
    """True unless both name an environment and they differ (``prod`` is ``production``)."""
    return not _env(one) or not _env(other) or _env(one) == _env(other)


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
    end = until or alert.starts_at
    if end is None:
        return [], []
    return _between(alert, deploys, pipelines, end - window, end)


def changes_after(
    alert: Alert, deploys: Iterable[Deploy], pipelines: Iterable[Pipeline], *, until: datetime,
) -> tuple[list[Deploy], list[Pipeline]]:
    """Deploys and failed pipelines of the alert's service after it started, up to ``until``
    (now), oldest first: not its cause, but what was done since (a rollback, a failed fix)."""
    if alert.starts_at is None:
        return [], []
    later = alert.starts_at + timedelta(microseconds=1)
    return _between(alert, deploys, pipelines, later, max(until, later))


def _between(alert: Alert, deploys: Iterable[Deploy], pipelines: Iterable[Pipeline],
             start: datetime, end: datetime) -> tuple[list[Deploy], list[Pipeline]]:
    service = alert.service
    if not service:
        return [], []
    env = alert_environment(alert)
    found_d = [d for d in deploys if same_service(service, d.service) and same_environment(env, d.environment)
               and (t := d.started_at or d.finished_at) is not None and start <= t <= end]
    found_p = [p for p in pipelines if p.status == RunStatus.FAILED and same_service(service, p.repo)
               and p.started_at is not None and start <= p.started_at <= end]
    found_d.sort(key=lambda d: d.started_at or d.finished_at)  # type: ignore[arg-type, return-value]
    found_p.sort(key=lambda p: p.started_at)  # type: ignore[arg-type, return-value]
    return found_d, found_p


def suspect_alert(deploy: Deploy, alerts: Iterable[Alert], window: timedelta = LOOK_BACK) -> Alert | None:
    """The earliest live alert (firing, silenced or inhibited) of the deploy's service and
    environment that started at most ``window`` after the deploy started; None when none did."""
    if deploy.started_at is None:
        return None
    started = deploy.started_at
    after = [a for a in alerts
             if AlertState(a.state) in _LIVE and a.starts_at is not None and a.service
             and same_service(a.service, deploy.service)
             and same_environment(alert_environment(a), deploy.environment)
             and timedelta(0) <= a.starts_at - started <= window]
    return min(after, key=lambda a: a.starts_at or started) if after else None
