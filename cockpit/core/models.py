"""The data every source returns and every panel shows.

Sources turn upstream JSON into these models; the cache stores them as JSON; widgets render
them. Times are timezone-aware UTC datetimes. Text fields hold upstream text as received:
it is untrusted and must go through :func:`cockpit.core.textsafe.clean` before reaching a screen.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from cockpit.core.slo_rules import Thresholds

__all__ = [
    "Alert",
    "AlertState",
    "Deploy",
    "FailedJob",
    "FetchResult",
    "Item",
    "Pipeline",
    "RunStatus",
    "RunbookDoc",
    "RunbookRef",
    "Severity",
    "Slo",
    "SloStatus",
    "SourceKind",
    "SourceState",
    "SourceStatus",
    "WRITE_NOTE",
    "share_fields_set",
    "utcnow",
]


_ALL_FIELDS: dict[type, set[str]] = {}


def share_fields_set(model: BaseModel) -> BaseModel:
    """Give ``model`` one ``__pydantic_fields_set__`` shared by every model of its class.

    pydantic keeps a set of the fields passed per instance: 728 bytes for an Alert, 7 MB for
    10,000 alerts. Every field counts as set here (as for models read back from JSON with all
    fields); assigning a field adds a name already in the set, so sharing it changes nothing.
    """
    shared = _ALL_FIELDS.get(type(model))
    if shared is None:
        shared = _ALL_FIELDS[type(model)] = set(type(model).model_fields)
    object.__setattr__(model, "__pydantic_fields_set__", shared)
    return model


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only clock models use)."""
    return datetime.now(timezone.utc)


class SourceKind(StrEnum):
    """What a source feeds: one panel each."""

    ALERTS = "alerts"
    SLOS = "slos"
    DEPLOYS = "deploys"
    PIPELINES = "pipelines"
    RUNBOOKS = "runbooks"


class SourceStatus(StrEnum):
    """Health of a source as CONTRACT.md defines it."""

    OK = "ok"
    STALE = "stale"
    ERROR = "error"


class AlertState(StrEnum):
    FIRING = "firing"
    PENDING = "pending"
    SILENCED = "silenced"
    INHIBITED = "inhibited"


class RunStatus(StrEnum):
    """Status of a deploy or a pipeline."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RUNNING = "running"
    QUEUED = "queued"
    CANCELLED = "cancelled"


class SloStatus(StrEnum):
    OK = "ok"
    TICKET = "ticket"
    PAGE = "page"


Severity = str
"""Free-form upstream severity; ``critical``, ``warning``, ``info`` and ``none`` sort first."""

SEVERITY_ORDER = {"critical": 0, "error": 1, "high": 1, "warning": 2, "low": 3, "info": 3, "none": 4}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)


class RunbookRef(_Model):
    """Where an alert's runbook lives: its URL and, when it resolves locally, a relative path."""

    url: str | None = None
    path: str | None = None


WRITE_NOTE = "cockpit_write"
"""Annotation the cockpit sets (never an upstream) on an alert it wrote to: who acknowledged it and
until when, ``· pending`` until a poll confirms it, or a warning when a poll contradicted it."""


class Alert(_Model):
    """One alert, deduplicated across the peers of one cluster."""

    item_type: Literal["alert"] = "alert"
    source: str
    fingerprint: str
    name: str
    severity: Severity = "none"
    state: AlertState = AlertState.FIRING
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    summary: str | None = None
    generator_url: str | None = None
    runbook: RunbookRef | None = None
    silenced_by: list[str] = Field(default_factory=list)
    inhibited_by: list[str] = Field(default_factory=list)
    muted_by: list[str] = Field(default_factory=list)
    """Time intervals muting the alert (Alertmanager 0.28+ ``status.mutedBy``); such an alert
    is ``silenced`` with an empty ``silenced_by``."""
    peers: list[str] = Field(default_factory=list)

    @property
    def shown_state(self) -> str:
        """The state as shown to a person: ``muted`` for an alert held back by a time interval
        alone (its contract state is ``silenced``, with no silence), else the state's name."""
        if self.state == AlertState.SILENCED and self.muted_by and not self.silenced_by:
            return "muted"
        return AlertState(self.state).value

    @property
    def service(self) -> str | None:
        """The service an alert is about, from the usual labels."""
        for key in ("service", "app", "job", "namespace"):
            if self.labels.get(key):
                return self.labels[key]
        return None

    @property
    def severity_rank(self) -> int:
        return SEVERITY_ORDER.get(self.severity.lower(), 5)


class Slo(_Model):
    """One service level objective and how fast it is burning its error budget."""

    item_type: Literal["slo"] = "slo"
    source: str
    id: str
    service: str
    name: str
    objective: float
    period: str = "30d"
    burn_rates: dict[str, float | None] = Field(default_factory=dict)
    error_budget_remaining: float | None = None
    status: SloStatus = SloStatus.OK
    generator: Literal["sloth", "pyrra", "config", "demo"] = "config"
    time_to_exhaustion_s: float | None = None
    """Seconds until the budget is gone at the current 1h burn; None when not burning."""
    burn_history: list[float | None] = Field(default_factory=list)
    """1h burn rate sampled over the last 24 hours, oldest first (for the sparkline)."""
    thresholds: Thresholds | None = None
    """The rules the source judged ``status`` by, when they are not the defaults, so that the
    panel and the detail mark windows by the same rules (not in the snapshot JSON)."""


class FailedJob(_Model):
    """Where a failed run failed, as its upstream says it: a GitHub job and its failed step, a
    GitLab job and its stage, a Jenkins stage and its failed step. Upstream text, untrusted."""

    name: str
    """The job (GitHub, GitLab) or the stage (Jenkins)."""
    kind: Literal["job", "stage"] = "job"
    stage: str | None = None
    """The stage the job belongs to (GitLab)."""
    step: str | None = None
    """The failed step inside it (GitHub's step, Jenkins' step such as ``Shell Script``)."""
    step_number: int | None = None
    """The step's number in the job (GitHub)."""
    reason: str | None = None
    """Why, where the upstream says (``timed_out``, ``script_failure``, ``script returned exit code 1``)."""
    url: str | None = None
    """The job's own page."""


class _Run(_Model):
    """What deploys and pipeline runs share."""

    failed_jobs: list[FailedJob] = Field(default_factory=list)
    """Where the run failed, when it did and the upstream says (empty otherwise, or not looked up)."""


class Deploy(_Run):
    """One deployment of one service to one environment."""

    item_type: Literal["deploy"] = "deploy"
    source: str
    id: str = ""
    service: str
    environment: str | None = None
    version: str | None = None
    status: RunStatus = RunStatus.SUCCEEDED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    author: str | None = None
    url: str | None = None
    description: str | None = None
    commit: str | None = None
    """The deployed revision (commit SHA), where the source knows it."""
    committed_at: datetime | None = None
    """When that commit was made, where the source knows it (DORA's lead time for changes)."""

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class Pipeline(_Run):
    """One CI pipeline run (a GitHub workflow run, a GitLab pipeline, a Jenkins build)."""

    item_type: Literal["pipeline"] = "pipeline"
    source: str
    id: str = ""
    repo: str
    name: str
    branch: str | None = None
    commit: str | None = None
    status: RunStatus = RunStatus.FAILED
    started_at: datetime | None = None
    duration_s: float | None = None
    author: str | None = None
    url: str | None = None
    message: str | None = None


class RunbookDoc(_Model):
    """One runbook file known to a runbooks source."""

    item_type: Literal["runbook"] = "runbook"
    source: str
    path: str
    """Relative to the runbooks dir it was found in."""
    title: str
    root: str = ""
    """The configured runbooks dir the path is relative to."""
    url: str | None = None


Item = Annotated[Union[Alert, Slo, Deploy, Pipeline, RunbookDoc], Field(discriminator="item_type")]


class FetchResult(_Model):
    """What one poll of one source returns."""

    items: list[Item] = Field(default_factory=list)
    info: dict[str, str] = Field(default_factory=dict)
    """Small facts for the status bar (e.g. ``{"on call": "Ada Lovelace"}``); untrusted text."""
    degraded: str | None = None
    """Set when the poll partly failed (one HA peer down): a one-line reason, data still good."""


class SourceState(_Model):
    """Everything the UI and snapshots know about one source: its last data and its health."""

    name: str
    type: str
    kind: SourceKind
    status: SourceStatus = SourceStatus.STALE
    fetched_at: datetime | None = None
    """When the data in ``items`` was fetched (the last success)."""
    last_attempt_at: datetime | None = None
    error: str | None = None
    """One-line reason the last poll failed; never a secret."""
    degraded: str | None = None
    next_poll_at: datetime | None = None
    rate_limited: bool = False
    """The last poll was refused for rate limiting: the upstream is up, we wait until
    ``next_poll_at``; the data is kept and reported ``stale`` (``error`` says when we retry)."""
    interval_s: float = 30.0
    items: list[Item] = Field(default_factory=list)
    info: dict[str, str] = Field(default_factory=dict)
    provides: list[SourceKind] = Field(default_factory=list)
    """Every kind this source feeds when more than its main ``kind`` (the demo feeds all)."""

    def status_at(self, now: datetime | None = None) -> SourceStatus:
        """The status as of ``now``, derived from the times (the stored ``status`` is the one
        at the last poll; a source whose polls stop arriving turns stale on screen anyway).

        ``stale`` when rate-limited (the upstream is up and asked us to wait) or when the last
        success is older than 2× the interval (or there is none); ``error`` when the last poll
        failed; else ``ok``.
        """
        if self.rate_limited:
            return SourceStatus.STALE
        if self.error:
            return SourceStatus.ERROR
        age = self.age_s(now)
        if age is None or age > 2 * self.interval_s:
            return SourceStatus.STALE
        return SourceStatus.OK

    def age_s(self, now: datetime | None = None) -> float | None:
        """Seconds since the data was fetched, None if never."""
        if self.fetched_at is None:
            return None
        return max(0.0, ((now or utcnow()) - self.fetched_at).total_seconds())
