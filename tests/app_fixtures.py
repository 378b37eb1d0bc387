"""Fixed data and the one fake engine for the app's Pilot and snapshot tests (fixed times).

:class:`FakeEngine` is the real engine facade (:class:`cockpit.engine.facade.Engine`) without
the poller: the UI tests drive the same facade methods the TUI calls, on the sources they give
it, with the stores in a temp cache dir.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import weakref
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.core.models import (
    Alert,
    Deploy,
    Pipeline,
    RunbookDoc,
    RunbookRef,
    Slo,
    SourceKind,
    SourceState,
    SourceStatus,
)
from cockpit.engine.config import CockpitSection, Config
from cockpit.engine.facade import Engine
from cockpit.sources.base import Source

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

__all__ = ["NOW", "FakeEngine", "engine_app", "fixed_clock", "fixed_states", "make_app", "until"]

NOW = datetime(2026, 11, 27, 9, 30, 0, tzinfo=timezone.utc)


def fixed_clock() -> datetime:
    return NOW


def ago(**kwargs: float) -> datetime:
    return NOW - timedelta(**kwargs)


def _alert(fp: str, name: str, severity: str, state: str, service: str, summary: str,
           minutes: float, **labels: str) -> Alert:
    return Alert(
        source="am-prod", fingerprint=fp, name=name, severity=severity, state=state,
        starts_at=ago(minutes=minutes),
        labels={"alertname": name, "severity": severity, "service": service, **labels},
        annotations={"summary": summary,
                     "runbook_url": f"https://runbooks.example.org/{name}.md"},
        summary=summary, generator_url="https://prometheus.example.org/graph?g0.expr=up",
        runbook=RunbookRef(url=f"https://runbooks.example.org/{name}.md"),
        peers=["http://127.0.0.1:9093"],
    )


def fixed_states() -> list[SourceState]:
    """One source per kind plus a failing one; times relative to NOW."""
    alerts = [
        _alert("a1", "CheckoutHighErrorRate", "critical", "firing", "checkout",
               "5xx ratio above 5% for 10 minutes", 12, namespace="shop"),
        _alert("a2", "KubePodCrashLooping", "warning", "firing", "payments",
               "Pod payments-7d9f is restarting", 45, namespace="pay"),
        _alert("a3", "DiskWillFillIn4Hours", "warning", "pending", "db",
               "Volume data-0 fills in 4h", 3),
        _alert("a4", "TargetDown", "info", "silenced", "search", "1 of 3 targets down", 90),
        _alert("a5", "Watchdog", "none", "inhibited", "monitoring", "Always firing", 600),
    ]
    slos = [
        Slo(source="prom", id="checkout-availability", service="checkout", name="availability",
            objective=0.999, burn_rates={"1h": 16.2, "6h": 7.1, "1d": 2.5, "3d": 1.2},
            error_budget_remaining=0.18, status="page", generator="sloth"),
        Slo(source="prom", id="search-latency", service="search", name="latency",
            objective=0.99, burn_rates={"1h": 0.4, "6h": 0.5, "1d": 0.6, "3d": 0.7},
            error_budget_remaining=0.83, status="ok", generator="pyrra"),
        Slo(source="prom", id="payments-availability", service="payments", name="availability",
            objective=0.9995, burn_rates={"1h": 2.0, "6h": 1.5, "1d": 3.5, "3d": 1.1},
            error_budget_remaining=0.41, status="ticket", generator="config"),
    ]
    deploys = [
        Deploy(source="argocd", id="d1", service="checkout", environment="prod",
               version="v2.14.1", status="succeeded", started_at=ago(minutes=25),
               finished_at=ago(minutes=22), author="ada", url="https://argocd.example.org/app/checkout"),
        Deploy(source="argocd", id="d2", service="payments", environment="prod",
               version="0123456789abcdef0123456789abcdef01234567", status="running",
               started_at=ago(minutes=2), author="grace"),
        Deploy(source="argocd", id="d3", service="search", environment="staging",
               version="v1.9.0", status="failed", started_at=ago(hours=3), author="linus"),
    ]
    pipelines = [
        Pipeline(source="github", id="p1", repo="shop/checkout", name="ci", branch="main",
                 commit="89abcdef0123456789abcdef0123456789abcdef", status="failed",
                 started_at=ago(minutes=40), duration_s=312.0, author="ada",
                 url="https://github.com/shop/checkout/actions/runs/1"),
        Pipeline(source="github", id="p2", repo="shop/payments", name="deploy", branch="main",
                 commit="fedcba9876543210fedcba9876543210fedcba98", status="running",
                 started_at=ago(minutes=4), author="grace"),
        Pipeline(source="github", id="p3", repo="shop/search", name="ci", branch="main",
                 commit="1111111111111111111111111111111111111111", status="succeeded",
                 started_at=ago(minutes=50), author="linus"),
    ]
    runbooks = [
        RunbookDoc(source="runbooks", path="checkout/high-error-rate.md",
                   title="Checkout: high error rate"),
        RunbookDoc(source="runbooks", path="kubernetes/KubePodCrashLooping.md",
                   title="KubePodCrashLooping"),
        RunbookDoc(source="runbooks", path="storage/disk-full.md", title="Disk filling up"),
    ]
    return [
        SourceState(name="am-prod", type="alertmanager", kind=SourceKind.ALERTS,
                    status=SourceStatus.OK, fetched_at=ago(seconds=8), items=alerts,
                    info={"on call": "Ada Lovelace"}),
        SourceState(name="prom", type="prometheus-slo", kind=SourceKind.SLOS,
                    status=SourceStatus.OK, fetched_at=ago(seconds=20), items=slos),
        SourceState(name="argocd", type="argocd", kind=SourceKind.DEPLOYS,
                    status=SourceStatus.STALE, fetched_at=ago(minutes=3), items=deploys),
        SourceState(name="github", type="github", kind=SourceKind.PIPELINES,
                    status=SourceStatus.ERROR, fetched_at=ago(minutes=6),
                    error="HTTP 503 from api.github.com", items=pipelines),
        SourceState(name="runbooks", type="runbooks", kind=SourceKind.RUNBOOKS,
                    status=SourceStatus.OK, fetched_at=ago(minutes=1), items=runbooks),
    ]


class FakeEngine(Engine):
    """The real engine facade with no poller: fixed states, a temp cache dir, and a ``submit``
    that runs each coroutine on a helper thread (as the poller's loop would).

    ``sources``: real or fake :class:`~cockpit.sources.base.Source` objects the facade works on
    (a silenceable source, a runbooks source); ``cache_dir``: where the stores live (a fresh temp
    dir, removed with the engine, when not given). Records ``refresh`` calls; ``push`` plays the
    poller thread's role.
    """

    def __init__(self, states: list[SourceState] | None = None, read_only: bool = False, *,
                 sources: Sequence[Source] = (), cache_dir: Path | None = None,
                 settings: CockpitSection | None = None, config: Config | None = None) -> None:
        if cache_dir is None:
            cache_dir = Path(tempfile.mkdtemp(prefix="cockpit-fake-engine-"))
            weakref.finalize(self, shutil.rmtree, cache_dir, True)
        # ``config``: a loaded config whose [[sources]] the report and timeline read history from
        config = config or Config(cockpit=settings or CockpitSection(), sources=[])
        super().__init__(config, cache_dir, read_only=read_only, share=False, sources=sources)
        self.states = list(states if states is not None else fixed_states())
        self.on_update: Callable[[SourceState], None] | None = None
        self.refreshed: list[str | None] = []
        self.stopped = False
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="fake-poller")

    def initial_states(self) -> list[SourceState]:
        return list(self.states)

    def panel_kinds(self) -> frozenset[SourceKind]:
        """The sources' kinds and, as the fake has fixed states rather than sources, the kinds
        its states are of or bring items of."""
        kinds = set(super().panel_kinds())
        for state in self.states:
            kinds.update((state.kind, *state.provides))
            kinds.update(SourceKind(f"{item.item_type}s") for item in state.items)
        return frozenset(kinds)

    def start(self, on_update: Callable[[SourceState], None], *, hold: bool = False) -> None:
        self.on_update = on_update

    def refresh(self, name: str | None = None) -> None:
        self.refreshed.append(name)

    def submit(self, coro: Coroutine[Any, Any, Any]) -> Future:
        return self._pool.submit(asyncio.run, coro)

    def stop(self, wait: float = 2.0) -> None:
        """Finish the writes in flight; the stores stay open, for the test to read after."""
        self.stopped = True
        self._pool.shutdown(wait=True)

    def push(self, state: SourceState) -> None:
        """Deliver an update as the poller would (from any thread)."""
        assert self.on_update is not None, "start() was not called"
        self.on_update(state)


def engine_app(tmp_path, config_text: str, **kwargs):
    """A CockpitApp on the REAL engine for ``config_text`` (written to ``tmp_path/config.toml``,
    cache in ``tmp_path/cache``); returns ``(app, engine)``."""
    from cockpit.engine.config import load_config
    from cockpit.engine.facade import Engine
    from cockpit.ui.app import CockpitApp

    path = tmp_path / "config.toml"
    path.write_text(config_text)
    config = load_config(path)
    engine = Engine(config, tmp_path / "cache", share=False)
    return CockpitApp(engine=engine, settings=config.cockpit, low_bandwidth=False, **kwargs), engine


async def until(pilot, check, what: str, attempts: int = 450):
    """Pause (0.1 s a time) until ``check()`` is truthy and return it; fail naming ``what``."""
    for _ in range(attempts):
        value = check()
        if value:
            return value
        await pilot.pause(0.1)
    raise AssertionError(f"never happened: {what}")


def make_app(engine: object | list[SourceState] | None = None, **kwargs: object) -> "CockpitApp":
    """The app as every Pilot and snapshot test starts it: the fixed clock, normal bandwidth.

    ``engine`` is an engine (a :class:`FakeEngine` or a test's own), or a list of states for a
    fresh FakeEngine, or None for the fixed states. Keyword arguments go to ``CockpitApp``.
    """
    from cockpit.ui.app import CockpitApp

    if engine is None or isinstance(engine, list):
        engine = FakeEngine(engine)
    kwargs.setdefault("low_bandwidth", False)
    kwargs.setdefault("clock", fixed_clock)
    return CockpitApp(engine=engine, **kwargs)  # type: ignore[arg-type]
