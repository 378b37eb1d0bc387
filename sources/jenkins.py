"""Jenkins: the last build of each job, as pipelines.

One request per poll when no ``jobs`` are configured::

    GET {url}/api/json?tree=jobs[name,fullName,url,lastBuild[…]]{0,max_jobs}

(the top-level jobs; folders have no ``lastBuild`` and are skipped: name the jobs inside them
in ``jobs`` as ``folder/job``), else one ``GET {url}/job/a/job/b/api/json?tree=…`` per job.
``tree`` asks only for the fields shown and its ``{0,N}`` range bounds the list. Auth is HTTP
basic with ``username`` and an API token (``password_env``, ``password`` or ``token``).

Builds kept are those :func:`cockpit.sources.polite.keep_runs` keeps (running, queued, failed,
unstable, aborted; successful ones only with ``include_succeeded``).

Where a failed build failed, once per build (:mod:`cockpit.sources.failures`), from the Pipeline
Stage View plugin's REST API: ``GET {job}/{number}/wfapi/describe`` (its ``stages``; the FAILED
ones, else the UNSTABLE ones), then for each such stage (at most :data:`STAGES_LOOKED_INTO`)
``GET {job}/{number}/execution/node/{id}/wfapi/describe``, whose failed ``stageFlowNodes`` entry
names the step and its ``error.message``. A Jenkins without the plugin, or a freestyle job,
answers 404: the build then simply has no failed stage.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, model_validator

from cockpit.core.errors import SourceError, SourceRateLimited
from cockpit.core.models import FailedJob, FetchResult, Pipeline, RunStatus, SourceKind
from cockpit.sources.failures import FailedJobOptions, FailureLookups, Lookup
from cockpit.sources.polite import PoliteHttpSource, first_line, keep_runs

__all__ = ["BUILD_TREE", "STAGES_LOOKED_INTO", "JenkinsSource", "build_status", "failed_stages", "job_path"]

BUILD_TREE = (
    "number,result,timestamp,duration,building,url,"
    "changeSets[items[author[fullName],commitId,msg]],changeSet[items[author[fullName],commitId,msg]]"
)
"""The fields of a build asked for (``changeSets`` for Pipeline jobs, ``changeSet`` for freestyle)."""

_RESULTS = {
    "SUCCESS": RunStatus.SUCCEEDED,
    "FAILURE": RunStatus.FAILED,
    "UNSTABLE": RunStatus.FAILED,
    "ABORTED": RunStatus.CANCELLED,
    "NOT_BUILT": RunStatus.CANCELLED,
}


STAGES_LOOKED_INTO = 3
"""Failed stages (parallel branches) of one build whose failed step is asked for."""


def job_path(full_name: str) -> str:
    """``folder/app`` -> ``/job/folder/job/app``, each part URL-encoded."""
    return "".join(f"/job/{quote(part, safe='')}" for part in full_name.strip("/").split("/"))


def failed_stages(describe: Any) -> list[dict[str, Any]]:
    """The stages of a run's ``wfapi/describe`` that failed (else those unstable), in order."""
    stages = [s for s in (describe.get("stages") if isinstance(describe, dict) else None) or [] if isinstance(s, dict)]
    return [s for s in stages if s.get("status") == "FAILED"] or [s for s in stages if s.get("status") == "UNSTABLE"]


def _failed_step(node: Any) -> dict[str, Any]:
    """The step of a stage node's describe that failed: the one with an ``error``, else the last failed."""
    flow = [n for n in (node.get("stageFlowNodes") if isinstance(node, dict) else None) or [] if isinstance(n, dict)]
    failed = [n for n in flow if n.get("status") in ("FAILED", "UNSTABLE")]
    return next((n for n in failed if isinstance(n.get("error"), dict)), failed[-1] if failed else {})


def build_status(build: dict[str, Any]) -> RunStatus:
    """A build's status: building wins; a finished build without a result is still queued."""
    if build.get("building"):
        return RunStatus.RUNNING
    return _RESULTS.get(str(build.get("result")), RunStatus.QUEUED)


class JenkinsOptions(FailedJobOptions):
    """Options of a ``jenkins`` source."""

    jobs: list[str] = []
    """Jobs to watch, ``folder/job`` for nested ones; default: every top-level job."""
    max_jobs: int = Field(default=200, ge=1, le=5000)
    """At most this many top-level jobs are listed (the ``{0,N}`` range of ``tree``)."""
    include_succeeded: bool = False
    """Also show jobs whose last build succeeded."""

    @model_validator(mode="after")
    def _needs_url_and_user(self) -> "JenkinsOptions":
        if not self.endpoints:
            raise ValueError("url is required (the Jenkins root, e.g. https://ci.example.com)")
        has_secret = self.token or self.token_env or self.token_file or self.password or self.password_env
        if has_secret and not self.username:
            raise ValueError("username is required with an API token (Jenkins uses basic auth)")
        return self


class JenkinsSource(PoliteHttpSource):
    """Last builds of Jenkins jobs."""

    kind = SourceKind.PIPELINES
    Options = JenkinsOptions
    options: JenkinsOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures = FailureLookups(self.options.failed_runs_per_poll)

    def auth_headers(self) -> dict[str, str]:
        return {}  # basic auth, set on the client below: never a bearer header

    def _build_client(self) -> httpx.AsyncClient:
        client = super()._build_client()
        if self.options.username:
            secret = self.options.resolve_password() or self.options.resolve_token() or ""
            client.auth = httpx.BasicAuth(self.options.username, secret)
        return client

    @property
    def root(self) -> str:
        return self.options.endpoints[0]

    async def fetch(self) -> FetchResult:
        jobs: list[dict[str, Any]] = []
        if self.options.jobs:
            for name in self.options.jobs:
                body = await self.get_polite_json(f"{self.root}{job_path(name)}/api/json",
                                                  {"tree": f"name,fullName,url,lastBuild[{BUILD_TREE}]"})
                if isinstance(body, dict):
                    jobs.append(body)
        else:
            tree = f"jobs[name,fullName,url,lastBuild[{BUILD_TREE}]]{{0,{self.options.max_jobs}}}"
            body = await self.get_polite_json(f"{self.root}/api/json", {"tree": tree})
            listed = body.get("jobs") if isinstance(body, dict) else None
            jobs = [job for job in listed or [] if isinstance(job, dict)]
        runs = [self.pipeline(job) for job in jobs if isinstance(job.get("lastBuild"), dict)]
        runs.sort(key=lambda p: p.started_at or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        kept = keep_runs(runs, self.options.include_succeeded)
        problems = await self.failures.attach([Lookup(run.id, run, partial(self.failed_stages, run.id)) for run in kept])
        return FetchResult(items=kept, degraded="; ".join(problems) or None)

    async def failed_stages(self, build_id: str) -> list[FailedJob]:
        """Which stages of the build ``folder/job#number`` failed, and the step in each."""
        full, _, number = build_id.rpartition("#")
        build = f"{self.root}{job_path(full)}/{quote(number, safe='')}"
        found = []
        for index, stage in enumerate(failed_stages(await self.get_polite_json(f"{build}/wfapi/describe"))):
            step: dict[str, Any] = {}
            if index < STAGES_LOOKED_INTO and stage.get("id") is not None:
                node = f"{build}/execution/node/{quote(str(stage['id']), safe='')}/wfapi/describe"
                try:
                    step = _failed_step(await self.get_polite_json(node))
                except SourceRateLimited:
                    raise
                except SourceError:
                    step = {}  # the stage is known; only its step is not
            error = step.get("error") if isinstance(step.get("error"), dict) else {}
            found.append(FailedJob(name=str(stage.get("name") or f"stage {stage.get('id')}"), kind="stage",
                                   step=str(step["name"]) if step.get("name") else None,
                                   reason=error.get("message") or (None if stage.get("status") == "FAILED" else "unstable")))
        return found

    def pipeline(self, job: dict[str, Any]) -> Pipeline:
        build = job["lastBuild"]
        full = str(job.get("fullName") or job.get("name") or "?")
        folder, _, name = full.rpartition("/")
        change = self._last_change(build)
        stamp = build.get("timestamp")
        status = build_status(build)
        duration = build.get("duration")
        finished = status not in (RunStatus.RUNNING, RunStatus.QUEUED)
        return Pipeline(
            source=self.name,
            id=f"{full}#{build.get('number')}",
            repo=folder or (httpx.URL(self.root).host or self.name),
            name=name,
            commit=change.get("commitId"),
            status=status,
            started_at=datetime.fromtimestamp(stamp / 1000, timezone.utc) if isinstance(stamp, (int, float)) else None,
            duration_s=duration / 1000 if finished and isinstance(duration, (int, float)) and duration > 0 else None,
            author=(change.get("author") or {}).get("fullName"),
            url=build.get("url") or job.get("url"),
            message=first_line(change.get("msg")),
        )

    @staticmethod
    def _last_change(build: dict[str, Any]) -> dict[str, Any]:
        """The newest commit of the build's change sets (empty when the build had none)."""
        sets = build.get("changeSets") or ([build["changeSet"]] if build.get("changeSet") else [])
        items = [item for change_set in sets if isinstance(change_set, dict) for item in change_set.get("items") or []]
        return items[-1] if items and isinstance(items[-1], dict) else {}
