"""GitHub (and GitHub Enterprise): Actions workflow runs as pipelines, Deployments as deploys.

Per poll and per repo (every GET conditional, so an idle repo costs no rate limit):

* ``GET /repos/{repo}`` once per source lifetime when no ``branches`` are configured, for the
  repo's ``default_branch``;
* ``GET /repos/{repo}/actions/runs?branch=…&per_page=…&exclude_pull_requests=true`` per branch;
* ``GET /repos/{repo}/deployments?per_page=…``, then the newest status of each deployment
  (``…/deployments/{id}/statuses?per_page=1``).

One failing request degrades only what it was for: a deployment whose statuses cannot be read
(404 after it was deleted, say) is left out, a repo whose runs cannot be read shows its
deployments, and the poll says which and why in ``degraded``. An auth or rate-limit answer, or
every request failing, fails the poll.

A run's ``name`` is its workflow's name, null when the workflow file has none: then the
workflow's file (``path``, ``.github/workflows/build.yml@main`` -> ``build.yml``) names it, as
GitHub's UI does; ``display_title`` is the run's own title (commit or PR), used for the message.

Where a failed run failed: for each failed run, and each failed deployment whose status links
to a workflow run, ``GET /repos/{repo}/actions/runs/{run_id}/jobs?filter=latest&per_page=100``
once (:mod:`cockpit.sources.failures`): the jobs that failed (conclusion ``failure``,
``timed_out``, ``startup_failure``; cancelled ones only when none did) and in each the step that
failed.

Which runs are kept: the Pipelines panel is about what needs attention, so a poll returns every
running or queued run, and for each workflow and branch its newest finished run when that run
failed or was cancelled. A failure followed by a success is resolved and is dropped; set
``include_succeeded`` to also keep the newest successful run of each workflow and branch.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, field_validator

from cockpit.core.errors import SourceAuthError, SourceError, SourceRateLimited
from cockpit.core.models import Deploy, FailedJob, FetchResult, Pipeline, RunStatus, SourceKind
from cockpit.sources.failures import FailedJobOptions, FailureLookups, Lookup
from cockpit.sources.polite import FINAL, PoliteHttpSource, first_line, keep_runs
from cockpit.core.times import parse_time, rfc3339
from cockpit.sources.base import SupportsRunHistory

__all__ = ["GitHubSource", "deployment_status", "failed_jobs", "run_status", "workflow_name"]

_RUN_CONCLUSIONS = {
    "success": RunStatus.SUCCEEDED,
    "neutral": RunStatus.SUCCEEDED,
    "skipped": RunStatus.SUCCEEDED,
    "failure": RunStatus.FAILED,
    "timed_out": RunStatus.FAILED,
    "startup_failure": RunStatus.FAILED,
    "cancelled": RunStatus.CANCELLED,
    "stale": RunStatus.CANCELLED,
    "action_required": RunStatus.QUEUED,
}
_DEPLOY_STATES = {
    "success": RunStatus.SUCCEEDED,
    "inactive": RunStatus.SUCCEEDED,  # superseded by a later deploy: it did succeed
    "error": RunStatus.FAILED,
    "failure": RunStatus.FAILED,
    "in_progress": RunStatus.RUNNING,
    "queued": RunStatus.QUEUED,
    "pending": RunStatus.QUEUED,
}
_VERSION_REF = re.compile(r"^v?\d[\w.+-]*$")
_JOB_FAILED = ("failure", "timed_out", "startup_failure")
_STEP_STOPPED = ("timed_out", "cancelled")
_RUN_LINK = re.compile(r"/([\w.-]+/[\w.-]+)/actions/runs/(\d+)(?:[/?#]|$)")


def failed_jobs(body: Any) -> list[FailedJob]:
    """The failed jobs of a ``…/actions/runs/{id}/jobs`` answer, each with the step that failed
    (conclusion ``failure``, else the step that timed out or was cancelled); cancelled jobs only
    when no job failed (a failing matrix cancels its siblings)."""
    jobs = [job for job in (body.get("jobs") if isinstance(body, dict) else None) or [] if isinstance(job, dict)]
    chosen = [job for job in jobs if job.get("conclusion") in _JOB_FAILED]
    found = []
    for job in chosen or [job for job in jobs if job.get("conclusion") == "cancelled"]:
        steps = [step for step in job.get("steps") or [] if isinstance(step, dict)]
        step = (next((s for s in steps if s.get("conclusion") == "failure"), None)
                or next((s for s in steps if s.get("conclusion") in _STEP_STOPPED), None) or {})
        number = step.get("number")
        conclusion = str(job.get("conclusion"))
        found.append(FailedJob(
            name=str(job.get("name") or f"job {job.get('id')}"),
            step=str(step["name"]) if step.get("name") else None,
            step_number=number if isinstance(number, int) and not isinstance(number, bool) else None,
            reason=None if conclusion == "failure" else conclusion.replace("_", " "),
            url=job.get("html_url"),
        ))
    return found


def run_status(run: dict[str, Any]) -> RunStatus:
    """A workflow run's status (``status`` while unfinished, ``conclusion`` once completed)."""
    if run.get("status") == "completed":
        return _RUN_CONCLUSIONS.get(str(run.get("conclusion")), RunStatus.FAILED)
    if run.get("status") == "in_progress":
        return RunStatus.RUNNING
    return RunStatus.QUEUED  # queued, requested, waiting, pending


def workflow_name(run: dict[str, Any]) -> str:
    """The run's workflow: its ``name``, else its file's name from ``path``, else its id."""
    if run.get("name"):
        return str(run["name"])
    path = str(run.get("path") or "").split("@", 1)[0].rstrip("/")
    if path:
        return path.rsplit("/", 1)[-1]
    if run.get("workflow_id") is not None:
        return f"workflow {run['workflow_id']}"
    return "workflow"


def deployment_status(state: str | None) -> RunStatus:
    """A deployment status ``state``; a deployment without any status is still queued."""
    return _DEPLOY_STATES.get(state or "pending", RunStatus.QUEUED)


class GitHubOptions(FailedJobOptions):
    """Options of a ``github`` source."""

    url: str | None = "https://api.github.com"
    """API base URL; GitHub Enterprise Server: ``https://ghe.example/api/v3``."""
    repos: list[str] = Field(min_length=1)
    """Repositories as ``owner/name``."""
    branches: list[str] = []
    """Branches whose workflow runs are shown; default: each repo's default branch."""
    per_page: int = Field(default=30, ge=1, le=100)
    """Workflow runs asked for per page (newest first)."""
    deployments: int = Field(default=10, ge=0, le=100)
    """How many newest deployments of each repo to show (each costs one status request; 0: none)."""
    include_succeeded: bool = False
    """Also keep the newest successful run of each workflow and branch."""

    @field_validator("repos")
    @classmethod
    def _owner_slash_name(cls, repos: list[str]) -> list[str]:
        for repo in repos:
            if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
                raise ValueError(f"{repo!r} is not owner/name")
        return repos


_HISTORY_PAGES = 5
"""At most this many pages (of 100) of workflow runs per branch, and of deployments, for one report."""


class GitHubSource(PoliteHttpSource, SupportsRunHistory):
    """Workflow runs and deployments of GitHub repositories."""

    kind = SourceKind.PIPELINES
    provides = (SourceKind.DEPLOYS,)
    Options = GitHubOptions
    options: GitHubOptions
    default_token_envs = ("GITHUB_TOKEN", "GH_TOKEN")
    extra_headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._default_branches: dict[str, str] = {}
        self.failures = FailureLookups(self.options.failed_runs_per_poll)

    @property
    def api(self) -> str:
        return self.options.endpoints[0]

    @property
    def web(self) -> str:
        """The web UI's base URL, for links the API does not give."""
        url = httpx.URL(self.api)
        if url.host == "api.github.com":
            return "https://github.com"
        return str(url.copy_with(path=url.path.removesuffix("/").removesuffix("/api/v3"))).rstrip("/")

    async def fetch(self) -> FetchResult:
        items: list[Deploy | Pipeline] = []
        problems: list[str] = []
        failures: list[SourceError] = []
        asked = 0
        for repo in self.options.repos:
            parts = (("workflow runs", partial(self.pipelines, repo)), ("deployments", partial(self.deploys, repo, problems)))
            for what, part in parts:
                asked += 1
                try:
                    items.extend(await part())
                except (SourceAuthError, SourceRateLimited):
                    raise
                except SourceError as exc:
                    failures.append(exc)
                    problems.append(f"{repo} {what}: {exc.message}")
        if failures and len(failures) == asked:
            raise failures[0]
        problems += await self.failures.attach([lookup for item in items if (lookup := self._lookup(item))])
        return FetchResult(items=items, degraded="; ".join(problems) or None)

    def _lookup(self, item: Deploy | Pipeline) -> Lookup | None:
        """How to ask where a failed run (or a deployment run by a workflow) failed, or None."""
        if item.status != RunStatus.FAILED:
            return None
        link = httpx.URL(item.url or "")
        found = _RUN_LINK.search(link.path) if isinstance(item, Deploy) else None
        if isinstance(item, Deploy) and (found is None or link.host != httpx.URL(self.web).host):
            return None
        repo, run_id = (found.group(1), found.group(2)) if found else tuple(item.id.rsplit("#", 1))
        if found and repo not in self.options.repos:
            return None  # a link to elsewhere: our token is not for it
        when = item.finished_at if isinstance(item, Deploy) else item.started_at
        url = f"{self.api}/repos/{repo}/actions/runs/{quote(run_id)}/jobs"

        async def ask() -> list[FailedJob]:
            return failed_jobs(await self.get_polite_json(url, {"filter": "latest", "per_page": 100}))

        return Lookup(f"{item.item_type} {item.id}@{rfc3339(when)}", item, ask)

    async def branches(self, repo: str) -> list[str]:
        if self.options.branches:
            return self.options.branches
        if repo not in self._default_branches:
            body = await self.get_polite_json(f"{self.api}/repos/{repo}")
            branch = body.get("default_branch") if isinstance(body, dict) else None
            self._default_branches[repo] = str(branch or "main")
        return [self._default_branches[repo]]

    async def pipelines(self, repo: str) -> list[Pipeline]:
        runs: list[Pipeline] = []
        for branch in await self.branches(repo):
            params = {"branch": branch, "per_page": self.options.per_page, "exclude_pull_requests": "true"}
            raw = await self.paginate(f"{self.api}/repos/{repo}/actions/runs", params, items_key="workflow_runs")
            runs.extend(self.pipeline(repo, run) for run in raw if isinstance(run, dict))
        return keep_runs(runs, self.options.include_succeeded)

    def pipeline(self, repo: str, run: dict[str, Any]) -> Pipeline:
        status = run_status(run)
        started = parse_time(run.get("run_started_at")) or parse_time(run.get("created_at"))
        updated = parse_time(run.get("updated_at"))
        duration = (updated - started).total_seconds() if status in FINAL and started and updated else None
        commit = run.get("head_commit") or {}
        author = (commit.get("author") or {}).get("name") or (run.get("actor") or {}).get("login")
        return Pipeline(
            source=self.name,
            id=f"{repo}#{run.get('id')}",
            repo=repo,
            name=workflow_name(run),
            branch=run.get("head_branch"),
            commit=run.get("head_sha"),
            status=status,
            started_at=started,
            duration_s=duration,
            author=author,
            url=run.get("html_url"),
            message=first_line(commit.get("message") or run.get("display_title")),
        )

    async def run_history(self, start: datetime, end: datetime) -> list[Deploy | Pipeline]:
        """Workflow runs on the shown branches created in [start, end] (``created=a..b``), and the
        deployments created in it with their latest status and the deployed commit's time
        (``GET /repos/{repo}/commits/{sha}``), for the shift report's DORA figures."""
        items: list[Deploy | Pipeline] = []
        created = f"{rfc3339(start)}..{rfc3339(end)}"
        for repo in self.options.repos:
            for branch in await self.branches(repo):
                params = {"branch": branch, "per_page": 100, "exclude_pull_requests": "true", "created": created}
                raw = await self.paginate(f"{self.api}/repos/{repo}/actions/runs", params, items_key="workflow_runs",
                                          max_pages=_HISTORY_PAGES)
                items += [self.pipeline(repo, run) for run in raw if isinstance(run, dict)]
            raw = await self.paginate(f"{self.api}/repos/{repo}/deployments", {"per_page": 100}, max_pages=_HISTORY_PAGES)
            commit_times: dict[str, datetime | None] = {}
            for deployment in raw:
                when = parse_time(deployment.get("created_at")) if isinstance(deployment, dict) else None
                if when is None or not start <= when <= end:
                    continue
                url = f"{self.api}/repos/{repo}/deployments/{quote(str(deployment.get('id')))}/statuses"
                statuses = await self.paginate(url, {"per_page": 1}, max_pages=1)
                deploy = self.deploy(repo, deployment, statuses[0] if statuses and isinstance(statuses[0], dict) else None)
                sha = str(deployment.get("sha") or "")
                if sha and sha not in commit_times:
                    body = await self.get_polite_json(f"{self.api}/repos/{repo}/commits/{quote(sha)}")
                    commit = (body.get("commit") or {}) if isinstance(body, dict) else {}
                    commit_times[sha] = parse_time((commit.get("committer") or {}).get("date"))
                deploy.commit, deploy.committed_at = sha or None, commit_times.get(sha)
                items.append(deploy)
        return items

    async def deploys(self, repo: str, problems: list[str] | None = None) -> list[Deploy]:
        """The newest deployments with their latest status; one whose statuses cannot be read is
        left out and named in ``problems``."""
        if self.options.deployments == 0:
            return []
        params = {"per_page": self.options.deployments}
        raw = await self.paginate(f"{self.api}/repos/{repo}/deployments", params, max_pages=1)
        found = []
        for deployment in raw[: self.options.deployments]:
            if not isinstance(deployment, dict):
                continue
            url = f"{self.api}/repos/{repo}/deployments/{quote(str(deployment.get('id')))}/statuses"
            try:
                statuses = await self.paginate(url, {"per_page": 1}, max_pages=1)
            except (SourceAuthError, SourceRateLimited):
                raise
            except SourceError as exc:
                if problems is None:
                    raise
                where = f" ({deployment['environment']})" if deployment.get("environment") else ""
                problems.append(f"{repo} deployment {deployment.get('id')}{where} left out: {exc.message}")
                continue
            latest = statuses[0] if statuses and isinstance(statuses[0], dict) else None
            found.append(self.deploy(repo, deployment, latest))
        return found

    def deploy(self, repo: str, deployment: dict[str, Any], latest: dict[str, Any] | None) -> Deploy:
        status = deployment_status((latest or {}).get("state"))
        payload = deployment.get("payload") if isinstance(deployment.get("payload"), dict) else {}
        sha, ref = str(deployment.get("sha") or ""), str(deployment.get("ref") or "")
        version = ref if _VERSION_REF.match(ref) and ref != sha else (sha[:7] or ref or None)
        latest = latest or {}
        link = latest.get("log_url") or latest.get("target_url") or latest.get("environment_url")
        return Deploy(
            source=self.name,
            id=f"{repo}#{deployment.get('id')}",
            service=str(payload.get("service") or payload.get("app") or repo.split("/", 1)[1]),
            environment=deployment.get("environment"),
            version=version,
            status=status,
            started_at=parse_time(deployment.get("created_at")),
            finished_at=parse_time(latest.get("created_at")) if status in FINAL else None,
            author=(deployment.get("creator") or {}).get("login"),
            url=link or f"{self.web}/{repo}/deployments",
            description=latest.get("description") or deployment.get("description") or None,
        )
