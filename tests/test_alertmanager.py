"""The alertmanager source against REAL Prometheus and Alertmanager binaries on loopback.

One module-scoped setup: Prometheus evaluating rules that always fire, sending to an HA pair
(gossiping over ``--cluster.peer``) and to a second pair that a test kills.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.engine.actions import create_silence, expire_silence, list_silences, silence_request
from cockpit.engine.audit import AuditLog
from cockpit.core.models import AlertState, FetchResult
from cockpit.sources.alertmanager import AlertmanagerSource, merge_peer_alerts
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceBadResponse, SourceUnreachable, SourceWriteRefused
from cockpit.core.matchers import parse_matchers
from tests.loopback import Answer, Loopback
from tests.servers import (
    async_wait_until,
    free_port,
    require_binary,
    start_alertmanager,
    start_prometheus,
)

pytestmark = pytest.mark.server

RULES = """\
groups:
  - name: cockpit-test
    rules:
      - alert: CheckoutDown
        expr: vector(1)
        labels: {severity: critical, service: checkout}
        annotations:
          summary: Checkout is down
          runbook_url: https://runbooks.example.test/runbooks/checkout/CheckoutDown
      - alert: DiskFilling
        expr: vector(1)
        labels: {severity: warning, service: storage}
        annotations: {description: Disk will fill in 4h}
      - alert: SilenceTarget
        expr: vector(1)
        labels: {severity: info, service: batch}
      - alert: ReadOnlyTarget
        expr: vector(1)
        labels: {severity: info, service: reports}
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("am")
    started = []
    try:
        am1 = start_alertmanager(tmp, cluster=True)
        started.append(am1)
        am2 = start_alertmanager(tmp, peers=[am1])
        started.append(am2)
        doomed1 = start_alertmanager(tmp, cluster=True)
        started.append(doomed1)
        doomed2 = start_alertmanager(tmp, peers=[doomed1])
        started.append(doomed2)
        rules = tmp / "rules.yml"
        rules.write_text(RULES)
        prom = start_prometheus(tmp, rule_files=[rules], alertmanagers=[am1, am2, doomed1, doomed2])
        started.append(prom)
        yield {"am1": am1, "am2": am2, "doomed1": doomed1, "doomed2": doomed2, "prom": prom}
    finally:
        for server in reversed(started):
            server.stop()


def make_source(tmp_path: Path, urls: list[str], **options) -> AlertmanagerSource:
    opts = AlertmanagerSource.Options(urls=urls, timeout="5s", **options)
    return AlertmanagerSource("am-test", opts, SourceContext(cache_dir=tmp_path))


def by_name(result: FetchResult) -> dict[str, list]:
    found: dict[str, list] = {}
    for alert in result.items:
        found.setdefault(alert.name, []).append(alert)
    return found


async def wait_for(source: AlertmanagerSource, check, what: str, timeout: float = 45.0) -> FetchResult:
    async def attempt():
        result = await source.fetch()
        return result if check(result) else None

    return await async_wait_until(attempt, timeout=timeout, what=what)  # type: ignore[return-value]


async def test_alerts_from_prometheus_rules_reach_the_source(servers, tmp_path: Path) -> None:
    source = make_source(tmp_path, [servers["am1"].url])
    try:
        result = await wait_for(source, lambda r: {"CheckoutDown", "DiskFilling"} <= set(by_name(r)), "alerts")
    finally:
        await source.close()
    alert = by_name(result)["CheckoutDown"][0]
    assert alert.severity == "critical"
    assert alert.state is AlertState.FIRING
    assert alert.labels["service"] == "checkout" == alert.service
    assert alert.summary == "Checkout is down"
    assert alert.runbook is not None and alert.runbook.url.endswith("/checkout/CheckoutDown")
    assert alert.runbook.path is None
    assert alert.generator_url and alert.generator_url.startswith(servers["prom"].url)
    assert alert.starts_at is not None and alert.starts_at.tzinfo is not None
    assert alert.peers == [servers["am1"].url]
    assert len(alert.fingerprint) == 16
    assert by_name(result)["DiskFilling"][0].summary == "Disk will fill in 4h"
    assert result.degraded is None


async def test_ha_pair_lists_each_alert_once_with_both_peers(servers, tmp_path: Path) -> None:
    peers = [servers["am1"].url, servers["am2"].url]
    source = make_source(tmp_path, peers)

    def both_peers_report(result: FetchResult) -> bool:
        named = by_name(result)
        return "CheckoutDown" in named and all(len(a.peers) == 2 for a in result.items)

    try:
        result = await wait_for(source, both_peers_report, "both peers to report every alert")
    finally:
        await source.close()
    fingerprints = [a.fingerprint for a in result.items]
    assert len(fingerprints) == len(set(fingerprints))
    assert len(by_name(result)["CheckoutDown"]) == 1
    assert sorted(by_name(result)["CheckoutDown"][0].peers) == sorted(peers)
    assert result.degraded is None
    assert result.info["peers"] == "2/2 up"


async def test_filter_option_is_sent_to_the_alertmanager(servers, tmp_path: Path) -> None:
    source = make_source(tmp_path, [servers["am1"].url], filter=['severity=~"warn.*"'])
    try:
        result = await wait_for(source, lambda r: bool(r.items), "filtered alerts")
    finally:
        await source.close()
    assert {a.name for a in result.items} == {"DiskFilling"}


def test_bad_filter_is_refused_by_the_options() -> None:
    with pytest.raises(ValueError, match="bad matcher"):
        AlertmanagerSource.Options(urls=["http://127.0.0.1:9"], filter=["severity"])


def amtool_silences(url: str) -> list[dict]:
    amtool = require_binary("amtool")
    out = subprocess.run(
        [amtool, "silence", "query", f"--alertmanager.url={url}", "-o", "json"],
        capture_output=True, text=True, timeout=30, check=True,
    )
    return json.loads(out.stdout or "[]") or []


async def test_silence_created_appears_in_amtool_then_expires(servers, tmp_path: Path) -> None:
    am1, am2 = servers["am1"].url, servers["am2"].url
    dead = f"http://127.0.0.1:{free_port()}"
    # The first configured peer is down: the write goes to the first live one, once.
    source = make_source(tmp_path, [dead, am1, am2])
    audit = AuditLog.in_dir(tmp_path / "cache")
    request = silence_request(
        parse_matchers("alertname=SilenceTarget, service=batch"),
        duration_s=3600, comment="cockpit test: deploying batch", created_by="ada",
    )
    try:
        await wait_for(source, lambda r: "SilenceTarget" in by_name(r), "SilenceTarget alert")
        silence_id = await create_silence(source, request, read_only=False, audit=audit)

        listed = {s["id"]: s for s in amtool_silences(am1)}
        assert silence_id in listed
        assert listed[silence_id]["createdBy"] == "ada"
        assert listed[silence_id]["comment"] == "cockpit test: deploying batch"
        assert any(s.id == silence_id for s in await list_silences(source))

        def silenced(result: FetchResult) -> bool:
            target = by_name(result).get("SilenceTarget", [None])[0]
            return target is not None and target.state is AlertState.SILENCED
        result = await wait_for(source, silenced, "SilenceTarget to turn silenced on both peers")
        target = by_name(result)["SilenceTarget"][0]
        assert target.silenced_by == [silence_id]
        assert by_name(result)["CheckoutDown"][0].state is AlertState.FIRING
        assert "peer " + dead in (result.degraded or "")

        await expire_silence(source, silence_id, read_only=False, audit=audit, who="ada")
        assert silence_id not in {s["id"] for s in amtool_silences(am1)}
        await wait_for(
            source, lambda r: by_name(r)["SilenceTarget"][0].state is AlertState.FIRING, "alert firing again"
        )
    finally:
        await source.close()
    entries = audit.entries()
    assert [(e["what"], e["result"], e["who"]) for e in entries] == [
        ("create_silence", "sending", "ada"),  # the intent, before the request left
        ("create_silence", "ok", "ada"),
        ("expire_silence", "sending", "ada"),
        ("expire_silence", "ok", "ada"),
    ]
    assert entries[1]["details"]["silence_id"] == silence_id
    assert entries[0]["source"] == "am-test"
    assert (audit.path.stat().st_mode & 0o777) == 0o600


async def test_read_only_refuses_and_the_refusal_is_recorded(servers, tmp_path: Path) -> None:
    am1 = servers["am1"].url
    source = make_source(tmp_path, [am1])
    audit = AuditLog.in_dir(tmp_path)
    request = silence_request(
        parse_matchers("alertname=ReadOnlyTarget"), duration_s=900, comment="should never exist", created_by="bob"
    )
    try:
        with pytest.raises(SourceWriteRefused, match="read-only"):
            await create_silence(source, request, read_only=True, audit=audit)
        with pytest.raises(SourceWriteRefused, match="read-only"):
            await expire_silence(source, "any-id", read_only=True, audit=audit, who="bob")
    finally:
        await source.close()
    assert all(s.get("comment") != "should never exist" for s in amtool_silences(am1))
    entries = audit.entries()
    assert [(e["what"], e["result"], e["who"]) for e in entries] == [
        ("create_silence", "refused", "bob"),
        ("expire_silence", "refused", "bob"),
    ]
    assert "read-only" in entries[0]["error"]
    assert entries[0]["details"]["matchers"] == ['alertname="ReadOnlyTarget"']


async def test_a_silence_without_comment_is_refused_before_sending(servers, tmp_path: Path) -> None:
    source = make_source(tmp_path, [servers["am1"].url])
    audit = AuditLog.in_dir(tmp_path)
    request = silence_request(parse_matchers("alertname=X"), duration_s=60, comment="  ", created_by="c")
    try:
        with pytest.raises(SourceWriteRefused, match="comment"):
            await create_silence(source, request, read_only=False, audit=audit)
        everything = silence_request(parse_matchers("team=~.*"), duration_s=60, comment="all", created_by="c")
        with pytest.raises(SourceWriteRefused, match="every alert"):
            await create_silence(source, everything, read_only=False, audit=audit)
    finally:
        await source.close()
    assert [e["result"] for e in audit.entries()] == ["refused", "refused"]


async def test_a_silence_alertmanager_refuses_says_alertmanagers_reason(servers, tmp_path: Path) -> None:
    """Sent as-is (no preview checks): a silence that ended an hour ago. Alertmanager answers 400
    with its reason in the body; the error shows that reason, not only "HTTP 400"."""
    source = make_source(tmp_path, [servers["am1"].url])
    past = silence_request(parse_matchers("alertname=X"), duration_s=60, comment="late", created_by="c",
                           starts_at=datetime.now(timezone.utc) - timedelta(hours=2))
    try:
        with pytest.raises(SourceBadResponse) as info:
            await source.create_silence(past)
    finally:
        await source.close()
    message = str(info.value)
    assert "HTTP 400" in message and "end time" in message.lower() and "past" in message.lower()


async def test_killed_peer_keeps_the_live_peers_alerts_and_reports_degraded(servers, tmp_path: Path) -> None:
    doomed1, doomed2 = servers["doomed1"], servers["doomed2"]
    source = make_source(tmp_path, [doomed1.url, doomed2.url])
    try:
        await wait_for(
            source,
            lambda r: "CheckoutDown" in by_name(r) and all(len(a.peers) == 2 for a in r.items),
            "both doomed peers to report",
        )
        doomed2.kill()
        result = await source.fetch()
        alert = by_name(result)["CheckoutDown"][0]
        assert alert.peers == [doomed1.url]
        assert result.degraded == f"peer {doomed2.url}: connection refused"
        assert result.info["peers"] == "1/2 up"

        doomed1.kill()
        with pytest.raises(SourceUnreachable, match="all 2 peers failed") as info:
            await source.fetch()
        assert doomed1.url in str(info.value) and doomed2.url in str(info.value)
    finally:
        await source.close()


async def test_silence_start_end_round_trip(servers, tmp_path: Path) -> None:
    source = make_source(tmp_path, [servers["am2"].url])
    audit = AuditLog.in_dir(tmp_path)
    request = silence_request(
        parse_matchers('alertname="NoSuchAlert", env=~"prod|staging"'), duration_s=7200, comment="window", created_by="d"
    )
    try:
        silence_id = await create_silence(source, request, read_only=False, audit=audit)
        found = {s.id: s for s in await list_silences(source)}[silence_id]
        assert (found.ends_at - found.starts_at).total_seconds() == pytest.approx(7200, abs=5)
        assert {(m["name"], m["value"], m["isRegex"]) for m in found.matchers} == {
            ("alertname", "NoSuchAlert", False),
            ("env", "prod|staging", True),
        }
        await expire_silence(source, silence_id, read_only=False, audit=audit, who="d")
        assert silence_id not in {s.id for s in await list_silences(source)}
    finally:
        await source.close()


# -- merge rules and faults, with hand-made API v2 answers ------------------------------------

def api_alert(fingerprint: str, starts: str, state: str = "active", silenced_by=(), inhibited_by=()) -> dict:
    return {
        "labels": {"alertname": "Merge", "severity": "warning"},
        "annotations": {},
        "startsAt": starts,
        "endsAt": "2026-11-27T12:00:00.000Z",
        "updatedAt": starts,
        "generatorURL": "http://prometheus.test/graph",
        "fingerprint": fingerprint,
        "receivers": [{"name": "null"}],
        "status": {"state": state, "silencedBy": list(silenced_by), "inhibitedBy": list(inhibited_by)},
    }


def test_merge_keeps_earliest_start_and_active_over_suppressed() -> None:
    a = api_alert("f1", "2026-11-27T09:00:05.123456789Z", state="suppressed", silenced_by=["s1"])
    b = api_alert("f1", "2026-11-27T09:00:00Z", state="active")
    c = api_alert("f2", "2026-11-27T09:00:00Z", state="unprocessed")
    d = api_alert("f2", "2026-11-27T09:00:00Z", state="suppressed", inhibited_by=["x"])
    merged = {al.fingerprint: al for al in merge_peer_alerts("am", [("http://p1", [a, c]), ("http://p2", [b, d])])}
    assert merged["f1"].state is AlertState.FIRING
    assert merged["f1"].starts_at.isoformat() == "2026-11-27T09:00:00+00:00"
    assert merged["f1"].peers == ["http://p1", "http://p2"]
    assert merged["f2"].state is AlertState.INHIBITED  # suppressed beats unprocessed
    assert merged["f2"].inhibited_by == ["x"]


class FakePeer(Loopback):
    """A loopback HTTP peer answering /api/v2/alerts with a fixed status and body."""

    def __init__(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        super().__init__(lambda request: Answer(status, body, content_type=content_type))
        self.start()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b"<html><body>502 Bad Gateway</body></html>", "HTML page"),
        (200, b'[{"fingerprint": ', "malformed JSON"),
        (200, b"", "empty body"),
        (200, b'{"alerts": []}', "expected a JSON list"),
        (401, b'{"message": "unauthorized"}', "HTTP 401"),
        (500, b"internal error", "HTTP 500"),
    ],
)
async def test_a_broken_peer_degrades_but_keeps_the_good_peers_alerts(tmp_path: Path, status, body, expected) -> None:
    good = FakePeer(200, json.dumps([api_alert("f1", "2026-11-27T09:00:00Z")]).encode())
    bad = FakePeer(status, body)
    source = make_source(tmp_path, [good.url, bad.url])
    try:
        result = await source.fetch()
    finally:
        await source.close()
        good.stop()
        bad.stop()
    assert [a.fingerprint for a in result.items] == ["f1"]
    assert result.degraded is not None
    assert result.degraded.startswith(f"peer {bad.url}: ") and expected in result.degraded
    assert "\n" not in result.degraded


async def test_auth_headers_and_filters_reach_every_peer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    peers = [FakePeer(200, b"[]"), FakePeer(200, b"[]")]
    monkeypatch.setenv("AM_PASSWORD", "pw-from-env")
    basic = AlertmanagerSource.Options(
        urls=[p.url for p in peers], username="oncall", password_env="AM_PASSWORD",
        headers={"X-Scope-OrgID": "tenant-a"}, filter=["team=sre"],
    )
    bearer = AlertmanagerSource.Options(url=peers[0].url, token="tok-123")
    sources = [AlertmanagerSource(n, o, SourceContext(cache_dir=tmp_path)) for n, o in (("b", basic), ("t", bearer))]
    try:
        for source in sources:
            assert (await source.fetch()).items == []
    finally:
        for source in sources:
            await source.close()
        for peer in peers:
            peer.stop()
    import base64

    expected_basic = "Basic " + base64.b64encode(b"oncall:pw-from-env").decode()
    for peer in peers:
        first = peer.requests[0]
        assert first.headers["authorization"] == expected_basic
        assert first.headers["x-scope-orgid"] == "tenant-a"
        assert first.query["filter"] == ["team=sre"]
        assert first.arg("unprocessed") == "true" and first.arg("inhibited") == "true"
    assert peers[0].requests[1].headers["authorization"] == "Bearer tok-123"
