"""Loopback HTTP servers that answer like GitHub and GitLab document, and their framework.

One framework (:class:`LoopbackServer`, the toolkit's :class:`tests.loopback.Loopback` running a
:class:`FakeApi`) and one ``FakeApi`` subclass per upstream: GitHub and GitLab here, Argo CD in
:mod:`tests.argocd_api`, Jenkins in :mod:`tests.jenkins_api`. Each answers with the status codes, headers
(``ETag``, ``Link``, ``X-RateLimit-*``, ``Retry-After``, ``X-Next-Page``/``X-Total-Pages``) and
body shapes of its public API documentation; the bodies are written here, from the docs.

Faults are queued with :meth:`FakeApi.fail_next` (one per request): ``"401"`` (the API's own
expired-token answer), ``"429"`` (with ``Retry-After``), ``"html"`` (an SSO proxy's 200 login
page), ``"empty"`` (200, no body), ``"500"``. Every request is recorded in ``api.requests``.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode

import pytest

from cockpit.core.errors import SourceAuthError, SourceBadResponse, SourceError
from tests.loopback import Answer, Loopback, Request

__all__ = [
    "FAULT_CASES",
    "FakeApi",
    "GitHubApi",
    "GitLabApi",
    "LoopbackServer",
    "Reply",
    "Seen",
    "fetch_error",
    "not_found",
]

HTML_LOGIN = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
    b"<body><form action='/login'>Please sign in</form></body></html>"
)


FAULT_CASES = [
    ("401", SourceAuthError, "HTTP 401"),
    ("html", SourceBadResponse, "HTML"),
    ("empty", SourceBadResponse, "empty"),
    ("500", SourceBadResponse, "HTTP 500"),
]
"""``(fault, error class, words in the message)`` every HTTP source must map the same way."""


async def fetch_error(source: Any, error: type[SourceError], *secrets: str) -> SourceError:
    """Poll ``source`` once expecting ``error``; check the message is one line without a secret."""
    try:
        with pytest.raises(error) as caught:
            await source.fetch()
    finally:
        await source.close()
    message = caught.value.message
    assert "\n" not in message and message == str(caught.value)
    for secret in secrets:
        assert secret not in message, "a secret leaked into an error message"
    return caught.value


Reply = Answer
"""One answer (the toolkit's :class:`tests.loopback.Answer`)."""


@dataclass
class Seen:
    """One request as the server received it (``path`` still percent-encoded)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]

    @property
    def segments(self) -> list[str]:
        return [unquote(part) for part in self.path.strip("/").split("/")]


class FakeApi:
    """State and routing of one fake upstream; subclasses implement ``route`` and ``authorised``."""

    sends_etags = True
    """Whether the real API sends ETags and honours If-None-Match."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.faults: list[str] = []
        self.lock = threading.Lock()
        self.base_url = ""

    def fail_next(self, *kinds: str) -> None:
        """Answer the next requests with these faults, one each, in order."""
        with self.lock:
            self.faults.extend(kinds)

    def handle(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            fault = self.faults.pop(0) if self.faults else None
        if fault:
            return self.fault(fault)
        if not self.authorised(seen):
            return self.unauthorised()
        reply = self.route(seen)
        if reply.status == 200 and self.sends_etags:
            etag = 'W/"' + hashlib.sha1(reply.payload()).hexdigest() + '"'
            reply.headers["ETag"] = etag
            if seen.headers.get("if-none-match") == etag:
                return self.not_modified(reply)
        return reply

    def not_modified(self, reply: Reply) -> Reply:
        return Reply(304, b"", {"ETag": reply.headers["ETag"]})

    def fault(self, kind: str) -> Reply:
        if kind == "401":
            return self.unauthorised()
        if kind == "429":
            return Reply(429, b"Too Many Requests", {"Retry-After": "120"}, "text/plain")
        if kind == "html":
            return Reply(200, HTML_LOGIN, {}, "text/html; charset=utf-8")
        if kind == "empty":
            return Reply(200, b"")
        if kind == "500":
            return Reply(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", {}, "text/html")
        raise ValueError(f"unknown fault {kind!r}")

    def authorised(self, seen: Seen) -> bool:
        return True

    def unauthorised(self) -> Reply:
        return Reply(401, {"message": "Unauthorized"})

    def route(self, seen: Seen) -> Reply:
        raise NotImplementedError

    def paged(self, seen: Seen, items: list[Any], default_per_page: int, **extra: Any) -> tuple[list[Any], dict[str, str]]:
        """Slice ``items`` by ``page``/``per_page`` and build the documented ``Link`` header."""
        per_page = int(seen.query.get("per_page", default_per_page))
        page = int(seen.query.get("page", 1))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]

        def link(number: int) -> str:
            query = dict(seen.query, page=str(number))
            return f"<{self.base_url}{seen.path}?{urlencode(query)}>"

        rels = []
        if page < last:
            rels.append(f'{link(page + 1)}; rel="next"')
            rels.append(f'{link(last)}; rel="last"')
        if page > 1:
            rels.append(f'{link(1)}; rel="first"')
            rels.append(f'{link(page - 1)}; rel="prev"')
        headers = {"Link": ", ".join(rels)} if rels else {}
        return chunk, headers


class LoopbackServer(Loopback):
    """A :class:`tests.loopback.Loopback` serving one :class:`FakeApi` under ``prefix``."""

    def __init__(self, api: FakeApi, prefix: str = "") -> None:
        super().__init__(self._to_api)
        self.api = api
        self.prefix = prefix.rstrip("/")
        self.root = self.url
        self.url = self.root + self.prefix
        api.base_url = self.url

    def _to_api(self, request: Request) -> Answer:
        path = request.path
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :]
        query = {key: values[-1] for key, values in request.query.items()}
        return self.api.handle(Seen(request.method, path, query, request.headers))

    def __enter__(self) -> "LoopbackServer":
        self.start()
        return self


def not_found(message: str = "Not Found") -> Reply:
    return Reply(404, {"message": message})


# --- GitHub ---------------------------------------------------------------------------------


class GitHubApi(FakeApi):
    """GitHub REST: repos, Actions workflow runs, deployments and their statuses.

    Every answer carries ``x-ratelimit-limit/remaining/used/reset/resource``; a 304 does not
    spend quota; at 0 remaining the API answers 403 "API rate limit exceeded".
    """

    def __init__(self, token: str = "ghp_test_token", remaining: int = 5000, reset: int = 4102444800) -> None:
        super().__init__()
        self.token = token
        self.remaining = remaining
        self.reset = reset
        self.repos: dict[str, dict[str, Any]] = {}

    def add_repo(self, full_name: str, default_branch: str = "main") -> dict[str, Any]:
        repo = {"default_branch": default_branch, "runs": [], "deployments": [], "statuses": {}, "commits": {},
                "jobs": {}}
        self.repos[full_name] = repo
        return repo

    def _quota(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Used": str(5000 - self.remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Resource": "core",
        }

    def handle(self, seen: Seen) -> Reply:
        if not self.faults and self.authorised(seen) and self.remaining <= 0:
            with self.lock:
                self.requests.append(seen)
            body = {
                "message": "API rate limit exceeded for user ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            }
            return Reply(403, body, self._quota())
        reply = super().handle(seen)
        if reply.status != 304 and reply.status != 401:
            self.remaining -= 1
        reply.headers.update(self._quota())
        return reply

    def authorised(self, seen: Seen) -> bool:
        return seen.headers.get("authorization") in (f"Bearer {self.token}", f"token {self.token}")

    def unauthorised(self) -> Reply:
        return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})

    def fault(self, kind: str) -> Reply:
        if kind == "429":  # the secondary rate limit
            body = {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            }
            return Reply(429, body, {"Retry-After": "60"})
        return super().fault(kind)

    def route(self, seen: Seen) -> Reply:
        seg = seen.segments
        if len(seg) < 3 or seg[0] != "repos" or f"{seg[1]}/{seg[2]}" not in self.repos:
            return not_found()
        full_name, rest = f"{seg[1]}/{seg[2]}", seg[3:]
        repo = self.repos[full_name]
        if not rest:
            body = {"id": 1, "name": seg[2], "full_name": full_name, "private": False,
                    "html_url": f"https://github.com/{full_name}", "default_branch": repo["default_branch"]}
            return Reply(200, body)
        if rest == ["actions", "runs"]:
            runs = [r for r in repo["runs"] if seen.query.get("branch") in (None, r["head_branch"])]
            if seen.query.get("created"):  # created=FROM..TO, as GitHub's search qualifiers (UTC strings compare)
                low, _, high = seen.query["created"].partition("..")
                runs = [r for r in runs if low[:19] <= r["created_at"][:19] <= high[:19]]
            chunk, headers = self.paged(seen, runs, 30)
            return Reply(200, {"total_count": len(runs), "workflow_runs": chunk}, headers)
        if len(rest) == 4 and rest[:2] == ["actions", "runs"] and rest[3] == "jobs":
            return self._jobs(repo, int(rest[2]), seen)
        if rest == ["deployments"]:
            deps = [d for d in repo["deployments"] if seen.query.get("environment") in (None, d["environment"])]
            chunk, headers = self.paged(seen, deps, 30)
            return Reply(200, chunk, headers)
        if len(rest) == 2 and rest[0] == "commits":
            commit = repo["commits"].get(rest[1])
            return Reply(200, commit) if commit else Reply(422, {"message": "No commit found for SHA: " + rest[1]})
        if len(rest) == 3 and rest[0] == "deployments" and rest[2] == "statuses":
            statuses = repo["statuses"].get(int(rest[1]))
            if statuses is None:
                return not_found()
            chunk, headers = self.paged(seen, statuses, 30)
            return Reply(200, chunk, headers)
        return not_found()


    def _jobs(self, repo: dict[str, Any], run_id: int, seen: Seen) -> Reply:
        """``GET …/actions/runs/{run_id}/jobs``: ``filter=latest`` (the default) keeps the jobs of
        the run's newest attempt, ``all`` every attempt's; ``{"total_count", "jobs"}``, paged."""
        if not any(run["id"] == run_id for run in repo["runs"]):
            return not_found()
        jobs = repo["jobs"].get(run_id, [])
        if seen.query.get("filter", "latest") == "latest" and jobs:
            newest = max(job.get("run_attempt", 1) for job in jobs)
            jobs = [job for job in jobs if job.get("run_attempt", 1) == newest]
        chunk, headers = self.paged(seen, jobs, 30)
        return Reply(200, {"total_count": len(jobs), "jobs": chunk}, headers)


# --- GitLab ---------------------------------------------------------------------------------


class GitLabApi(FakeApi):
    """GitLab REST v4: projects, pipelines (list and single) and deployments.

    Projects are found by numeric id or URL-encoded path; lists are paginated with
    ``X-Page``/``X-Per-Page``/``X-Next-Page``/``X-Total``/``X-Total-Pages`` and ``Link``.
    """

    def __init__(self, token: str = "glpat-test-token") -> None:
        super().__init__()
        self.token = token
        self.projects: dict[str, dict[str, Any]] = {}

    def add_project(self, project_id: int, path: str) -> dict[str, Any]:
        project = {"id": project_id, "path_with_namespace": path, "pipelines": [], "deployments": [], "jobs": {}}
        self.projects[str(project_id)] = self.projects[path] = project
        return project

    def authorised(self, seen: Seen) -> bool:
        return seen.headers.get("private-token") == self.token

    def unauthorised(self) -> Reply:
        return Reply(401, {"message": "401 Unauthorized"})

    def fault(self, kind: str) -> Reply:
        if kind == "429":
            headers = {"Retry-After": "60", "RateLimit-Limit": "600", "RateLimit-Observed": "601",
                       "RateLimit-Remaining": "0", "RateLimit-Reset": "4102444800",
                       "RateLimit-ResetTime": "Fri, 01 Jan 2100 00:00:00 GMT"}
            return Reply(429, b"Retry later", headers, "text/plain")
        return super().fault(kind)

    def paged(self, seen: Seen, items: list[Any], default_per_page: int, **extra: Any) -> tuple[list[Any], dict[str, str]]:
        chunk, headers = super().paged(seen, items, default_per_page)
        per_page = int(seen.query.get("per_page", default_per_page))
        page = int(seen.query.get("page", 1))
        pages = max(1, -(-len(items) // per_page))
        headers.update({"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items)),
                        "X-Total-Pages": str(pages), "X-Next-Page": str(page + 1) if page < pages else "",
                        "X-Prev-Page": str(page - 1) if page > 1 else ""})
        return chunk, headers

    def route(self, seen: Seen) -> Reply:
        raw = seen.path.strip("/").split("/")
        if raw[:3] != ["api", "v4", "projects"] or len(raw) < 4:
            return Reply(404, {"error": "404 Not Found"})
        project = self.projects.get(unquote(raw[3]))
        if project is None or ("/" in unquote(raw[3]) and "%2F" not in raw[3].upper()):
            return Reply(404, {"message": "404 Project Not Found"})
        rest = raw[4:]
        if not rest:
            return Reply(200, {"id": project["id"], "path_with_namespace": project["path_with_namespace"],
                               "name": project["path_with_namespace"].rsplit("/", 1)[-1],
                               "web_url": f"https://gitlab.example.com/{project['path_with_namespace']}"})
        if rest == ["pipelines"]:
            rows = [p for p in _updated_in(project["pipelines"], seen) if seen.query.get("ref") in (None, p["ref"])]
            rows = sorted(rows, key=lambda p: p["id"], reverse=seen.query.get("sort", "desc") == "desc")
            basic = ("id", "iid", "project_id", "sha", "ref", "status", "source", "created_at", "updated_at", "web_url", "name")
            chunk, headers = self.paged(seen, [{k: p.get(k) for k in basic} for p in rows], 20)
            return Reply(200, chunk, headers)
        if len(rest) == 2 and rest[0] == "pipelines":
            found = [p for p in project["pipelines"] if str(p["id"]) == rest[1]]
            return Reply(200, found[0]) if found else Reply(404, {"message": "404 Not found"})
        if len(rest) == 3 and rest[0] == "pipelines" and rest[2] == "jobs":
            if not any(str(p["id"]) == rest[1] for p in project["pipelines"]):
                return Reply(404, {"message": "404 Not found"})
            # newest first; ``scope[]`` keeps those of one status (the retried ones never listed)
            jobs = sorted(project["jobs"].get(int(rest[1]), []), key=lambda job: job["id"], reverse=True)
            scope = seen.query.get("scope[]") or seen.query.get("scope")
            chunk, headers = self.paged(seen, [job for job in jobs if scope in (None, job["status"])], 20)
            return Reply(200, chunk, headers)
        if rest == ["deployments"]:
            rows = sorted(_updated_in(project["deployments"], seen), key=lambda d: d.get(seen.query.get("order_by", "id")) or "",
                          reverse=seen.query.get("sort", "asc") == "desc")
            chunk, headers = self.paged(seen, rows, 20)
            return Reply(200, chunk, headers)
        return Reply(404, {"error": "404 Not Found"})


def _updated_in(rows: list[dict[str, Any]], seen: Seen) -> list[dict[str, Any]]:
    """GitLab's ``updated_after``/``updated_before`` filters (times compared as the API's UTC strings)."""
    after, before = seen.query.get("updated_after"), seen.query.get("updated_before")
    norm = lambda text: str(text)[:19]  # noqa: E731 - 2026-11-27T08:00:00 of either spelling
    return [r for r in rows if (not after or norm(r["updated_at"]) >= norm(after))
            and (not before or norm(r["updated_at"]) <= norm(before))]
