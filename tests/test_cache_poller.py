"""Cache round-trip and staleness, poller backoff with a fake clock, leases between instances."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.engine.cache import CacheStore
from cockpit.core.models import Alert, FetchResult, SourceKind, SourceState, SourceStatus
from cockpit.engine.poller import Poller, backoff_delay
from cockpit.sources.base import Source, SourceContext, SourceOptions
from cockpit.core.errors import SourceRateLimited, SourceUnreachable

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0.timestamp()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class ScriptedSource(Source):
    """Answers from a script: an exception to raise or a list of alert names to return."""

    kind = SourceKind.ALERTS

    def __init__(self, script: list, interval: float = 10.0, stop_after: Poller | None = None) -> None:
        super().__init__("scripted", SourceOptions(interval=interval, timeout=5), SourceContext(cache_dir=Path(".")))
        self.script = list(script)
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.poller: Poller | None = None

    async def fetch(self) -> FetchResult:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)
            step = self.script.pop(0)
            if not self.script and self.poller:
                self.poller.stop()
            if isinstance(step, Exception):
                raise step
            return FetchResult(items=[Alert(source=self.name, fingerprint=n, name=n) for n in step])
        finally:
            self.in_flight -= 1


def test_cache_round_trip_keeps_items_and_fetch_time(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    state = SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, fetched_at=T0,
                        items=[Alert(source="am", fingerprint="f1", name="X", labels={"a": "b"})])
    store.save(state)
    store.close()
    again = CacheStore(tmp_path).load("am")
    assert again is not None and again.fetched_at == T0
    assert again.items[0].name == "X" and again.items[0].labels == {"a": "b"}


def test_status_ok_then_stale_after_twice_the_interval_and_error_wins() -> None:
    state = SourceState(name="s", type="t", kind=SourceKind.ALERTS, fetched_at=T0, interval_s=15)
    assert state.status_at(T0 + timedelta(seconds=29)) is SourceStatus.OK
    assert state.status_at(T0 + timedelta(seconds=31)) is SourceStatus.STALE
    state.error = "connection refused"
    assert state.status_at(T0 + timedelta(seconds=1)) is SourceStatus.ERROR
    assert SourceState(name="s", type="t", kind=SourceKind.ALERTS).status_at(T0) is SourceStatus.STALE


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    low, high = (lambda: 0.0), (lambda: 0.999999)
    assert backoff_delay(0, 10) == 10
    assert [round(backoff_delay(n, 10, cap=300, rng=high)) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]
    assert [backoff_delay(n, 10, cap=300, rng=low) for n in range(1, 4)] == [5, 10, 20]


async def test_poller_backs_off_keeps_last_data_and_recovers(tmp_path: Path) -> None:
    clock = FakeClock()
    source = ScriptedSource([["A"], SourceUnreachable("peer: connection refused"), SourceUnreachable("again"),
                             SourceUnreachable("again"), ["A", "B"]])
    updates: list[SourceState] = []
    poller = Poller([source], CacheStore(tmp_path), updates.append, clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    source.poller = poller
    await asyncio.wait_for(poller.run(), 5)
    assert [u.status for u in updates] == [SourceStatus.OK, SourceStatus.ERROR, SourceStatus.ERROR, SourceStatus.ERROR, SourceStatus.OK]
    # While failing, the last good data stays on and the reason is one line.
    assert [i.name for i in updates[2].items] == ["A"] and updates[2].error == "again"
    assert updates[1].fetched_at == updates[0].fetched_at
    # interval, then backoff 7.5, 15, 30 (equal jitter at 0.5 of 10, 20, 40), then back to interval
    assert clock.sleeps[:5] == [10, 7.5, 15, 30, 10]
    assert [i.name for i in updates[-1].items] == ["A", "B"] and updates[-1].error is None
    assert source.max_in_flight == 1


async def test_rate_limited_source_waits_until_retry_at(tmp_path: Path) -> None:
    clock = FakeClock()
    retry = datetime.fromtimestamp(clock.now + 600, timezone.utc)
    source = ScriptedSource([["A"], SourceRateLimited("rate limited, retry at 09:10:00Z", retry_at=retry), ["A"]])
    updates: list[SourceState] = []
    poller = Poller([source], CacheStore(tmp_path), updates.append, clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    source.poller = poller
    await asyncio.wait_for(poller.run(), 5)
    assert "rate limited" in updates[1].error and updates[1].items
    # The upstream is up and asked us to wait: the kept data is reported stale, not an error.
    assert updates[1].status is SourceStatus.STALE and updates[2].status is SourceStatus.OK
    assert clock.sleeps[1] == pytest.approx(590)  # 600s from the start, minus the first interval


async def test_a_crashing_adapter_does_not_kill_the_poller(tmp_path: Path) -> None:
    clock = FakeClock()
    source = ScriptedSource([KeyError("boom"), ["A"]])
    updates: list[SourceState] = []
    poller = Poller([source], CacheStore(tmp_path), updates.append, clock=clock, sleep=clock.sleep)
    source.poller = poller
    await asyncio.wait_for(poller.run(), 5)
    assert "KeyError" in updates[0].error and updates[1].status is SourceStatus.OK


async def test_hung_source_times_out(tmp_path: Path) -> None:
    class Hung(ScriptedSource):
        async def fetch(self) -> FetchResult:
            await asyncio.sleep(3600)
            raise AssertionError

    source = Hung([], interval=10)
    source.options = SourceOptions(interval=10, timeout=0.1)
    state = await Poller([source], CacheStore(tmp_path)).poll_once(source)
    assert state.status is SourceStatus.ERROR and "timed out" in state.error


def test_only_one_instance_holds_a_lease(tmp_path: Path) -> None:
    first, second = CacheStore(tmp_path), CacheStore(tmp_path)
    assert first.acquire_lease("am", ttl=30)
    assert not second.acquire_lease("am", ttl=30)
    assert first.acquire_lease("am", ttl=30)  # renewal by the holder
    first.release_lease("am")
    assert second.acquire_lease("am", ttl=30)


async def test_follower_instance_shows_the_leaders_data_without_polling(tmp_path: Path) -> None:
    leader_store, follower_store = CacheStore(tmp_path), CacheStore(tmp_path)
    assert leader_store.acquire_lease("scripted", ttl=60)
    leader_store.save(SourceState(name="scripted", type="t", kind=SourceKind.ALERTS, fetched_at=T0,
                                  items=[Alert(source="scripted", fingerprint="f", name="FromLeader")]))
    clock = FakeClock()
    source = ScriptedSource([["never"]])
    updates: list[SourceState] = []
    follower = Poller([source], follower_store, updates.append, clock=clock,
                      sleep=lambda s: (follower.stop(), clock.sleep(s))[1])
    await asyncio.wait_for(follower.run(), 5)
    assert source.calls == 0
    assert [i.name for i in updates[0].items] == ["FromLeader"]


def test_corrupted_cache_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store.save(SourceState(name="x", type="t", kind=SourceKind.ALERTS))
    store.close()
    db = tmp_path / "state" / "cache.db"
    db.write_bytes(b"this is not a database" * 100)
    again = CacheStore(tmp_path)
    assert again.recovered and "rebuilt" in again.recovered
    assert again.load("x") is None
    again.save(SourceState(name="y", type="t", kind=SourceKind.ALERTS))
    assert again.load("y") is not None


def test_cache_dir_and_files_are_private(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    store.save(SourceState(name="x", type="t", kind=SourceKind.ALERTS))
    assert (tmp_path / "c").stat().st_mode & 0o777 == 0o700
    for path in (tmp_path / "c").rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path


async def test_app_says_once_that_a_corrupted_cache_was_rebuilt(tmp_path: Path) -> None:
    from cockpit.ui.app import CockpitApp
    from cockpit.engine.config import load_config
    from cockpit.engine.facade import Engine

    (tmp_path / "state").mkdir(parents=True)
    (tmp_path / "state" / "cache.db").write_bytes(b"\x00garbage" * 500)
    config = load_config(demo=True)
    app = CockpitApp(Engine(config, tmp_path), settings=config.cockpit, keys=config.keys)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.5)
        messages = [n.message for n in app._notifications]
        assert sum("rebuilt" in m for m in messages) == 1, messages
        assert "KubePodCrashLooping" in " ".join(str(s.items) for s in app.states)


def test_a_large_state_stays_in_private_files(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    items = [Alert(source="x", fingerprint=f"{i:016x}", name=f"A{i}", summary="s" * 200) for i in range(2000)]
    store.save(SourceState(name="x", type="t", kind=SourceKind.ALERTS, items=items))
    assert len(store.load("x").items) == 2000
    for path in (tmp_path / "c").rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_a_source_whose_polls_stop_arriving_turns_stale_on_screen() -> None:
    from cockpit.widgets.panel import worst_status

    state = SourceState(name="s", type="t", kind=SourceKind.ALERTS, fetched_at=T0, interval_s=15,
                        status=SourceStatus.OK)  # what the last poll said
    assert worst_status([state], T0 + timedelta(seconds=20)) is SourceStatus.OK
    assert worst_status([state], T0 + timedelta(minutes=5)) is SourceStatus.STALE
