"""What the screens may use of the app, typed: the engine's facade, the clock, the states.

:class:`cockpit.ui.app.CockpitApp` is a :class:`CockpitHost`. The screens and the flows they
start (silence, triage, runbooks, report, handoff) take a ``CockpitHost`` and reach the engine
through its typed :attr:`CockpitHost.engine`; they import this module, not the app module (which
imports them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import App
from textual.dom import DOMNode

from cockpit.core.models import SourceState, utcnow
from cockpit.engine.facade import Engine

__all__ = ["CockpitHost", "host_of"]


class CockpitHost(App[None]):
    """An app that runs on an :class:`~cockpit.engine.facade.Engine`."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._engine = engine
        self.clock = clock
        """Now, for ages and the times the user's actions are stamped with (fixed in tests)."""
        self.read_only = bool(engine.read_only)
        """True: every write is refused before it reaches the engine."""

    @property
    def engine(self) -> Engine:
        """The engine's facade: the only way to the sources and the stores."""
        return self._engine

    @property
    def states(self) -> list[SourceState]:
        """Every source's last state as shown."""
        raise NotImplementedError

    def alert_group_by(self) -> list[str]:
        """The labels the Alerts panel groups by."""
        raise NotImplementedError


def host_of(node: DOMNode) -> CockpitHost:
    """The app a screen or widget runs in, typed; TypeError outside a cockpit app."""
    app = node.app
    if not isinstance(app, CockpitHost):
        raise TypeError(f"{type(node).__name__} runs in {type(app).__name__}, not a cockpit app")
    return app
