"""Where a failed run failed: its failed job and step, asked of the upstream once per run.

GitHub (the run's jobs), GitLab (the pipeline's failed jobs) and Jenkins (the build's stages)
say which job, stage or step failed, at one or two requests a run. Those requests are polite:

* only for a run that **failed** (not for one running, queued, cancelled or green);
* **once per run**: the answer is kept with the run's key (which changes when the run is
  retried) and given back on every later poll without a request;
* **bounded per poll**: at most ``failed_runs_per_poll`` runs are looked up in one poll, the others in
  the next polls;
* **never at the source's expense**: a 404 (the run was deleted, Jenkins without the Pipeline
  Stage View plugin, a freestyle job) or an auth refusal settles the run with no failed job; a
  5xx, a timeout or a bad body is tried again on a later poll, at most :data:`MAX_ATTEMPTS`
  times, and named in the poll's ``degraded`` meanwhile; a rate limit stops this poll's lookups
  (the rate-limit handling of :mod:`cockpit.sources.polite` holds the next requests back).
  The run itself is always kept, only without its failed job.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import Field

from cockpit.core.errors import SourceAuthError, SourceBadResponse, SourceError, SourceRateLimited
from cockpit.core.models import Deploy, FailedJob, Pipeline, RunStatus
from cockpit.sources.polite import PoliteOptions

__all__ = ["FailedJobOptions", "FailureLookups", "Lookup", "MAX_ATTEMPTS"]

MAX_ATTEMPTS = 3
"""A run whose lookup keeps failing (5xx, timeout) is given up after this many polls."""
KEEP = 512
"""How many runs' answers one source remembers (oldest forgotten first)."""


class FailedJobOptions(PoliteOptions):
    """Polite HTTP options plus how many failed runs are looked into per poll."""

    failed_runs_per_poll: int = Field(default=5, ge=0, le=50)
    """Failed runs whose failed job and step are asked for per poll (each once; 0: never ask)."""


@dataclass
class Lookup:
    """One failed run to look into: its key (new when the run is retried), the run or deploy the
    answer goes on, and how to ask (returns the failed jobs, raises SourceError)."""

    key: str
    item: Deploy | Pipeline
    ask: Callable[[], Awaitable[list[FailedJob]]]


class FailureLookups:
    """The failed jobs of the runs one source has looked into, and this poll's budget."""

    def __init__(self, per_poll: int) -> None:
        self.per_poll = per_poll
        self._known: OrderedDict[str, list[FailedJob]] = OrderedDict()
        self._attempts: dict[str, int] = {}

    async def attach(self, lookups: list[Lookup]) -> list[str]:
        """Put each failed run's failed jobs on it, asking the upstream only for runs not known
        yet and at most ``per_poll`` of them; returns the problems worth a ``degraded`` note."""
        budget, problems, halted = self.per_poll, [], False
        for lookup in lookups:
            if lookup.item.status != RunStatus.FAILED:
                continue
            known = self._known.get(lookup.key)
            if known is not None:
                self._known.move_to_end(lookup.key)
                lookup.item.failed_jobs = list(known)
                continue
            if halted or budget <= 0:
                continue
            budget -= 1
            try:
                found = await lookup.ask()
            except SourceRateLimited:
                halted = True  # the upstream asked us to wait: the next polls ask again
                continue
            except SourceError as exc:
                if _settles(exc, self._attempts.get(lookup.key, 0) + 1):
                    self._settle(lookup.key, [])
                else:
                    self._attempts[lookup.key] = self._attempts.get(lookup.key, 0) + 1
                    problems.append(f"failed job of {lookup.item.id} not read: {exc.message}")
                continue
            self._settle(lookup.key, found)
            lookup.item.failed_jobs = list(found)
        return problems

    def _settle(self, key: str, jobs: list[FailedJob]) -> None:
        self._attempts.pop(key, None)
        self._known[key] = jobs
        self._known.move_to_end(key)
        while len(self._known) > KEEP:
            self._known.popitem(last=False)


def _settles(exc: SourceError, attempt: int) -> bool:
    """Whether a failed lookup is final: not there (404, 410), not allowed, or tried enough."""
    if isinstance(exc, SourceAuthError) or attempt >= MAX_ATTEMPTS:
        return True
    return isinstance(exc, SourceBadResponse) and exc.status in (404, 410)
