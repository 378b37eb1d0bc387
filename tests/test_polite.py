"""Polite polling (sources/polite.py) against a real loopback HTTP server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Callable

import httpx
import pytest

import cockpit.sources.polite as polite
from cockpit.core.models import FetchResult, SourceKind
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceAuthError, SourceBadResponse, SourceRateLimited
from cockpit.sources.polite import PoliteHttpSource, next_page_url
from cockpit.sources.http import format_retry_at
from tests.api_servers import FakeApi, LoopbackServer, Reply, Seen


class RoutedApi(FakeApi):
    """A fake upstream whose answers the test sets per path."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, Callable[[Seen], Reply]] = {}

    def route(self, seen: Seen) -> Reply:
        handler = self.routes.get(seen.path)
        return handler(seen) if handler else Reply(404, {"message": "Not Found"})


class Probe(PoliteHttpSource):
    kind = SourceKind.PIPELINES

    async def fetch(self) -> FetchResult:
        return FetchResult()


@pytest.fixture
def api() -> RoutedApi:
    return RoutedApi()


@pytest.fixture
def server(api):
    with LoopbackServer(api) as srv:
        yield srv


@pytest.fixture
async def probe(server, tmp_path):
    source = Probe("probe", Probe.Options(url=server.url, token="s3cr3t-token"), SourceContext(cache_dir=tmp_path))
    yield source
    await source.close()


def test_next_page_from_link_or_x_next_page_same_origin_only():
    url = "https://api.example.com/items?per_page=2"
    link = httpx.Response(200, headers={"Link": '<https://api.example.com/items?per_page=2&page=2>; rel="next", '
                                               '<https://api.example.com/items?per_page=2&page=9>; rel="last"'})
    assert next_page_url(link, url) == "https://api.example.com/items?per_page=2&page=2"
    gitlab = httpx.Response(200, headers={"X-Next-Page": "3", "X-Total-Pages": "4"})
    assert next_page_url(gitlab, url) == "https://api.example.com/items?per_page=2&page=3"
    assert next_page_url(httpx.Response(200, headers={"X-Next-Page": ""}), url) is None
    foreign = httpx.Response(200, headers={"Link": '<https://evil.example.net/steal?page=2>; rel="next"'})
    assert next_page_url(foreign, url) is None  # our token must not travel to another host
    relative = httpx.Response(200, headers={"Link": '</items?page=2>; rel="next"'})
    assert next_page_url(relative, url) == "https://api.example.com/items?page=2"


async def test_a_304_returns_the_body_parsed_last_time(api, server, probe):
    api.routes["/things"] = lambda seen: Reply(200, [{"id": 1}])
    first = await probe.get_page(f"{server.url}/things", {"per_page": 5})
    second = await probe.get_page(f"{server.url}/things", {"per_page": 5})
    assert first.body == second.body == [{"id": 1}]
    assert (first.not_modified, second.not_modified) == (False, True)
    assert "if-none-match" not in api.requests[0].headers and api.requests[1].headers["if-none-match"].startswith('W/"')
    api.routes["/things"] = lambda seen: Reply(200, [{"id": 2}])
    assert (await probe.get_page(f"{server.url}/things", {"per_page": 5})).body == [{"id": 2}]


async def test_the_cache_is_keyed_by_the_whole_url_and_bounded(api, server, probe, monkeypatch):
    monkeypatch.setattr(polite, "ETAG_CACHE_SIZE", 2)
    api.routes["/things"] = lambda seen: Reply(200, [seen.query.get("page")])
    for page in ("1", "2", "3"):
        assert await probe.get_polite_json(f"{server.url}/things", {"page": page}) == [page]
    assert await probe.get_polite_json(f"{server.url}/things", {"page": "1"}) == ["1"]
    assert "if-none-match" not in api.requests[-1].headers  # page 1 was forgotten (oldest of 3)
    await probe.get_polite_json(f"{server.url}/things", {"page": "3"})
    assert "if-none-match" in api.requests[-1].headers


async def test_a_304_without_a_cached_body_is_a_bad_response(api, server, probe):
    api.routes["/odd"] = lambda seen: Reply(304, b"")
    with pytest.raises(SourceBadResponse, match="304"):
        await probe.get_page(f"{server.url}/odd")


async def test_pagination_is_bounded_and_follows_next(api, server, probe):
    def listing(seen: Seen) -> Reply:
        chunk, headers = api.paged(seen, list(range(10)), 3)
        return Reply(200, {"total_count": 10, "things": chunk}, headers)

    api.routes["/list"] = listing
    assert await probe.paginate(f"{server.url}/list", {"per_page": 3}, items_key="things", max_pages=2) == [0, 1, 2, 3, 4, 5]
    assert await probe.paginate(f"{server.url}/list", {"per_page": 3}, items_key="things", max_pages=9) == list(range(10))
    with pytest.raises(SourceBadResponse, match="expected an object with a 'rows' list"):
        await probe.paginate(f"{server.url}/list", {"per_page": 3}, items_key="rows")


async def test_retry_after_as_an_http_date(api, server, probe):
    when = (datetime.now(timezone.utc) + timedelta(minutes=30)).replace(microsecond=0)
    api.routes["/busy"] = lambda seen: Reply(429, b"slow down", {"Retry-After": format_datetime(when, usegmt=True)}, "text/plain")
    with pytest.raises(SourceRateLimited) as caught:
        await probe.get_page(f"{server.url}/busy")
    assert caught.value.retry_at == when
    assert f"will retry after {format_retry_at(when)}" in caught.value.message  # with its date past midnight


async def test_secondary_limit_403_by_its_message_and_a_plain_403_is_auth(api, server, probe):
    body = {"message": "You have exceeded a secondary rate limit and have been temporarily blocked."}
    api.routes["/secondary"] = lambda seen: Reply(403, body)
    api.routes["/forbidden"] = lambda seen: Reply(403, {"message": "Resource not accessible by integration"})
    with pytest.raises(SourceAuthError):
        await probe.get_page(f"{server.url}/forbidden")
    before = datetime.now(timezone.utc)
    with pytest.raises(SourceRateLimited) as caught:
        await probe.get_page(f"{server.url}/secondary")
    assert before + timedelta(seconds=59) <= caught.value.retry_at <= datetime.now(timezone.utc) + timedelta(seconds=60)


@pytest.mark.parametrize("prefix", ["X-RateLimit", "RateLimit"])  # GitHub's and GitLab's names
async def test_a_spent_quota_holds_the_next_request_back_until_reset(api, server, probe, prefix):
    reset = int((datetime.now(timezone.utc) + timedelta(minutes=30)).timestamp())
    api.routes["/last"] = lambda seen: Reply(200, [1], {f"{prefix}-Remaining": "0", f"{prefix}-Reset": str(reset)})
    assert await probe.get_polite_json(f"{server.url}/last") == [1]
    with pytest.raises(SourceRateLimited) as caught:
        await probe.get_polite_json(f"{server.url}/last")
    assert len(api.requests) == 1 and probe.requests_sent == 1
    assert caught.value.retry_at == datetime.fromtimestamp(reset, timezone.utc)
    assert "s3cr3t-token" not in caught.value.message


async def test_a_reset_already_passed_does_not_hold_back(api, server, probe):
    api.routes["/last"] = lambda seen: Reply(200, [1], {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1000000001"})
    await probe.get_polite_json(f"{server.url}/last")
    await probe.get_polite_json(f"{server.url}/last")
    assert len(api.requests) == 2
