"""Polite polling shared by the deploy and pipeline sources (GitHub, GitLab, Argo CD, Jenkins).

Three habits, so a cockpit left open all day costs the upstream almost nothing:

* **Conditional requests.** Every GET remembers the response's ``ETag`` (keyed by the full URL,
  query included, in memory on the source instance). The next GET of that URL sends
  ``If-None-Match``; a ``304 Not Modified`` returns the body parsed last time. On GitHub an
  authorised 304 does not count against the rate limit.
* **Rate limits respected.** ``429``, and ``403`` carrying ``(x-)ratelimit-remaining: 0``,
  ``Retry-After`` or a "rate limit" message (GitHub's secondary limit), raise
  :class:`~cockpit.core.errors.SourceRateLimited` with ``retry_at``. A success that reports
  ``x-ratelimit-remaining: 0`` (GitLab: ``ratelimit-remaining: 0``) holds the next request
  back until the reset, unsent; so does a 429 until its ``Retry-After`` has passed.
* **Bounded pagination.** :meth:`PoliteHttpSource.paginate` follows ``Link: rel="next"`` or
  ``X-Next-Page`` for at most ``max_pages`` pages, and never to another origin (a next link
  pointing elsewhere would receive our credentials).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pydantic import Field

from cockpit.core.models import Pipeline, RunStatus
from cockpit.core.errors import SourceBadResponse, SourceRateLimited
from cockpit.sources.http import HttpOptions, HttpSource, format_retry_at, parse_json, retry_after

if TYPE_CHECKING:
    import httpx  # imported where it is used, like cockpit.sources.http (not when the config loads)

__all__ = ["FINAL", "Page", "PoliteHttpSource", "PoliteOptions", "first_line", "keep_runs", "next_page_url"]

ETAG_CACHE_SIZE = 256
"""How many URLs' validators and bodies one source remembers (oldest forgotten first)."""
DEFAULT_BACKOFF = timedelta(seconds=60)
"""Wait this long when a rate limit names no time (GitHub: "wait at least one minute")."""


class PoliteOptions(HttpOptions):
    """HTTP options plus the bounds of one poll."""

    per_page: int = Field(default=20, ge=1, le=100)
    """Items asked for per page: small, the newest come first."""
    max_pages: int = Field(default=1, ge=1, le=20)
    """Pages followed per listing at most, so one poll has a bounded cost."""


@dataclass(frozen=True)
class Page:
    """One parsed page: its body, the next page's URL (None at the end), and whether it was a 304."""

    body: Any
    next_url: str | None
    not_modified: bool = False


@dataclass(frozen=True)
class _Cached:
    etag: str
    body: Any
    next_url: str | None


def next_page_url(response: httpx.Response, url: str) -> str | None:
    """The next page's URL from ``Link: <…>; rel="next"`` or ``X-Next-Page``, same origin only."""
    import httpx

    current = httpx.URL(url)
    link = response.links.get("next", {}).get("url")
    if link:
        candidate = current.join(link)
    else:
        page = response.headers.get("x-next-page", "").strip()
        if not page.isdigit():
            return None
        candidate = current.copy_set_param("page", page)
    same_origin = (candidate.scheme, candidate.host, candidate.port) == (
        current.scheme,
        current.host,
        current.port,
    )
    return str(candidate) if same_origin and candidate != current else None


FINAL = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED})
"""Statuses of a run that has ended."""


def keep_runs(runs: list[Pipeline], include_succeeded: bool = False) -> list[Pipeline]:
    """What the Pipelines panel needs: every running or queued run, and per (repo, workflow,
    branch) the newest finished run when it failed or was cancelled (or also when it succeeded,
    with ``include_succeeded``). A failure followed by a success is resolved, so it is dropped.

    ``runs`` must be newest first, as the APIs list them.
    """
    kept, seen_final = [], set()
    for run in runs:
        if run.status not in FINAL:
            kept.append(run)
            continue
        key = (run.repo, run.name, run.branch)
        if key in seen_final:
            continue
        seen_final.add(key)
        if run.status != RunStatus.SUCCEEDED or include_succeeded:
            kept.append(run)
    return kept


def first_line(text: Any) -> str | None:
    """The subject line of a commit message (None for an empty one)."""
    lines = str(text).splitlines() if text else []
    return lines[0] if lines else None


def _quota_spent(response: httpx.Response) -> bool:
    """GitHub's ``X-RateLimit-Remaining`` or GitLab's ``RateLimit-Remaining`` says 0 are left."""
    return any(response.headers.get(h, "").strip() == "0" for h in ("x-ratelimit-remaining", "ratelimit-remaining"))


def _when(moment: datetime) -> str:
    return format_retry_at(moment)


class PoliteHttpSource(HttpSource):
    """An :class:`HttpSource` whose GETs are conditional, rate-limit aware and bounded."""

    Options = PoliteOptions
    options: PoliteOptions
    extra_headers: dict[str, str] = {}
    """Headers every GET of this API carries (e.g. GitHub's API version)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._etags: OrderedDict[str, _Cached] = OrderedDict()
        self._blocked_until: datetime | None = None
        self.requests_sent = 0
        """Requests that left this process (a 304 counts; a request held back does not)."""
        self.not_modified = 0
        """How many answers were 304 Not Modified."""

    # -- rate limits -----------------------------------------------------------------------

    def check_status(self, response: httpx.Response, where: str) -> None:
        """Like HttpSource's, plus GitHub's secondary limit (403 with Retry-After or the message)."""
        if response.status_code == 429 or (response.status_code == 403 and self._is_rate_limit(response)):
            when = retry_after(response) or datetime.now(timezone.utc) + DEFAULT_BACKOFF
            self._blocked_until = when
            raise SourceRateLimited(
                f"{where}: rate limited (HTTP {response.status_code}), will retry after {_when(when)}",
                retry_at=when,
            )
        super().check_status(response, where)

    @staticmethod
    def _is_rate_limit(response: httpx.Response) -> bool:
        if _quota_spent(response) or "retry-after" in response.headers:
            return True
        return b"rate limit" in response.content[:2000].lower()

    def _hold_back(self, where: str) -> None:
        """Refuse to send while a known limit lasts: asking again would only be refused."""
        until = self._blocked_until
        if until is None:
            return
        if datetime.now(timezone.utc) >= until:
            self._blocked_until = None
            return
        raise SourceRateLimited(
            f"{where}: rate limit in force, will retry after {_when(until)}", retry_at=until
        )

    def _note_quota(self, response: httpx.Response) -> None:
        if _quota_spent(response):
            self._blocked_until = retry_after(response) or datetime.now(timezone.utc) + DEFAULT_BACKOFF

    # -- conditional GETs ------------------------------------------------------------------

    async def get_page(self, url: str, params: dict[str, Any] | None = None) -> Page:
        """GET one URL politely: conditional, held back while rate limited, parsed as JSON."""
        import httpx

        full = str(httpx.URL(url, params=params)) if params else url
        where = str(httpx.URL(full).copy_with(query=None, username=None, password=None))
        self._hold_back(where)
        cached = self._etags.get(full)
        headers = dict(self.extra_headers)
        if cached is not None:
            headers["If-None-Match"] = cached.etag
        self.requests_sent += 1
        response = await self.request("GET", full, headers=headers)
        self._note_quota(response)
        if response.status_code == 304:
            if cached is None:
                raise SourceBadResponse(f"{where}: 304 Not Modified to an unconditional request")
            self.not_modified += 1
            self._etags.move_to_end(full)
            return Page(cached.body, cached.next_url, not_modified=True)
        body = parse_json(response, full)
        following = next_page_url(response, full)
        etag = response.headers.get("etag")
        if etag:
            self._etags[full] = _Cached(etag, body, following)
            self._etags.move_to_end(full)
            while len(self._etags) > ETAG_CACHE_SIZE:
                self._etags.popitem(last=False)
        else:
            self._etags.pop(full, None)
        return Page(body, following)

    async def get_polite_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """The parsed body of one conditional GET."""
        return (await self.get_page(url, params)).body

    async def paginate(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        items_key: str | None = None,
        max_pages: int | None = None,
    ) -> list[Any]:
        """Every item of a listing, following next links for at most ``max_pages`` pages.

        ``items_key`` names the list inside an object body (GitHub's ``workflow_runs``);
        otherwise the body must be a JSON array.
        """
        import httpx

        limit = max_pages or self.options.max_pages
        items: list[Any] = []
        next_url: str | None = url
        query = params
        for _ in range(limit):
            if next_url is None:
                break
            page = await self.get_page(next_url, query)
            query = None  # the next link carries the whole query
            batch = page.body.get(items_key) if items_key and isinstance(page.body, dict) else page.body
            if not isinstance(batch, list):
                where = httpx.URL(next_url).copy_with(query=None)
                expected = f"an object with a {items_key!r} list" if items_key else "a JSON array"
                raise SourceBadResponse(f"{where}: expected {expected}")
            items.extend(batch)
            next_url = page.next_url
        return items
