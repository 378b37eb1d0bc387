"""Argo CD: every application's sync history as deploys, and a sync in progress as a running one.

One request per poll: ``GET /api/v1/applications`` with a bearer token (``token_env`` defaults
to ``ARGOCD_AUTH_TOKEN``, the variable the argocd CLI reads) and a ``fields`` parameter naming
only what is shown, so a server with hundreds of applications sends a few hundred bytes each.
Argo CD sends no ETag and does not paginate this list; the polite layer still honours a proxy's
429/Retry-After and an ETag if one is added in front.

What becomes a deploy:

* each entry of ``status.history`` (a finished sync): succeeded, from ``deployStartedAt`` to
  ``deployedAt``, version = the revision (a short sha, or a chart version as given);
* ``status.operationState`` with phase ``Running`` (running) or ``Terminating`` (cancelled);
* ``status.operationState`` with phase ``Failed``/``Error`` newer than the last history entry
  (a failed sync never reaches the history), failed, with Argo CD's message as description.

For the shift report, :meth:`ArgoCdSource.run_history` takes every entry Argo CD keeps (its
``revisionHistoryLimit``, 10 by default), not only the newest ``history``, and keeps those of the
window; each carries its full revision as ``commit`` (Argo CD does not know the commit's time).

The newest deploy of each application carries its sync and health status as description
(``sync OutOfSync, health Degraded``); service = the application name, environment = the
destination namespace (or the destination cluster name when there is no namespace).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from pydantic import Field, model_validator

from cockpit.core.models import Deploy, FetchResult, Pipeline, RunStatus, SourceKind
from cockpit.core.errors import SourceBadResponse
from cockpit.core.times import parse_time
from cockpit.sources.base import SupportsRunHistory
from cockpit.sources.polite import PoliteHttpSource, PoliteOptions

__all__ = ["ArgoCdSource", "FIELDS", "short_revision"]

FIELDS = ",".join([
    "items.metadata.name",
    "items.metadata.namespace",
    "items.spec.destination",
    "items.status.sync.status",
    "items.status.health.status",
    "items.status.history",
    "items.status.operationState.phase",
    "items.status.operationState.message",
    "items.status.operationState.startedAt",
    "items.status.operationState.finishedAt",
    "items.status.operationState.operation.sync.revision",
    "items.status.operationState.operation.initiatedBy",
    "items.status.operationState.syncResult.revision",
])
"""The ``fields`` projection asked for: nothing the deploys panel does not show."""

_SHA = re.compile(r"^[0-9a-f]{40}$")
_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


def short_revision(revision: Any) -> str | None:
    """A git sha shortened to 7 characters; a Helm chart version or tag as given."""
    if not revision:
        return None
    text = str(revision)
    return text[:7] if _SHA.match(text) else text


def _who(initiated: Any) -> str | None:
    if not isinstance(initiated, dict):
        return None
    return initiated.get("username") or ("automated sync" if initiated.get("automated") else None)


def _credit_operation(state: Any, history: list[Deploy]) -> None:
    """Give the history entry the last operation produced its author.

    Argo CD's ``status.history`` entries often carry no ``initiatedBy``, while
    ``status.operationState.operation.initiatedBy`` says who started the last sync (a user, or
    the automated sync policy) whatever its phase. The entry it produced is the newest one with
    the operation's revision.
    """
    if not isinstance(state, dict) or state.get("phase") != "Succeeded":
        return
    operation = state.get("operation") or {}
    author = _who(operation.get("initiatedBy"))
    revision = short_revision((state.get("syncResult") or {}).get("revision") or (operation.get("sync") or {}).get("revision"))
    if not author or not revision:
        return
    entry = next((d for d in history if d.version == revision), None)  # history is newest first
    if entry is not None and entry.author is None:
        entry.author = author


class ArgoCdOptions(PoliteOptions):
    """Options of an ``argocd`` source."""

    projects: list[str] = []
    """Only applications of these Argo CD projects (default: every project the token sees)."""
    selector: str | None = None
    """A label selector the server filters applications with, e.g. ``team=payments``."""
    history: int = Field(default=5, ge=1, le=50)
    """How many of each application's newest history entries become deploys."""

    @model_validator(mode="after")
    def _needs_url(self) -> "ArgoCdOptions":
        if not self.endpoints:
            raise ValueError("url is required (the Argo CD server, e.g. https://argocd.example.com)")
        return self


class ArgoCdSource(PoliteHttpSource, SupportsRunHistory):
    """Deploys of the applications of one Argo CD server."""

    kind = SourceKind.DEPLOYS
    Options = ArgoCdOptions
    options: ArgoCdOptions
    default_token_envs = ("ARGOCD_AUTH_TOKEN",)

    async def fetch(self) -> FetchResult:
        return await self._applications(self.options.history)

    async def run_history(self, start: datetime, end: datetime) -> list[Deploy | Pipeline]:
        """Every sync Argo CD still lists that started (else finished) in [start, end]."""
        result = await self._applications(None)
        return [d for d in result.items if isinstance(d, Deploy)
                and (when := d.started_at or d.finished_at) is not None and start <= when <= end]

    async def _applications(self, limit: int | None) -> FetchResult:
        base = self.options.endpoints[0]
        params: dict[str, Any] = {"fields": FIELDS}
        if self.options.projects:
            params["projects"] = self.options.projects
        if self.options.selector:
            params["selector"] = self.options.selector
        body = await self.get_polite_json(f"{base}/api/v1/applications", params)
        apps = body.get("items") if isinstance(body, dict) else None
        if apps is None and isinstance(body, dict):
            apps = []  # Argo CD omits "items" when there are no applications
        if not isinstance(apps, list):
            raise SourceBadResponse(f"{base}/api/v1/applications: expected an object with an items list")
        deploys: list[Deploy] = []
        out_of_sync = degraded = 0
        for app in apps:
            if not isinstance(app, dict):
                continue
            status = app.get("status") or {}
            out_of_sync += (status.get("sync") or {}).get("status") == "OutOfSync"
            degraded += (status.get("health") or {}).get("status") == "Degraded"
            deploys.extend(self.app_deploys(base, app, limit))
        deploys.sort(key=lambda d: d.started_at or d.finished_at or _EPOCH, reverse=True)
        info = {"apps": str(len(apps)), "out of sync": str(out_of_sync), "degraded": str(degraded)}
        return FetchResult(items=deploys, info=info)

    def app_deploys(self, base: str, app: dict[str, Any], limit: int | None = None) -> list[Deploy]:
        meta, spec, status = app.get("metadata") or {}, app.get("spec") or {}, app.get("status") or {}
        name = str(meta.get("name") or "?")
        destination = spec.get("destination") or {}
        common = {
            "source": self.name,
            "service": name,
            "environment": destination.get("namespace") or destination.get("name"),
            "url": f"{base}/applications/{name}",
        }
        history = [h for h in status.get("history") or [] if isinstance(h, dict)]
        history.sort(key=lambda h: parse_time(h.get("deployedAt")) or _EPOCH, reverse=True)
        found = [
            Deploy(
                **common,
                id=f"{name}#{entry.get('id')}",
                version=short_revision(entry.get("revision") or (entry.get("revisions") or [None])[0]),
                status=RunStatus.SUCCEEDED,
                started_at=parse_time(entry.get("deployStartedAt")),
                finished_at=parse_time(entry.get("deployedAt")),
                author=_who(entry.get("initiatedBy")),
                commit=entry.get("revision") or (entry.get("revisions") or [None])[0],
            )
            for entry in history[:limit]
        ]
        _credit_operation(status.get("operationState"), found)
        operation = self.operation_deploy(common, name, status.get("operationState"), found)
        if operation is not None:
            found.insert(0, operation)
        if found:
            sync = (status.get("sync") or {}).get("status") or "Unknown"
            health = (status.get("health") or {}).get("status") or "Unknown"
            summary = f"sync {sync}, health {health}"
            newest = found[0]
            newest.description = f"{newest.description}; {summary}" if newest.description else summary
        return found

    def operation_deploy(self, common: dict[str, Any], name: str, state: Any, history: list[Deploy]) -> Deploy | None:
        """The sync in progress, or a failed sync newer than the last successful one."""
        if not isinstance(state, dict):
            return None
        phase = state.get("phase")
        started = parse_time(state.get("startedAt"))
        finished = parse_time(state.get("finishedAt"))
        if phase in ("Running", "Terminating"):
            status = RunStatus.RUNNING if phase == "Running" else RunStatus.CANCELLED
        elif phase in ("Failed", "Error"):
            last = history[0].finished_at if history else None
            if last and finished and finished <= last:
                return None
            status = RunStatus.FAILED
        else:
            return None
        operation = state.get("operation") or {}
        revision = (state.get("syncResult") or {}).get("revision") or (operation.get("sync") or {}).get("revision")
        return Deploy(
            **common,
            id=f"{name}#op-{state.get('startedAt')}",
            version=short_revision(revision),
            status=status,
            started_at=started,
            finished_at=finished if status is not RunStatus.RUNNING else None,
            author=_who(operation.get("initiatedBy")),
            description=state.get("message") or None,
        )
