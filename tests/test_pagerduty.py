"""The pagerduty source against a loopback server answering like PagerDuty's REST API v2."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.core.models import AlertState
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceAuthError, SourceRateLimited
from cockpit.sources.pagerduty import DEFAULT_URL, PagerDutySource
from tests.pagerduty_server import PagerDutyServer, make_incident, make_oncall


@pytest.fixture
def api():
    server = PagerDutyServer().start()
    yield server
    server.stop()


def make_source(api: PagerDutyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **options) -> PagerDutySource:
    monkeypatch.setenv("PAGERDUTY_TOKEN", api.token)
    opts = PagerDutySource.Options(url=api.url, timeout="5s", **options)
    return PagerDutySource("pd", opts, SourceContext(cache_dir=tmp_path))


async def test_incidents_become_alerts_with_urgency_and_service(api, tmp_path, monkeypatch) -> None:
    api.incidents = [
        make_incident(1, "Checkout 5xx above 5%", urgency="high"),
        make_incident(2, "Disk 80% on db-2", status="acknowledged", urgency="low", service="Database"),
        make_incident(3, "Old thing", status="resolved"),
    ]
    api.oncalls = [make_oncall("Ada Lovelace", "Checkout Escalation"), make_oncall("Grace Hopper", "Checkout Escalation", level=2)]
    source = make_source(api, tmp_path, monkeypatch)
    try:
        result = await source.fetch()
    finally:
        await source.close()
    alerts = {a.name: a for a in result.items}
    assert set(alerts) == {"Checkout 5xx above 5%", "Disk 80% on db-2"}
    high, low = alerts["Checkout 5xx above 5%"], alerts["Disk 80% on db-2"]
    assert high.severity == "critical" and low.severity == "warning"
    assert high.labels["service"] == "Checkout API" == high.service
    assert low.labels["service"] == "Database"
    assert high.labels["urgency"] == "high" and high.labels["pd_status"] == "triggered"
    assert low.state is AlertState.FIRING and low.labels["pd_status"] == "acknowledged"
    assert high.starts_at == datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)
    assert high.generator_url == "https://acme.pagerduty.com/incidents/PINC0001"
    assert high.annotations["assigned_to"] == "Ada Lovelace"
    assert high.fingerprint == "pd-PINC0001"
    # Every escalation level, first level first (was: level 1 only).
    assert result.info == {"on call": "L1 Ada Lovelace (Checkout Escalation); L2 Grace Hopper (Checkout Escalation)"}
    assert result.degraded is None


async def test_requests_use_pagerduty_auth_accept_and_filters(api, tmp_path, monkeypatch) -> None:
    api.incidents = [make_incident(1, "A")]
    source = make_source(api, tmp_path, monkeypatch, service_ids=["PSVC001"])
    try:
        await source.fetch()
    finally:
        await source.close()
    incidents = next(r for r in api.requests if r.path == "/incidents")
    assert incidents.headers["authorization"] == f"Token token={api.token}"
    assert incidents.headers["accept"] == "application/vnd.pagerduty+json;version=2"
    assert sorted(incidents.query["statuses[]"]) == ["acknowledged", "triggered"]
    assert incidents.query["service_ids[]"] == ["PSVC001"]
    assert any(r.path == "/oncalls" and r.query.get("earliest") == ["true"] for r in api.requests)


async def test_pagination_follows_more_and_stays_bounded(api, tmp_path, monkeypatch) -> None:
    api.incidents = [make_incident(n, f"Incident {n}") for n in range(1, 26)]
    source = make_source(api, tmp_path, monkeypatch, page_size=10, on_call=False)
    bounded = make_source(api, tmp_path, monkeypatch, page_size=10, max_pages=2, on_call=False)
    try:
        result = await source.fetch()
        assert len(result.items) == 25 and result.degraded is None
        assert [r.query["offset"] for r in api.requests if r.path == "/incidents"] == [["0"], ["10"], ["20"]]

        api.requests.clear()
        result = await bounded.fetch()
    finally:
        await source.close()
        await bounded.close()
    assert len(result.items) == 20
    assert len([r for r in api.requests if r.path == "/incidents"]) == 2
    assert "first 20 incidents" in (result.degraded or "")


async def test_wrong_token_is_an_auth_error_without_the_token(api, tmp_path, monkeypatch) -> None:
    source = make_source(api, tmp_path, monkeypatch)
    monkeypatch.setenv("PAGERDUTY_TOKEN", "wrong-secret-value")
    try:
        with pytest.raises(SourceAuthError) as info:
            await source.fetch()
    finally:
        await source.close()
    assert "401" in str(info.value)
    assert "wrong-secret-value" not in str(info.value)


async def test_missing_token_is_refused_before_any_request(api, tmp_path, monkeypatch) -> None:
    source = make_source(api, tmp_path, monkeypatch)
    monkeypatch.delenv("PAGERDUTY_TOKEN")
    try:
        with pytest.raises(SourceAuthError, match="PAGERDUTY_TOKEN"):
            await source.fetch()
    finally:
        await source.close()
    assert api.requests == []


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "30"}, {"ratelimit-limit": "960", "ratelimit-remaining": "0", "ratelimit-reset": "30"}],
)
async def test_rate_limit_names_when_to_retry(api, tmp_path, monkeypatch, headers) -> None:
    api.fail_next = [("/incidents", 429, headers)]
    source = make_source(api, tmp_path, monkeypatch, on_call=False)
    before = datetime.now(timezone.utc)
    try:
        with pytest.raises(SourceRateLimited) as info:
            await source.fetch()
        assert info.value.retry_at is not None
        assert before + timedelta(seconds=25) < info.value.retry_at < before + timedelta(seconds=60)
        api.incidents = [make_incident(1, "Recovered")]
        result = await source.fetch()  # the next poll works again
    finally:
        await source.close()
    assert [a.name for a in result.items] == ["Recovered"]


async def test_on_call_failure_keeps_the_incidents(api, tmp_path, monkeypatch) -> None:
    api.incidents = [make_incident(1, "Still shown")]
    api.fail_next = [("/oncalls", 403, {})]
    source = make_source(api, tmp_path, monkeypatch)
    try:
        result = await source.fetch()
    finally:
        await source.close()
    assert [a.name for a in result.items] == ["Still shown"]
    assert result.degraded is not None and result.degraded.startswith("on-call:")
    assert "on call" not in result.info


def test_defaults_point_at_pagerduty() -> None:
    opts = PagerDutySource.Options()
    assert opts.endpoints == [DEFAULT_URL]
    assert opts.token_env == "PAGERDUTY_TOKEN"
    with pytest.raises(ValueError):
        PagerDutySource.Options(page_size=500)
