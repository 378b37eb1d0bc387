"""The fault matrix: every HTTP source type against every upstream fault.

For each (source type, fault): the poll fails with the right kind of error, in one line, with no
secret in it; the last good data stays on, marked ``error`` with its age; and when the upstream
answers again the source recovers by itself.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.engine.cache import CacheStore
from cockpit.engine.runbooks import index_opener
from cockpit.core.models import Alert, SourceState, SourceStatus, utcnow
from cockpit.engine.poller import Poller
from cockpit.engine.registry import load_source_class
from cockpit.sources.base import SourceContext
from cockpit.core.errors import (
    SourceAuthError, SourceBadResponse, SourceError, SourceRateLimited, SourceTimeout, SourceUnreachable,
)
from tests.fault_server import MODES, FaultServer

SECRET = "s3cr3t-T0KEN-do-not-leak"

# Minimal options per HTTP source type, and a body each accepts as "nothing to report".
SOURCES: dict[str, tuple[dict, object]] = {
    "alertmanager": ({}, []),
    "prometheus-alerts": ({}, {"status": "success", "data": {"alerts": []}}),
    "pagerduty": ({}, {"/oncalls": {"oncalls": [], "more": False, "limit": 25, "offset": 0},
                       "*": {"incidents": [], "more": False, "limit": 25, "offset": 0}}),
    "prometheus-slo": ({}, {"status": "success", "data": {"resultType": "vector", "result": []}}),
    "github": ({"repos": ["shop/checkout"], "branches": ["main"]},
               {"/deployments": [], "*": {"total_count": 0, "workflow_runs": []}}),
    "gitlab": ({"projects": ["shop/checkout"]}, []),
    "argocd": ({}, {"items": []}),
    "jenkins": ({"username": "ci"}, {"jobs": []}),
}

EXPECTED: dict[str, type[SourceError]] = {
    "refused": SourceUnreachable, "dns": SourceUnreachable, "tls": SourceUnreachable,
    "hang": SourceTimeout, "500": SourceBadResponse, "401": SourceAuthError, "403": SourceAuthError,
    "429": SourceRateLimited, "malformed": SourceBadResponse, "html": SourceBadResponse,
    "empty": SourceBadResponse, "huge": SourceBadResponse,
}


@pytest.fixture(scope="module")
def server():
    with FaultServer() as running:
        yield running


def make_source(type_name: str, url: str, tmp_path: Path, timeout: float = 2.0):
    source_class = load_source_class(type_name)
    extra, _ = SOURCES[type_name]
    options = source_class.Options.model_validate(
        {"url": url, "token": SECRET, "interval": "10s", "timeout": f"{timeout}s", **extra}
    )
    return source_class("faulty", options, SourceContext(cache_dir=tmp_path))


async def fetch_error(source) -> SourceError | None:
    try:
        await asyncio.wait_for(source.fetch(), timeout=source.options.timeout + 3)
    except SourceError as exc:
        return exc
    finally:
        await source.close()
    return None


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("type_name", list(SOURCES))
async def test_fault_is_reported_as_its_kind_in_one_line_without_secrets(
    type_name: str, mode: str, server: FaultServer, tmp_path: Path
) -> None:
    server.mode = mode
    source = make_source(type_name, server.url_for(mode), tmp_path, timeout=1.0)
    error = await fetch_error(source)
    assert isinstance(error, EXPECTED[mode]), f"{type_name}/{mode}: got {error!r}"
    assert "\n" not in error.message and 0 < len(error.message) <= 300
    assert SECRET not in error.message
    if mode == "429":
        assert error.retry_at is not None, "Retry-After must be read"
    server.mode = "ok"


@pytest.mark.parametrize("type_name", list(SOURCES))
async def test_failing_source_keeps_last_data_marked_and_recovers(type_name: str, server: FaultServer, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    source = make_source(type_name, server.url, tmp_path)
    last_good = SourceState(
        name="faulty", type=type_name, kind=source.kind, interval_s=1.0,
        fetched_at=utcnow() - timedelta(minutes=3),
        items=[Alert(source="faulty", fingerprint="f1", name="KeptFromLastPoll")],
    )
    store.save(last_good)
    poller = Poller([source], store)
    server.mode = "500"
    failed = await poller.poll_once(source)
    assert failed.status is SourceStatus.ERROR and "500" in failed.error
    assert [i.name for i in failed.items] == ["KeptFromLastPoll"]
    assert failed.age_s() >= 180, "the age of the kept data is still shown"
    server.mode, server.ok_body = "ok", SOURCES[type_name][1]
    recovered = await poller.poll_once(source)
    await source.close()
    assert recovered.status is SourceStatus.OK and recovered.error is None, recovered.error
    raw = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert SECRET.encode() not in raw, "a token reached the cache"


async def test_poller_loop_recovers_by_itself_when_the_upstream_returns(server: FaultServer, tmp_path: Path) -> None:
    source = make_source("alertmanager", server.url, tmp_path)
    states: list[SourceState] = []
    poller = Poller([source], CacheStore(tmp_path / "cache"), states.append, share=False, rng=lambda: 0.0)
    server.mode = "500"
    task = asyncio.create_task(poller.run())
    for _ in range(200):
        await asyncio.sleep(0.05)
        if any(s.status is SourceStatus.ERROR for s in states):
            break
    server.mode, server.ok_body = "ok", []
    for _ in range(200):
        await asyncio.sleep(0.05)
        if states and states[-1].status is SourceStatus.OK:
            break
    poller.stop()
    await asyncio.wait_for(task, 10)
    await source.close()
    assert states[0].status is SourceStatus.ERROR and states[-1].status is SourceStatus.OK


@pytest.mark.parametrize("type_name", ["git", "runbooks"])
async def test_local_source_with_a_missing_path_fails_clearly(type_name: str, tmp_path: Path) -> None:
    source_class = load_source_class(type_name)
    key = {"git": {"path": str(tmp_path / "no-such-repo")}, "runbooks": {"paths": [str(tmp_path / "no-such-dir")]}}
    context = SourceContext(cache_dir=tmp_path, open_runbook_index=index_opener(tmp_path))  # as the engine lends it
    source = source_class("local", source_class.Options.model_validate(key[type_name]), context)
    state = await Poller([source], CacheStore(tmp_path / "cache")).poll_once(source)
    assert state.status is SourceStatus.ERROR and "no-such" in state.error and "\n" not in state.error
