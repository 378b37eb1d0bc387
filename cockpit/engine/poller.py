"""Background polling: one task per source, own interval and timeout, backoff on failure.

Rules (from Dolphie and karma): the next poll of a source starts only after its last poll
ended; a failed poll keeps the last good data and records the one-line reason; failures back
off exponentially with jitter up to a cap; a rate-limited source waits until the upstream says.
Several instances sharing a cache dir take a lease per source so only one of them polls.

The poller runs on its own asyncio loop (see :mod:`cockpit.engine.facade`), never on Textual's.
Nothing on that loop waits on a file: the cache, the enrichment (the runbook index, whose lock
an index update holds) and the update callback (which records the shift history) run in worker
threads, so one stuck file cannot stop every source. A cache write that fails (a full disk) is
said in the source's ``degraded`` line and tried again at the next poll; polling goes on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from datetime import datetime, timezone

from cockpit.engine.cache import CacheStore, StorageError
from cockpit.core.models import SourceState
from cockpit.sources.base import Source
from cockpit.core.errors import SourceError, SourceRateLimited, SourceTimeout

__all__ = ["Poller", "backoff_delay"]

MAX_BACKOFF_S = 300.0
POLL_DEADLINE_FACTOR = 2.0
"""A whole poll may take this many times the source's ``timeout``. Each request is bounded by the
timeout itself; the outer deadline is only a safety net, and must not be the same figure: a
source that asks several peers at once must be able to report one hung peer as degraded before
the poll as a whole is cancelled."""

log = logging.getLogger(__name__)


def backoff_delay(failures: int, interval: float, cap: float = MAX_BACKOFF_S, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait after ``failures`` consecutive failures: doubling, capped, jittered.

    Equal jitter: half the step is fixed, half random, so instances do not poll in step and
    the wait never collapses to zero.
    """
    if failures <= 0:
        return interval
    step = min(max(cap, interval), interval * (2 ** (failures - 1)))
    return step / 2 + rng() * step / 2


class Poller:
    """Polls a set of sources into a :class:`CacheStore` and reports each new state."""

    def __init__(
        self,
        sources: list[Source],
        store: CacheStore,
        on_update: Callable[[SourceState], None] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] | None = None,
        rng: Callable[[], float] = random.random,
        share: bool = True,
        enrich: Callable[[SourceState], SourceState] | None = None,
    ) -> None:
        self.sources = {s.name: s for s in sources}
        self.store = store
        self.on_update = on_update or (lambda state: None)
        self.clock = clock
        self.rng = rng
        self.share = share
        self.enrich = enrich or (lambda state: state)
        """Applied to each successful poll before it is stored (e.g. runbook paths resolved)."""
        self._sleep = sleep
        self._wake: dict[str, asyncio.Event] = {}
        self._failures: dict[str, int] = {name: 0 for name in self.sources}
        self._last: dict[str, SourceState] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    # -- state --------------------------------------------------------------------------------

    def blank_state(self, source: Source) -> SourceState:
        return SourceState(
            name=source.name, type=source.type_name, kind=source.kind, interval_s=source.options.interval,
            provides=list(source.provides),
        )

    def current(self, source: Source, *, from_store: bool = False) -> SourceState:
        """The last state of a source (its last data), or a blank one; status recomputed.

        The state this poller last stored is kept in memory (re-reading and parsing 10,000
        cached alerts before every poll costs time and a second copy); a shallow copy comes
        back, so the caller may set its fields. ``from_store`` reads what another instance may
        have stored instead.
        """
        state = None if from_store else self._last.get(source.name)
        if state is None:
            state = self.store.load(source.name) or self.blank_state(source)
            if not from_store:
                self._last[source.name] = state  # the first paint and the first poll share it
        state = state.model_copy()  # the kept one may be held by the UI: never change it
        state.type, state.kind, state.interval_s = source.type_name, source.kind, source.options.interval
        state.provides = list(source.provides)
        state.status = state.status_at(self.now())
        return state

    async def poll_once(self, source: Source) -> SourceState:
        """Fetch one source once, store the outcome, and return the new state.

        On failure the last data stays and ``error`` says why in one line.
        """
        state = self.current(source) if source.name in self._last else await asyncio.to_thread(self.current, source)
        before = (state.error, state.degraded)
        state.last_attempt_at = self.now()
        state.rate_limited = False
        deadline = source.options.timeout * POLL_DEADLINE_FACTOR
        try:
            result = await asyncio.wait_for(source.fetch(), timeout=deadline)
        except asyncio.TimeoutError:
            state.error = f"timed out after {deadline:g}s"
        except SourceTimeout:
            state.error = f"timed out after {source.options.timeout:g}s"
        except SourceError as exc:
            state.error = exc.message
            if isinstance(exc, SourceRateLimited):
                state.rate_limited = True
                state.next_poll_at = exc.retry_at
        except Exception as exc:  # an adapter bug must not kill the poller or the UI
            state.error = f"{type(exc).__name__} in source: {str(exc).splitlines()[0][:160] if str(exc) else ''}".strip()
            log.error("source %s: %s", source.name, state.error, exc_info=True)
        else:
            state.items = list(result.items)
            state.info = dict(result.info)
            state.degraded = result.degraded
            state.fetched_at = self.now()
            state.error = None
            state.next_poll_at = None
            state = await asyncio.to_thread(self.enrich, state)
        state.status = state.status_at(self.now())
        try:
            await asyncio.to_thread(self.store.save, state)
        except StorageError as exc:  # a full disk: keep polling, say so, save again next time
            note = f"{exc.message}; retried at the next poll"
            state.degraded = f"{state.degraded}; {note}" if state.degraded else note
        _log_change(source.name, before, (state.error, state.degraded))
        self._last[source.name] = state
        return state

    async def poll_all_once(self) -> list[SourceState]:
        """Poll every source once, concurrently (``cockpit snapshot`` and ``check``)."""
        return list(await asyncio.gather(*(self.poll_once(s) for s in self.sources.values())))

    # -- the loop -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll every source forever on its own schedule (until :meth:`stop`)."""
        self._loop = asyncio.get_running_loop()
        self._wake = {name: asyncio.Event() for name in self.sources}
        await asyncio.gather(*(self._run_source(s) for s in self.sources.values()))

    async def _run_source(self, source: Source) -> None:
        name, interval = source.name, source.options.interval
        last_seen: float | None = None
        while not self._stopping:
            lease_ttl = max(interval * 2, source.options.timeout + interval)
            if not self.share or await asyncio.to_thread(self.store.acquire_lease, name, lease_ttl):
                state = await self.poll_once(source)
                ok = state.error is None
                self._failures[name] = 0 if ok else self._failures[name] + 1
                delay = backoff_delay(self._failures[name], interval, rng=self.rng)
                if state.next_poll_at:
                    delay = max(delay, (state.next_poll_at - self.now()).total_seconds())
                await asyncio.to_thread(self.on_update, state)
            else:
                # Another instance holds the lease: show what it stored, check again soon.
                stamp = await asyncio.to_thread(self.store.stamp, name)
                if stamp != last_seen:
                    last_seen = stamp
                    shared = await asyncio.to_thread(self.current, source, from_store=True)
                    self._last[name] = shared  # if this instance takes over, it starts from here
                    await asyncio.to_thread(self.on_update, shared)
                delay = min(interval, 2.0)
            await self._wait(name, delay)
        if self.share:
            await asyncio.to_thread(self.store.release_lease, name)

    async def _wait(self, name: str, delay: float) -> None:
        if self._sleep is not None:
            await self._sleep(delay)  # type: ignore[misc]
            return
        event = self._wake[name]
        try:
            await asyncio.wait_for(event.wait(), timeout=max(0.0, delay))
        except asyncio.TimeoutError:
            pass
        event.clear()

    def refresh(self, name: str | None = None) -> None:
        """Poll now (one source or all), from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for key in [name] if name else list(self._wake):
            if key in self._wake:
                try:
                    loop.call_soon_threadsafe(self._wake[key].set)
                except RuntimeError:  # the loop closed meanwhile: nothing left to wake
                    return

    def stop(self) -> None:
        """Ask every source loop to end after its current poll (from any thread)."""
        self._stopping = True
        self.refresh()


def _log_change(name: str, before: tuple[str | None, str | None], after: tuple[str | None, str | None]) -> None:
    """Log a source's failures and partial failures once, when they start or change (not on
    every poll of a source that stays down), and its recovery."""
    (old_error, old_degraded), (error, degraded) = before, after
    if error and error != old_error:
        log.warning("source %s: poll failed: %s", name, error)
    elif not error and old_error:
        log.info("source %s: polls again", name)
    if not error and degraded and degraded != old_degraded:
        log.warning("source %s: partial data: %s", name, degraded)
