"""A local GitOps repository: commits on the watched branches that touch the watched paths are deploys.

Runs ``git log --first-parent -m --name-only -z`` (a merge counts as one deploy of everything
it brought in, at the time it landed) through an asyncio subprocess, bounded by
``max_commits``; the ``paths`` are also passed to git as pathspecs, so the bound counts only
relevant commits. Git never prompts, and nothing is written to the repository.

Which service a changed file belongs to, for each entry of ``paths``:

* a prefix (``apps`` or ``apps/``): the first path component under it, which must be a
  directory (``apps/checkout/deploy.yaml`` -> ``checkout``; ``apps/kustomization.yaml``, right
  under the prefix, belongs to no service and is skipped);
* a glob (``clusters/*/apps/**``): the same rule, under the glob's literal leading directories
  (``clusters``);
* placeholders name the parts outright: ``clusters/{environment}/{service}/**``.

With no ``paths`` the whole repository is watched and the prefix is the root (a top-level
directory is a service). The environment is the ``{environment}`` placeholder, else the
``environment`` option, else the branch name. One commit touching several services is one
deploy per service. Version: the short sha; author and time: the commit's author and committer
date; description: the subject.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from cockpit.core.models import Deploy, FetchResult, RunStatus, SourceKind
from cockpit.sources.base import Source, SourceOptions
from cockpit.core.errors import SourceBadResponse, SourceTimeout, SourceUnreachable
from cockpit.core.times import parse_time

__all__ = ["GitSource", "PathRule", "parse_log"]

_HEADER = re.compile(r"^\x1e(?P<sha>[0-9a-f]{40,64})\x1f(?P<author>[^\x1f]*)\x1f(?P<date>[^\x1f]*)\x1f(?P<subject>.*)$", re.S)
_GLOB = re.compile(r"[*?\[{]")
_FORMAT = "%x1e%H%x1f%an%x1f%cI%x1f%s"


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: str
    subject: str
    files: tuple[str, ...]


def parse_log(output: str) -> list[Commit]:
    """Commits from ``git log -z --name-only --format=_FORMAT`` output.

    The output is split on NUL only (no subject or file name can hold one), so a hostile
    subject cannot forge a commit.
    """
    commits: list[Commit] = []
    header = None
    files: list[str] = []
    for token in output.split("\0"):
        match = _HEADER.match(token)
        if match:
            if header:
                commits.append(Commit(*header, tuple(files)))
            header, files = (match["sha"], match["author"], match["date"], match["subject"]), []
        elif token.strip("\n") and header:
            files.append(token.lstrip("\n"))
    if header:
        commits.append(Commit(*header, tuple(files)))
    return commits


class PathRule:
    """One entry of ``paths``: which files it watches and how it names their service."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern.strip().strip("/")
        parts = [p for p in self.pattern.split("/") if p]
        literal = []
        for part in parts:
            if _GLOB.search(part):
                break
            literal.append(part)
        if len(literal) == len(parts):  # a plain prefix
            parts = parts + ["**"]
        self.depth = len(literal)
        """Path components before the one naming the service (when no ``{service}``)."""
        pieces = ""
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "**":
                pieces += ".*" if last else "(?:[^/]+/)*"
            else:
                pieces += _segment(part) + ("" if last else "/")
        self.regex = re.compile(f"^{pieces}(?:/.*)?$")
        self.pathspecs = self._pathspecs(parts)

    @staticmethod
    def _pathspecs(parts: list[str]) -> list[str]:
        glob = "/".join(re.sub(r"\{(service|environment)\}", "*", p) for p in parts)
        if not glob or glob == "**":
            return []
        specs = [f":(top,glob){glob}"]
        if not glob.endswith("**"):
            specs.append(f":(top,glob){glob}/**")
        return specs

    def match(self, path: str) -> tuple[str, str | None] | None:
        """``(service, environment or None)`` for a changed file, None when it is not watched."""
        found = self.regex.match(path)
        if not found:
            return None
        named = found.groupdict()
        if named.get("service"):
            return named["service"], named.get("environment")
        parts = path.split("/")
        if len(parts) <= self.depth + 1:  # a file right under the prefix: no service
            return None
        return parts[self.depth], named.get("environment")


def _segment(part: str) -> str:
    out = []
    for token in re.split(r"(\{service\}|\{environment\}|\*|\?)", part):
        if token in ("{service}", "{environment}"):
            out.append(f"(?P<{token[1:-1]}>[^/]+)")
        elif token == "*":
            out.append("[^/]*")
        elif token == "?":
            out.append("[^/]")
        elif token:
            out.append(re.escape(token))
    return "".join(out)


class GitOptions(SourceOptions):
    """Options of a ``git`` source."""

    path: str
    """The GitOps repository's working copy (relative paths are from the config file's directory)."""
    branches: list[str] = []
    """Branches whose commits are deploys; default: the branch checked out."""
    paths: list[str] = []
    """Prefixes or globs of watched files, ``{service}``/``{environment}`` allowed; default: everything."""
    environment: str | None = None
    """The environment of every deploy, when neither a placeholder nor the branch should say it."""
    max_commits: int = Field(default=200, ge=1, le=10000)
    """Newest relevant commits read per branch at most."""
    commit_url: str | None = None
    """Link of a commit, ``{sha}`` replaced: e.g. ``https://github.com/org/gitops/commit/{sha}``."""


class GitSource(Source):
    """Deploys from the history of a local GitOps repository."""

    kind = SourceKind.DEPLOYS
    Options = GitOptions
    options: GitOptions

    @property
    def repo(self) -> Path:
        path = Path(self.options.path).expanduser()
        if not path.is_absolute() and self.context.config_dir:
            path = self.context.config_dir / path
        return path

    async def git(self, *args: str) -> str:
        """Run one read-only git command in the repository; its stdout, or a SourceError."""
        if not self.repo.is_dir():
            raise SourceUnreachable(f"{self.repo}: no such directory")
        env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
        try:
            proc = await asyncio.create_subprocess_exec(
                "git", "-C", str(self.repo), "-c", "core.quotepath=off", *args,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=env,
            )
        except FileNotFoundError as exc:
            raise SourceUnreachable("git is not installed (no git on PATH)") from exc
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self.options.timeout)
        except asyncio.TimeoutError as exc:
            proc.kill()
            await proc.wait()
            raise SourceTimeout(f"git {args[0]} in {self.repo}: no answer within {self.options.timeout:g}s") from exc
        if proc.returncode != 0:
            reason = (err.decode(errors="replace").strip().splitlines() or ["failed"])[0][:200]
            raise SourceBadResponse(f"git {args[0]} in {self.repo}: {reason}")
        return out.decode(errors="replace")

    async def fetch(self) -> FetchResult:
        rules = [PathRule(p) for p in self.options.paths] or [PathRule("")]
        pathspecs = [spec for rule in rules for spec in rule.pathspecs]
        branches = self.options.branches or [await self.current_branch()]
        deploys: dict[str, Deploy] = {}
        for branch in branches:
            out = await self.git(
                "log", "--first-parent", "-m", "--name-only", "-z", f"--max-count={self.options.max_commits}",
                f"--format={_FORMAT}", "--end-of-options", branch, "--", *pathspecs,
            )
            environment = None if branch == "HEAD" else branch
            for commit in parse_log(out):
                for deploy in self.deploys(commit, rules, environment):
                    deploys.setdefault(deploy.id, deploy)
        ordered = sorted(deploys.values(), key=lambda d: d.started_at.timestamp() if d.started_at else 0, reverse=True)
        return FetchResult(items=ordered)

    async def current_branch(self) -> str:
        """The checked-out branch, or ``HEAD`` when detached."""
        try:
            return (await self.git("symbolic-ref", "--short", "-q", "HEAD")).strip() or "HEAD"
        except SourceBadResponse:
            return "HEAD"

    def deploys(self, commit: Commit, rules: list[PathRule], branch: str | None) -> list[Deploy]:
        found: dict[tuple[str, str | None], None] = {}
        for path in commit.files:
            for rule in rules:
                hit = rule.match(path)
                if hit:
                    service, env = hit
                    found.setdefault((service, env or self.options.environment or branch), None)
                    break
        url = self.options.commit_url.replace("{sha}", commit.sha) if self.options.commit_url else None
        return [
            Deploy(
                source=self.name,
                id=f"{commit.sha[:12]}:{service}:{environment or ''}",
                service=service,
                environment=environment,
                version=commit.sha[:7],
                status=RunStatus.SUCCEEDED,
                started_at=parse_time(commit.date),
                author=commit.author or None,
                url=url,
                description=commit.subject or None,
            )
            for service, environment in found
        ]
