"""One peer of a REAL Alertmanager HA pair hung (SIGSTOP): it accepts connections and never answers.

Unlike a killed peer (connection refused at once), a stopped one holds every request until the
timeout. The source must degrade, keep the live peer's alerts and its normal interval; a silence
POST that times out must be reported as "unknown" and looked for, never as "not created".
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cockpit.core.errors import SourceOutcomeUnknown, SourceTimeout
from cockpit.core.matchers import parse_matchers
from cockpit.core.models import FetchResult
from cockpit.engine.actions import create_silence, expire_silence, find_silence, silence_request
from cockpit.engine.audit import AuditLog
from cockpit.engine.cache import CacheStore
from cockpit.engine.poller import Poller
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.base import SourceContext
from tests.servers import Server, async_wait_until, start_alertmanager, start_prometheus

pytestmark = pytest.mark.server

RULES = """\
groups:
  - name: hung-peer
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: critical, service: checkout}
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("hung")
    started: list[Server] = []
    try:
        am1 = start_alertmanager(tmp, cluster=True)
        started.append(am1)
        am2 = start_alertmanager(tmp, peers=[am1])
        started.append(am2)
        rules = tmp / "rules.yml"
        rules.write_text(RULES)
        started.append(start_prometheus(tmp, rule_files=[rules], alertmanagers=[am1, am2]))
        yield am1, am2
    finally:
        for server in reversed(started):
            os.kill(server.process.pid, signal.SIGCONT) if server.running else None
            server.stop()


@contextmanager
def hung(server: Server) -> Iterator[None]:
    """The peer stopped (SIGSTOP) for the block: its sockets accept, nothing answers."""
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


def make_source(tmp_path: Path, urls: list[str], timeout: str = "1s", interval: str = "5s") -> AlertmanagerSource:
    options = AlertmanagerSource.Options(urls=urls, timeout=timeout, interval=interval)
    return AlertmanagerSource("am-ha", options, SourceContext(cache_dir=tmp_path))


async def both_report(source: AlertmanagerSource) -> FetchResult:
    async def attempt():
        result = await source.fetch()
        firing = [a for a in result.items if a.name == "AlwaysFiring"]
        return result if firing and len(firing[0].peers) == 2 else None

    return await async_wait_until(attempt, timeout=60, what="both peers to report AlwaysFiring")  # type: ignore[return-value]


async def test_a_hung_peer_degrades_the_source_and_keeps_the_live_peers_alerts(pair, tmp_path: Path) -> None:
    am1, am2 = pair
    source = make_source(tmp_path, [am1.url, am2.url])
    poller = Poller([source], CacheStore(tmp_path / "cache"), share=False)
    try:
        await both_report(source)
        with hung(am2):
            state = await poller.poll_once(source)
    finally:
        await source.close()
    assert state.error is None, f"one hung peer failed the whole source: {state.error}"
    assert state.degraded and am2.url in state.degraded and "no answer within 1s" in state.degraded
    firing = [a for a in state.items if a.name == "AlwaysFiring"]
    assert firing and firing[0].peers == [am1.url]
    assert state.info["peers"] == "1/2 up"


async def test_a_degraded_source_keeps_its_normal_interval(pair, tmp_path: Path) -> None:
    am1, am2 = pair
    source = make_source(tmp_path, [am1.url, am2.url], interval="5s")
    waits: list[float] = []
    states = []

    async def sleep(delay: float) -> None:  # the poller's wait between polls, recorded instead of slept
        waits.append(delay)
        if len(waits) == 3:
            poller.stop()

    poller = Poller([source], CacheStore(tmp_path / "cache"), states.append, share=False, sleep=sleep,
                    rng=lambda: 1.0)
    try:
        await both_report(source)
        with hung(am2):
            await poller.run()
    finally:
        await source.close()
    assert [s.error for s in states] == [None, None, None]
    assert all(s.degraded for s in states)
    assert waits == [5.0, 5.0, 5.0], "a degraded source backed off instead of polling at its interval"


async def test_a_silence_post_that_times_out_is_audited_as_unknown_and_looked_for(pair, tmp_path: Path) -> None:
    """kill -9 mid-POST must leave the intent in the audit log; a timed-out POST is "unknown"
    (the hung peer creates the silence when it wakes), never "not created"."""
    am1, am2 = pair
    source = make_source(tmp_path, [am1.url, am2.url])  # the first peer, the one that takes writes, hangs
    audit = AuditLog.in_dir(tmp_path)
    comment = f"hung peer test {tmp_path.name}"
    request = silence_request(parse_matchers("alertname=AlwaysFiring"), duration_s=600, comment=comment,
                              created_by="ada")
    try:
        await both_report(source)
        with hung(am1):
            sending = asyncio.create_task(create_silence(source, request, read_only=False, audit=audit))

            async def intent_recorded() -> bool:
                return bool(audit.entries())

            await async_wait_until(intent_recorded, timeout=5, what="the intent in the audit log")
            assert not sending.done(), "the POST was not in flight"
            assert [e["result"] for e in audit.entries()] == ["sending"]
            assert audit.entries()[0]["details"]["comment"] == comment
            with pytest.raises(SourceOutcomeUnknown) as unknown:
                await sending
        assert "unknown" in unknown.value.message and "before you retry" in unknown.value.message
        assert [e["result"] for e in audit.entries()] == ["sending", "unknown"]

        async def created() -> object:  # the woken peer applied the POST it held: a retry would duplicate
            return await find_silence(source, request)

        found = await async_wait_until(created, timeout=30, what="the silence after the peer woke")
        assert found.comment == comment and found.created_by == "ada"  # type: ignore[attr-defined]
        await expire_silence(source, found.id, read_only=False, audit=audit, who="ada")  # type: ignore[attr-defined]
    finally:
        await source.close()


async def test_a_timed_out_post_found_upstream_is_reported_created(pair, tmp_path: Path) -> None:
    """When the lookup after a timeout finds the silence, it is reported (and audited) as created."""
    am1, am2 = pair
    source = make_source(tmp_path, [am1.url, am2.url])
    audit = AuditLog.in_dir(tmp_path)
    request = silence_request(parse_matchers("alertname=AlwaysFiring, hung=late"), duration_s=600,
                              comment=f"found later {tmp_path.name}", created_by="bob")

    original = source.create_silence

    async def slow_answer(req):  # the silence is created, the answer never comes in time
        await original(req)
        raise SourceTimeout(f"{am1.url}/api/v2/silences: no answer within 1s")

    source.create_silence = slow_answer  # type: ignore[method-assign]
    try:
        silence_id = await create_silence(source, request, read_only=False, audit=audit)
        assert [e["result"] for e in audit.entries()] == ["sending", "unknown", "ok"]
        assert audit.entries()[-1]["details"]["silence_id"] == silence_id
        await expire_silence(source, silence_id, read_only=False, audit=audit, who="bob")
    finally:
        await source.close()
