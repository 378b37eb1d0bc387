"""Jenkins: the last build of each job, as pipelines.

One request per poll when no ``jobs`` are configured::

    GET {url}/api/json?tree=jobs[name,fullName,url,lastBuild[…]]{0,max_jobs}

(the top-level jobs; folders have no ``lastBuild`` and are skipped: name the jobs inside them
in ``jobs`` as ``folder/job``), else one ``GET {url}/job/a/job/b/api/json?tree=…`` per job.
``tree`` asks only for the fields shown and its ``{0,N}`` range bounds the list. Auth is HTTP
basic with ``username`` and an API token (``password_env``, ``password`` or ``token``).

Builds kept are those :func:`cockpit.sources.polite.keep_runs` keeps (running, queued, failed,
unstable, aborted; successful ones only with ``include_succeeded``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, model_validator

from cockpit.core.models import FetchResult, Pipeline, RunStatus, SourceKind
from cockpit.sources.polite import PoliteHttpSource, PoliteOptions, first_line, keep_runs

__all__ = ["BUILD_TREE", "JenkinsSource", "build_status"]

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


def build_status(build: dict[str, Any]) -> RunStatus:
    """A build's status: building wins; a finished build without a result is still queued."""
    if build.get("building"):
        return RunStatus.RUNNING
    return _RESULTS.get(str(build.get("result")), RunStatus.QUEUED)


class JenkinsOptions(PoliteOptions):
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
                path = "".join(f"/job/{quote(part, safe='')}" for part in name.strip("/").split("/"))
                body = await self.get_polite_json(f"{self.root}{path}/api/json", {"tree": f"name,fullName,url,lastBuild[{BUILD_TREE}]"})
                if isinstance(body, dict):
                    jobs.append(body)
        else:
            tree = f"jobs[name,fullName,url,lastBuild[{BUILD_TREE}]]{{0,{self.options.max_jobs}}}"
            body = await self.get_polite_json(f"{self.root}/api/json", {"tree": tree})
            listed = body.get("jobs") if isinstance(body, dict) else None
            jobs = [job for job in listed or [] if isinstance(job, dict)]
        runs = [self.pipeline(job) for job in jobs if isinstance(job.get("lastBuild"), dict)]
        runs.sort(key=lambda p: p.started_at or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        return FetchResult(items=keep_runs(runs, self.options.include_succeeded))

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
