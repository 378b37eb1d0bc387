"""The contract every source adapter fulfils, built-in or third-party.

A plugin imports this module as ``cockpit.sources.base`` and the values it returns from
``cockpit.core.models``; those two are its whole interface (nothing of ``cockpit.engine`` or the
UI). A source is a subclass of :class:`Source` registered under the Python entry-point group
``cockpit.sources`` (the built-in ones are registered by cockpit's own ``pyproject.toml``, the
same way a third-party package registers its own)::

    [project.entry-points."cockpit.sources"]
    my-thing = "my_package.module:MyThingSource"

    # my_package/module.py
    from cockpit.core.models import Alert, FetchResult, SourceKind
    from cockpit.sources.base import Source, SourceOptions

    class MyThingSource(Source):
        kind = SourceKind.ALERTS

        class Options(SourceOptions):
            city: str
            '''Where to look.'''

        async def fetch(self) -> FetchResult:
            return FetchResult(items=[Alert(source=self.name, fingerprint="1", name="Storm")])

The config names it by that entry-point name (``type = "my-thing"``). Its nested ``Options``
model validates the rest of the ``[[sources]]`` table (``extra="forbid"``, a docstring per
field, ``SecretStr`` for tokens). The poller calls :meth:`Source.fetch` on its own event loop
in a background thread, one call at a time, never concurrently for one source. Failures are
raised as :mod:`cockpit.core.errors` (``SourceError`` and its subclasses), wrapping the
library's error with ``raise ... from``. A source that can silence alerts also subclasses
:class:`SupportsSilences`. ``tests/test_plugin_entry_point.py`` installs such a plugin from its
own folder and runs it through ``cockpit snapshot`` and ``cockpit check``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from cockpit.core.durations import Duration
from cockpit.core.models import Deploy, FetchResult, Pipeline, SourceKind
from cockpit.core.runbooks import OpenRunbookIndex
from cockpit.core.upstream_history import AlertHistory, IncidentHistory

__all__ = [
    "SilenceInfo",
    "SilenceRequest",
    "Source",
    "SourceContext",
    "SourceOptions",
    "SupportsAlertHistory",
    "SupportsIncidentHistory",
    "SupportsRunHistory",
    "SupportsIncidents",
    "SupportsSilences",
]


MIN_INTERVAL_S = 1.0
MIN_TIMEOUT_S = 0.1


class SourceOptions(BaseModel):
    """Options every source has. Subclasses add their own fields, each with a docstring."""

    model_config = ConfigDict(extra="forbid")

    interval: Duration = 30.0
    """How often to poll, as a duration string ("15s", "1m"); at least 1s."""
    timeout: Duration = 10.0
    """How long one request may take before it counts as failed; at least 100ms and below the
    interval (when not given and the interval is 10s or less: half the interval)."""

    @field_validator("interval")
    @classmethod
    def _interval_bound(cls, value: float) -> float:
        if value < MIN_INTERVAL_S:
            raise ValueError(f"expected at least {MIN_INTERVAL_S:g}s (a shorter interval only burns CPU and "
                             "the upstream's patience)")
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout_bound(cls, value: float, info: ValidationInfo) -> float:
        if value < MIN_TIMEOUT_S:
            raise ValueError(f"expected at least {MIN_TIMEOUT_S * 1000:g}ms (every poll would fail)")
        interval = info.data.get("interval")
        if interval is not None and value >= interval:
            raise ValueError(f"expected less than the interval ({interval:g}s): a poll must end before the next")
        return value

    @model_validator(mode="after")
    def _default_timeout_below_interval(self) -> "SourceOptions":
        if "timeout" not in self.model_fields_set and self.timeout >= self.interval:
            self.timeout = self.interval / 2
        return self


@dataclass(frozen=True)
class SourceContext:
    """What the engine lends a source: where it may keep files, and the process-wide settings."""

    cache_dir: Path
    read_only: bool = False
    config_dir: Path | None = None
    """Directory of the config file, for resolving relative paths in options."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    open_runbook_index: OpenRunbookIndex | None = None
    """The engine's full-text runbook index, lent to the runbooks source that fills it (see
    :mod:`cockpit.core.runbooks`); None where no engine lends one."""


class Source(ABC):
    """One upstream system, polled for one kind of data.

    Subclasses set ``kind`` and define a nested ``Options`` (a :class:`SourceOptions` subclass).
    """

    kind: ClassVar[SourceKind]
    provides: ClassVar[tuple[SourceKind, ...]] = ()
    """Other kinds this source also returns items of (the demo source returns every kind)."""
    Options: ClassVar[type[SourceOptions]] = SourceOptions

    def __init__(self, name: str, options: SourceOptions, context: SourceContext) -> None:
        self.name = name
        self.options = options
        self.context = context

    @property
    def type_name(self) -> str:
        """The entry-point name this source was loaded under (set by the registry)."""
        return getattr(type(self), "entry_point_name", type(self).__name__)

    @abstractmethod
    async def fetch(self) -> FetchResult:
        """Poll the upstream once and return every current item.

        Returns the full current set (not a delta). Raises a
        :class:`cockpit.core.errors.SourceError` subclass on failure, wrapping the library's error
        with ``raise ... from``; never returns partial data silently (set ``degraded`` instead).
        """

    async def close(self) -> None:
        """Release connections. Called once when the engine stops; the default does nothing."""


class SilenceRequest(BaseModel):
    """A silence to create: matchers as Alertmanager's API v2 takes them."""

    matchers: list[dict[str, Any]] = Field(
        description='[{"name": "alertname", "value": "X", "isRegex": false, "isEqual": true}]'
    )
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    id: str | None = None
    """Set to replace (edit or extend) an existing silence: Alertmanager takes a POST with its id."""


class SilenceInfo(BaseModel):
    """A silence as the upstream reports it."""

    id: str
    matchers: list[dict[str, Any]] = Field(default_factory=list)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    created_by: str = ""
    comment: str = ""
    state: str = "active"


class SupportsSilences(ABC):
    """Mixin for alert sources that can silence (Alertmanager). Writes are never retried."""

    @abstractmethod
    async def create_silence(self, request: SilenceRequest) -> str:
        """Create the silence once and return its id. Raises SourceError on failure."""

    @abstractmethod
    async def list_silences(self) -> list[SilenceInfo]:
        """Current silences (active and pending), newest first."""

    @abstractmethod
    async def expire_silence(self, silence_id: str) -> None:
        """Expire one silence now."""


class SupportsAlertHistory(ABC):
    """Mixin for alert sources whose upstream keeps alert history (Prometheus's ALERTS series)."""

    @abstractmethod
    async def alert_history(self, start: datetime, end: datetime) -> AlertHistory:
        """The alerts active in [start, end] with their times, and where the upstream has no data.
        Raises SourceError when the upstream cannot answer."""


class SupportsIncidentHistory(ABC):
    """Mixin for paging sources whose upstream logs each incident's trigger, acknowledge, resolve."""

    @abstractmethod
    async def incident_history(self, start: datetime, end: datetime) -> IncidentHistory:
        """Incidents triggered in [start, end] with their acknowledge and resolve times."""


class SupportsRunHistory(ABC):
    """Mixin for deploy and pipeline sources whose upstream lists past runs by time."""

    @abstractmethod
    async def run_history(self, start: datetime, end: datetime) -> list[Deploy | Pipeline]:
        """Deploys and pipeline runs updated in [start, end] (their final state)."""


class SupportsIncidents(ABC):
    """Mixin for alert sources whose alerts are incidents a person acknowledges and resolves
    (PagerDuty). Writes are never retried; each raises SourceError on failure."""

    @abstractmethod
    async def update_incidents(self, incident_ids: list[str], status: str) -> dict[str, str]:
        """Set ``status`` (``acknowledged`` or ``resolved``) on the incidents, in one request;
        returns each incident's status as the upstream answered it."""

    @abstractmethod
    async def add_note(self, incident_id: str, content: str) -> str:
        """Add a note to one incident; returns the note's id."""
