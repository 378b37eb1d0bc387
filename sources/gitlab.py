"""GitLab (gitlab.com or self-managed): pipelines and deployments of the configured projects.

Per poll and per project (every GET conditional; the token goes in the ``PRIVATE-TOKEN`` header):

* ``GET /api/v4/projects/{id}`` once per source lifetime for a numeric id, for the project path;
* ``GET /api/v4/projects/{id}/pipelines?order_by=id&sort=desc&per_page=…`` (``&ref=`` per
  configured branch), then ``GET …/pipelines/{pipeline_id}`` for the pipelines kept (the list
  lacks the user and the duration);
* ``GET /api/v4/projects/{id}/deployments?order_by=updated_at&sort=desc&per_page=…``;
* for a failed pipeline, once (:mod:`cockpit.sources.failures`):
  ``GET …/pipelines/{pipeline_id}/jobs?scope[]=failed&per_page=100``, its failed jobs (those
  allowed to fail left out) with their stage and ``failure_reason``. A failed deployment names
  its job from its own ``deployable``, without a request.

Pipelines kept are those :func:`cockpit.sources.polite.keep_runs` keeps: running and queued ones, and per
ref and pipeline name (or trigger source) the newest finished one unless it succeeded.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from pydantic import Field

from cockpit.core.models import Deploy, FailedJob, FetchResult, Pipeline, RunStatus, SourceKind
from cockpit.sources.failures import FailedJobOptions, FailureLookups, Lookup
from cockpit.sources.polite import FINAL, PoliteHttpSource, first_line, keep_runs
from cockpit.core.times import parse_time, rfc3339
from cockpit.sources.base import SupportsRunHistory

__all__ = ["GitLabSource", "failed_job", "status_of"]

_STATUSES = {
    "success": RunStatus.SUCCEEDED,
    "failed": RunStatus.FAILED,
    "running": RunStatus.RUNNING,
    "canceled": RunStatus.CANCELLED,
    "canceling": RunStatus.CANCELLED,
    "skipped": RunStatus.CANCELLED,
}


def status_of(value: Any) -> RunStatus:
    """A pipeline or deployment status; created, pending, manual, scheduled, blocked… are queued."""
    return _STATUSES.get(str(value), RunStatus.QUEUED)


def failed_job(job: dict[str, Any]) -> FailedJob:
    """A failed job as the cockpit says it: name, stage, ``failure_reason``, its page."""
    return FailedJob(name=str(job.get("name") or f"job {job.get('id')}"), stage=job.get("stage") or None,
                     reason=job.get("failure_reason") or None, url=job.get("web_url"))


class GitLabOptions(FailedJobOptions):
    """Options of a ``gitlab`` source."""

    url: str | None = "https://gitlab.com"
    """GitLab base URL (self-managed: ``https://gitlab.example.com``)."""
    projects: list[int | str] = Field(min_length=1)
    """Projects as numeric ids or ``group/name`` paths."""
    branches: list[str] = []
    """Refs whose pipelines are shown; default: every ref."""
    deployments: int = Field(default=10, ge=0, le=100)
    """How many most recently updated deployments of each project to show (0: none)."""
    include_succeeded: bool = False
    """Also keep the newest successful pipeline of each ref."""


_HISTORY_PAGES = 20
"""At most this many pages (of 100) of deployments, and of pipelines per branch, for one report."""


class GitLabSource(PoliteHttpSource, SupportsRunHistory):
    """Pipelines and deployments of GitLab projects."""

    kind = SourceKind.PIPELINES
    provides = (SourceKind.DEPLOYS,)
    Options = GitLabOptions
    options: GitLabOptions
    default_token_envs = ("GITLAB_TOKEN",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._paths: dict[str, str] = {}
        self.failures = FailureLookups(self.options.failed_runs_per_poll)

    def auth_headers(self) -> dict[str, str]:
        token = self.options.resolve_token(self.default_token_envs)
        return {"PRIVATE-TOKEN": token} if token else {}

    @property
    def web(self) -> str:
        return self.options.endpoints[0]

    def project_url(self, project: int | str) -> str:
        """The API URL of a project: a path is URL-encoded whole (``group%2Fname``)."""
        return f"{self.web}/api/v4/projects/{quote(str(project), safe='')}"

    async def fetch(self) -> FetchResult:
        items: list[Deploy | Pipeline] = []
        lookups: list[Lookup] = []
        for project in self.options.projects:
            path = await self.path_of(project)
            items.extend(await self.pipelines(project, path, lookups))
            items.extend(await self.deploys(project, path))
        problems = await self.failures.attach(lookups)
        return FetchResult(items=items, degraded="; ".join(problems) or None)

    async def path_of(self, project: int | str) -> str:
        """``group/name`` of a project, asked once when the config gives a numeric id."""
        key = str(project)
        if not key.isdigit():
            return key
        if key not in self._paths:
            body = await self.get_polite_json(self.project_url(project))
            found = body.get("path_with_namespace") if isinstance(body, dict) else None
            self._paths[key] = str(found or key)
        return self._paths[key]

    async def pipelines(self, project: int | str, path: str, lookups: list[Lookup] | None = None) -> list[Pipeline]:
        """The pipelines kept, each with its details; a failed one's jobs lookup goes in ``lookups``."""
        url = f"{self.project_url(project)}/pipelines"
        found: list[Pipeline] = []
        for ref in self.options.branches or [None]:
            params: dict[str, Any] = {"order_by": "id", "sort": "desc", "per_page": self.options.per_page}
            if ref:
                params["ref"] = ref
            rows = await self.paginate(url, params)
            found.extend(self.pipeline(path, row) for row in rows if isinstance(row, dict))
        kept = keep_runs(found, self.options.include_succeeded)
        detailed = []
        for pipeline in kept:
            pipeline_url = f"{url}/{pipeline.id.rsplit('#', 1)[1]}"
            detail = await self.get_polite_json(pipeline_url)
            detailed.append(self.pipeline(path, detail) if isinstance(detail, dict) else pipeline)
            if lookups is not None and detailed[-1].status == RunStatus.FAILED:
                updated = detail.get("updated_at") if isinstance(detail, dict) else None  # new on a retry
                lookups.append(Lookup(f"{detailed[-1].id}@{updated}", detailed[-1], partial(self._failed_jobs, pipeline_url)))
        return detailed

    async def _failed_jobs(self, pipeline_url: str) -> list[FailedJob]:
        """The pipeline's failed jobs, first failed first; a job allowed to fail did not fail it."""
        rows = await self.get_polite_json(f"{pipeline_url}/jobs", {"scope[]": "failed", "per_page": 100})
        jobs = [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
        failed = [job for job in jobs if job.get("status") == "failed" and not job.get("allow_failure")]
        return [failed_job(job) for job in sorted(failed, key=lambda job: str(job.get("id")).zfill(20))]

    def pipeline(self, path: str, row: dict[str, Any]) -> Pipeline:
        user = row.get("user") or {}
        duration = row.get("duration")
        return Pipeline(
            source=self.name,
            id=f"{path}#{row.get('id')}",
            repo=path,
            name=str(row.get("name") or row.get("source") or "pipeline"),
            branch=row.get("ref"),
            commit=row.get("sha"),
            status=status_of(row.get("status")),
            started_at=parse_time(row.get("started_at")) or parse_time(row.get("created_at")),
            duration_s=float(duration) if isinstance(duration, (int, float)) else None,
            author=user.get("name") or user.get("username"),
            url=row.get("web_url"),
        )

    async def deploys(self, project: int | str, path: str) -> list[Deploy]:
        if self.options.deployments == 0:
            return []
        params = {"order_by": "updated_at", "sort": "desc", "per_page": self.options.deployments}
        rows = await self.paginate(f"{self.project_url(project)}/deployments", params, max_pages=1)
        return [self.deploy(path, row) for row in rows[: self.options.deployments] if isinstance(row, dict)]

    def deploy(self, path: str, row: dict[str, Any]) -> Deploy:
        job = row.get("deployable") or {}
        commit = job.get("commit") or {}
        environment = row.get("environment") or {}
        status = status_of(row.get("status"))
        sha = str(row.get("sha") or "")
        version = row.get("ref") if job.get("tag") else (commit.get("short_id") or sha[:8] or None)
        user = row.get("user") or {}
        finished = parse_time(row.get("finished_at")) or parse_time(job.get("finished_at"))
        return Deploy(
            source=self.name,
            id=f"{path}#{row.get('id')}",
            service=path.rsplit("/", 1)[-1],
            environment=environment.get("name"),
            version=version,
            status=status,
            started_at=parse_time(job.get("started_at")) or parse_time(row.get("created_at")),
            finished_at=finished if status in FINAL else None,
            author=user.get("name") or user.get("username"),
            url=job.get("web_url") or environment.get("external_url") or f"{self.web}/{path}/-/environments",
            description=first_line(commit.get("title") or commit.get("message")),
            commit=sha or None,
            committed_at=parse_time(commit.get("committed_date") or commit.get("created_at")),
            failed_jobs=[failed_job(job)] if status == RunStatus.FAILED and job.get("name") else [],
        )

    async def run_history(self, start: datetime, end: datetime) -> list[Deploy | Pipeline]:
        """Deployments and default-branch pipelines updated in the window (``updated_after`` and
        ``updated_before``, oldest first), for the shift report's DORA figures; the deployed
        commit's time comes with each deployment (``deployable.commit.committed_date``)."""
        window = {"updated_after": rfc3339(start), "updated_before": rfc3339(end), "per_page": 100, "sort": "asc"}
        items: list[Deploy | Pipeline] = []
        for project in self.options.projects:
            path = await self.path_of(project)
            rows = await self.paginate(f"{self.project_url(project)}/deployments", {**window, "order_by": "updated_at"},
                                       max_pages=_HISTORY_PAGES)
            items += [self.deploy(path, row) for row in rows if isinstance(row, dict)]
            for ref in self.options.branches or [None]:
                params: dict[str, Any] = {**window, "order_by": "id", **({"ref": ref} if ref else {})}
                rows = await self.paginate(f"{self.project_url(project)}/pipelines", params, max_pages=_HISTORY_PAGES)
                items += [self._listed_pipeline(path, row) for row in rows if isinstance(row, dict)]
        return items

    def _listed_pipeline(self, path: str, row: dict[str, Any]) -> Pipeline:
        """A pipeline from the listing, which has no duration: a finished one's is taken as
        created to last updated (queue time included), rather than one request per pipeline."""
        pipeline = self.pipeline(path, row)
        created, updated = parse_time(row.get("created_at")), parse_time(row.get("updated_at"))
        if pipeline.duration_s is None and pipeline.status in FINAL and created and updated and updated >= created:
            pipeline.duration_s = (updated - created).total_seconds()
        return pipeline
