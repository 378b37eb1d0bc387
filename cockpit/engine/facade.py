"""The engine's facade: the one object the UI talks to, typed.

It owns the sources built from the config, the cache, the poller on its own thread and the
stores (shift history, audit log, triages, handoff notes, runbook index). The TUI paints from
:meth:`Engine.initial_states` (the cache, no network) and then receives every new state through
the ``on_update`` callback, called from the poller's thread (the app hands it to Textual with
``post_message``). Everything else the UI needs is a method here, split by feature:

* silences (:class:`~cockpit.engine.facade_silences.SilencesFacade`): which sources can
  silence, list, create, expire, all awaited on the poller's loop, audited;
* runbooks (:class:`~cockpit.engine.facade_runbooks.RunbooksFacade`): locate an alert's
  runbook, search, read;
* records (:class:`~cockpit.engine.facade_records.RecordsFacade`): triages, handoff notes, the
  shift report;
* writes (:class:`~cockpit.engine.facade_writes.EngineWrites`): acknowledge, resolve, note, the
  one-key ack silence, silence extend/edit, ``[[actions]]``.

This module also exports the types those methods take and return, so the UI imports this
module and the core, nothing else of the engine (``[tool.importlinter]`` checks it).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.engine.facade_writes import AckPlan, EngineWrites
from cockpit.engine.incidents import preview as incident_preview
from cockpit.engine.pending import PendingWrite, PendingWrites
from cockpit.engine.silence_soon import ending_soon, ends_soon, handoff_text, soonest_first
from cockpit.engine.user_actions import ActionError, ActionResult, ActionSpec, render_command, render_url
from cockpit.sources.base import SilenceRequest
from cockpit.core.models import SourceKind, SourceState
from cockpit.core.settings import section_value
from cockpit.engine.actions import default_author
from cockpit.engine.audit import AuditLog
from cockpit.engine.cache import CacheStore
from cockpit.engine.config import CockpitSection, Config
from cockpit.engine.enrich import RunbookResolver
from cockpit.engine.facade_records import RecordsFacade
from cockpit.engine.facade_runbooks import Located, ParsedRunbook
from cockpit.engine.facade_silences import SilenceInfo, SilencesFacade
from cockpit.engine.poller import Poller
from cockpit.engine.registry import build_source
from cockpit.engine.runbooks import index_opener
from cockpit.engine.runbooks.doc import MAX_RUNBOOK_BYTES
from cockpit.sources.base import Source, SourceContext

if TYPE_CHECKING:
    from cockpit.engine.handoff import HandoffNote
    from cockpit.engine.history import History
    from datetime import datetime

    from cockpit.engine.report.build import ReportOptions
    from cockpit.engine.report.model import Episode
    from cockpit.engine.report.render import SECTIONS as REPORT_SECTIONS
    from cockpit.engine.triage.store import Triage, TriageError, TriageStep

_LATER = {
    "HandoffNote": ("cockpit.engine.handoff", "HandoffNote"),
    "REPORT_SECTIONS": ("cockpit.engine.report.render", "SECTIONS"),
    "Episode": ("cockpit.engine.report.model", "Episode"),
    "ReportOptions": ("cockpit.engine.report.model", "ReportOptions"),
    "Triage": ("cockpit.engine.triage.store", "Triage"),
    "TriageError": ("cockpit.engine.triage.store", "TriageError"),
    "TriageStep": ("cockpit.engine.triage.store", "TriageStep"),
}
"""Types of the records (triages, notes, report) exported here but imported on first use, so
that starting the TUI does not load the stores it touches only after the first paint."""


def __getattr__(name: str) -> Any:
    if name in _LATER:
        module, attribute = _LATER[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Episode",
    "ReportOptions",
    "MAX_RUNBOOK_BYTES",
    "AckPlan",
    "ActionError",
    "ActionResult",
    "ActionSpec",
    "PendingWrite",
    "PendingWrites",
    "SilenceRequest",
    "ending_soon",
    "ends_soon",
    "handoff_text",
    "incident_preview",
    "soonest_first",
    "render_command",
    "render_url",
    "REPORT_SECTIONS",
    "Engine",
    "HandoffNote",
    "Located",
    "ParsedRunbook",
    "SilenceInfo",
    "Triage",
    "TriageError",
    "TriageStep",
]

log = logging.getLogger(__name__)


class Engine(SilencesFacade, RecordsFacade, EngineWrites):
    """Owns the sources, the cache store, the stores and the background poller thread; the
    incident writes, acks, silence edits and ``[[actions]]`` in :class:`EngineWrites`."""

    def __init__(self, config: Config, cache_dir: Path, *, state_dir: Path | None = None, read_only: bool | None = None,
                 share: bool = True, sources: Sequence[Source] | None = None) -> None:
        """``cache_dir`` holds what can be rebuilt; ``state_dir`` what cannot (history, audit log,
        triages, handoff notes); without it both live in ``cache_dir`` (tests, embedders).
        ``sources``: use these instead of building the config's (tests, embedding)."""
        self.config = config
        self.cache_dir = Path(cache_dir)
        self.state_dir = Path(state_dir) if state_dir is not None else self.cache_dir
        self.read_only = config.cockpit.read_only if read_only is None else read_only
        self.store = CacheStore(self.cache_dir)
        self.audit = AuditLog.in_dir(self.state_dir)
        """Every write attempted from this cockpit (silences created and expired)."""
        context = SourceContext(cache_dir=self.cache_dir, read_only=self.read_only, config_dir=config.config_dir,
                                open_runbook_index=index_opener(self.cache_dir))
        self.sources: list[Source] = list(sources) if sources is not None else [
            build_source(entry.name, entry.type, entry.options, context) for entry in config.sources
        ]
        self.resolver = RunbookResolver(self.sources)
        self.poller = Poller(self.sources, self.store, share=share, enrich=self.resolver.apply)
        self._history: History | None = None
        self._history_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._polls_released = threading.Event()
        self._stopped = False
        self._stop_lock = threading.Lock()

    # -- settings ---------------------------------------------------------------------------

    @property
    def settings(self) -> CockpitSection:
        """The config's ``[cockpit]`` section."""
        return self.config.cockpit

    @property
    def keys(self) -> dict[str, str]:
        """The config's ``[keys]`` table (binding id -> keys)."""
        return self.config.keys

    def setting(self, name: str, default: Any = None) -> Any:
        """One ``[cockpit]`` setting; ``default`` when unset."""
        return section_value(self.config.cockpit, name, default)

    @property
    def user(self) -> str:
        """Who acts from this cockpit: the config's ``cockpit.user``, else the login name."""
        return str(self.setting("user", "") or default_author())

    @property
    def history(self) -> History:
        """The shift history (``<state_dir>/history.sqlite``), opened on first use.

        Not opened in ``__init__``: the TUI builds the engine before its first paint, and the
        first record happens on the poller's thread after the first poll.
        """
        with self._history_lock:
            if self._history is None:
                from cockpit.engine.history import History  # loaded after the first paint

                self._history = History(self.state_dir)
            return self._history

    def shift_report(self, opts: ReportOptions) -> tuple[dict[str, Any], dict[str, str]]:
        """The shift report for ``opts``'s window, rebuilt from the upstreams that keep history
        and merged with this cockpit's history (blocking: call it from a worker thread); and the
        sources that could not answer."""
        from cockpit.engine.report.build import rebuild_report

        return rebuild_report(self.config, self.history, self.state_dir, opts)

    def alert_episodes(self, since: datetime, until: datetime) -> tuple[list[Episode], dict[str, str]]:
        """The alert episodes of [since, until] as the shift report counts them (the timeline reads
        these), rebuilt from the upstreams and this cockpit's history (blocking: use a worker
        thread); and the sources that could not answer."""
        from cockpit.engine.report.build import rebuilt_episodes

        return rebuilt_episodes(self.config, self.history, self.state_dir, since, until)

    def timeline(self, since: datetime, until: datetime) -> tuple[dict[str, Any], dict[str, str]]:
        """The report's ``timeline`` section for [since, until] (the same build as ``cockpit
        report``: alert spans rebuilt from a prometheus-alerts source where one is configured,
        else this cockpit's history; runs, silences and triages), and the sources that could not
        answer (blocking: use a worker thread)."""
        from cockpit.engine.report.build import rebuilt_timeline

        return rebuilt_timeline(self.config, self.history, self.state_dir, since, until)

    @property
    def notice(self) -> str | None:
        """A one-time message for the user (the cache was rebuilt), else None."""
        return self.store.recovered

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    def panel_kinds(self) -> frozenset[SourceKind]:
        """The kinds the configured sources feed: each one's ``kind`` and what it ``provides``
        (the demo source feeds every panel). The main screen builds a panel for these only."""
        return frozenset(kind for source in self.sources for kind in (source.kind, *source.provides))

    def initial_states(self) -> list[SourceState]:
        """Every source's last known state, straight from the cache (no network)."""
        return [self.poller.current(source) for source in self.sources]

    # -- background polling -----------------------------------------------------------------

    def start(self, on_update: Callable[[SourceState], None], *, hold: bool = False) -> None:
        """Start polling on a daemon thread; ``on_update`` is called from that thread.

        With ``hold`` the thread's loop runs (what is :meth:`submit`-ted is served) but the
        first poll waits for :meth:`release_polls`: the TUI draws its first frame from the
        cache without a poll competing for the interpreter."""
        if not hold:
            self._polls_released.set()
        self.poller.on_update = self._recording(on_update)
        self._thread = threading.Thread(target=self._thread_main, name="cockpit-poller", daemon=True)
        self._thread.start()
        self._started.wait(5)

    def release_polls(self) -> None:
        """Let a held :meth:`start` begin polling (from any thread; idempotent)."""
        self._polls_released.set()

    async def _poll_when_released(self) -> None:
        if not self._polls_released.is_set():
            await asyncio.to_thread(self._polls_released.wait)
        if not self._stopped:
            await self.poller.run()

    def _recording(self, on_update: Callable[[SourceState], None]) -> Callable[[SourceState], None]:
        """``on_update`` that first records the state in the shift history."""

        def update(state: SourceState) -> None:
            try:
                history = self.history
            except Exception:  # an unusable history.sqlite must not stop polling (record() never raises)
                log.exception("history: cannot open it in %s", self.state_dir)
            else:
                history.record(state, self.poller.now())
            on_update(state)

        return update

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._started.set()
        try:
            loop.run_until_complete(self._poll_when_released())
            loop.run_until_complete(self._close_sources())
        finally:
            loop.close()

    async def _close_sources(self) -> None:
        for source in self.sources:
            try:
                await source.close()
            except Exception:
                pass

    def refresh(self, name: str | None = None) -> None:
        """Poll now: one source, or all."""
        self.poller.refresh(name)

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future:
        """Run a coroutine (a write) on the poller's loop; returns a Future."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("engine is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def stop(self, wait: float = 2.0) -> None:
        """Stop polling and close the sources and the stores; waits up to ``wait`` seconds.

        Idempotent: the app stops the engine when it unmounts and the TUI runner stops it
        again on the way out; the second call does nothing.
        """
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        self.poller.stop()
        self._polls_released.set()  # a held start ends without polling
        if self._thread is not None:
            self._thread.join(wait)
        self.store.close()
        with self._history_lock:
            if self._history is not None:
                self._history.close()

    # -- one-shot (snapshot, check) ---------------------------------------------------------

    def poll_all_once(self) -> list[SourceState]:
        """Poll every source once and return the states (blocking; not for the UI thread)."""

        async def run() -> list[SourceState]:
            try:
                states = await self.poller.poll_all_once()
                for state in states:
                    self.resolver.apply(state)  # the runbooks may have been indexed in this round
                    self.history.record(state, self.poller.now())
                return states
            finally:
                await self._close_sources()

        return asyncio.run(run())
