"""The write path: refused when read-only, sent once, every attempt in the audit log.

The happy path against a real Alertmanager is in test_alertmanager.py; here a loopback server
that fails on purpose checks that a failed write is reported and never resent, not even to the
next peer.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cockpit.engine.actions import (
    create_silence,
    default_author,
    expire_silence,
    silence_request,
)
from cockpit.core.silences import matching_alerts, silence_matchers_for
from cockpit.engine.audit import AuditLog
from cockpit.core.models import Alert
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceBadResponse, SourceOutcomeUnknown, SourceWriteRefused
from cockpit.core.matchers import parse_matchers
from cockpit.sources.prometheus_alerts import PrometheusAlertsSource
from tests.loopback import Answer, Loopback, Request


class FailingAlertmanager(Loopback):
    """Counts silence POSTs and answers each with ``status`` (or hangs when ``hang``)."""

    def __init__(self, status: int = 500, hang: bool = False) -> None:
        super().__init__(self._answer)
        self.status = status
        self.hang = hang
        self.release = threading.Event()
        self.start()

    @property
    def posts(self) -> int:
        return sum(r.method == "POST" for r in self.requests)

    def _answer(self, request: Request) -> Answer:
        if request.method != "POST":  # as http.server answers a method it does not serve
            return Answer(501, b"Unsupported method", content_type="text/html")
        if self.hang:
            self.release.wait(10)
        return Answer(self.status, {"code": self.status, "message": "boom"}, content_type="application/json")

    def stop(self) -> None:
        self.release.set()
        super().stop()


@pytest.fixture
def peers():
    first, second = FailingAlertmanager(), FailingAlertmanager(status=200)
    yield first, second
    first.stop()
    second.stop()


def am_source(tmp_path: Path, urls: list[str], timeout: str = "5s") -> AlertmanagerSource:
    opts = AlertmanagerSource.Options(urls=urls, timeout=timeout, token="s3cret-token")
    return AlertmanagerSource("am", opts, SourceContext(cache_dir=tmp_path))


def a_request():
    return silence_request(parse_matchers("alertname=Foo"), duration_s=900, comment="maintenance", created_by="eve")


async def test_a_failed_write_is_reported_recorded_and_not_resent(peers, tmp_path: Path) -> None:
    first, second = peers
    audit = AuditLog.in_dir(tmp_path)
    source = am_source(tmp_path, [first.url, second.url])
    try:
        with pytest.raises(SourceBadResponse, match="500"):
            await create_silence(source, a_request(), read_only=False, audit=audit)
    finally:
        await source.close()
    assert (first.posts, second.posts) == (1, 0)
    [intent, entry] = audit.entries()
    assert intent["result"] == "sending" and intent["what"] == "create_silence"
    assert entry["result"] == "error" and "500" in entry["error"]
    assert entry["who"] == "eve" and entry["what"] == "create_silence" and entry["source"] == "am"
    assert "s3cret-token" not in audit.path.read_text()


async def test_a_write_that_times_out_is_not_sent_to_the_next_peer(tmp_path: Path) -> None:
    slow, other = FailingAlertmanager(status=200, hang=True), FailingAlertmanager(status=200)
    audit = AuditLog.in_dir(tmp_path)
    source = am_source(tmp_path, [slow.url, other.url], timeout="0.5s")
    try:
        with pytest.raises(SourceOutcomeUnknown):  # not "failed": the slow peer may apply it
            await create_silence(source, a_request(), read_only=False, audit=audit)
    finally:
        await source.close()
        slow.stop()
        other.stop()
    assert (slow.posts, other.posts) == (1, 0)
    assert [e["result"] for e in audit.entries()] == ["sending", "unknown"]


async def test_read_only_sends_nothing(peers, tmp_path: Path) -> None:
    first, second = peers
    audit = AuditLog.in_dir(tmp_path)
    source = am_source(tmp_path, [first.url, second.url])
    try:
        with pytest.raises(SourceWriteRefused) as info:
            await create_silence(source, a_request(), read_only=True, audit=audit)
    finally:
        await source.close()
    assert "read-only" in str(info.value)
    assert (first.posts, second.posts) == (0, 0)
    assert audit.entries()[0]["result"] == "refused"


async def test_a_source_that_cannot_silence_refuses(tmp_path: Path) -> None:
    audit = AuditLog.in_dir(tmp_path)
    prom = PrometheusAlertsSource("prom", PrometheusAlertsSource.Options(url="http://127.0.0.1:9"), SourceContext(cache_dir=tmp_path))
    with pytest.raises(SourceWriteRefused, match="cannot silence"):
        await create_silence(prom, a_request(), read_only=False, audit=audit)
    with pytest.raises(SourceWriteRefused, match="cannot silence"):
        await expire_silence(prom, "abc", read_only=False, audit=audit, who="eve")
    assert [(e["what"], e["result"]) for e in audit.entries()] == [
        ("create_silence", "refused"),
        ("expire_silence", "refused"),
    ]


def test_audit_log_is_private_and_skips_torn_lines(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "audit.jsonl"
    path.parent.mkdir()
    path.write_text('{"who": "old"}\n{"torn": ')
    path.chmod(0o644)
    audit = AuditLog(path)
    audit.append(who="ann", what="create_silence", source="am", result="ok", details={"silence_id": "x"})
    assert (path.stat().st_mode & 0o777) == 0o600
    entries = audit.entries()
    assert entries[0] == {"who": "old"}
    assert entries[-1]["who"] == "ann" and entries[-1]["when"].endswith("Z")
    assert set(entries[-1]) >= {"who", "when", "what", "source", "result"}


def test_new_audit_log_is_created_0600(tmp_path: Path) -> None:
    old_umask = os.umask(0)
    try:
        audit = AuditLog.in_dir(tmp_path / "fresh")
        audit.append(who="a", what="expire_silence", source="am", result="ok")
    finally:
        os.umask(old_umask)
    assert (audit.path.stat().st_mode & 0o777) == 0o600


def test_prefilled_matchers_and_preview_count() -> None:
    crash = Alert(source="am", fingerprint="1", name="PodCrash", labels={"alertname": "PodCrash", "ns": "prod", "pod": "a"})
    crash2 = Alert(source="am", fingerprint="2", name="PodCrash", labels={"alertname": "PodCrash", "ns": "prod", "pod": "b"})
    other = Alert(source="am", fingerprint="3", name="Disk", labels={"alertname": "Disk", "ns": "prod"})
    exact = silence_matchers_for(crash, volatile=())
    assert [str(m) for m in exact] == ['alertname="PodCrash"', 'ns="prod"', 'pod="a"']
    assert matching_alerts([crash, crash2, other], exact) == [crash]
    stable = silence_matchers_for(crash)  # by default the pod is left out: the silence outlives it
    assert [str(m) for m in stable] == ['alertname="PodCrash"', 'ns="prod"']
    assert matching_alerts([crash, crash2, other], stable) == [crash, crash2]
    group = silence_matchers_for(crash, ["alertname", "ns"])
    assert matching_alerts([crash, crash2, other], group) == [crash, crash2]
    assert matching_alerts([crash], []) == []
    request = silence_request(group, duration_s=3600, comment="x")
    assert request.created_by == default_author()
    assert (request.ends_at - request.starts_at).total_seconds() == 3600
