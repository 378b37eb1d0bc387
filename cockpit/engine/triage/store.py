"""Triage walkthroughs: an alert worked through its runbook, saved after every action.

A :class:`Triage` holds a snapshot of the alert, steps made from its runbook (each heading and
each ``- [ ]`` item, see :func:`steps_from_runbook`), the deploys and failed pipelines of the same
service shortly before the alert, and an append-only list of timestamped :class:`TriageEvent`
(started, step ticked or unticked, note written, closed).

:class:`TriageStore` keeps one JSON file per triage in ``<cache_dir>/triages/<id>.json`` and
rewrites it atomically (temp file, fsync, ``os.replace``) after *every* action, so an SSH drop,
a crash or ``kill -9`` loses at most the action being made. ``store.list()`` returns the open
triages (newest first) so the app can offer to resume one, and ``store.open_for(alert)`` finds
the open triage of an alert. :func:`cockpit.engine.triage.export.export_markdown` renders the
incident timeline.

The UI holds a :class:`Triage` and calls the store's ``tick``/``note``/``close`` with it; each
call mutates that object and saves it before returning. Writes by two processes to the same
triage are last-writer-wins.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from cockpit.core.files import atomic_write_text
from cockpit.core.models import Alert, Deploy, Pipeline, utcnow
from cockpit.core.related import LOOK_BACK, changes_before
from cockpit.engine.runbooks.doc import ParsedRunbook

__all__ = [
    "DEFAULT_LOOKBACK",
    "GENERIC_STEPS",
    "Triage",
    "TriageError",
    "TriageEvent",
    "TriageStep",
    "TriageStore",
    "related_changes",
    "steps_from_runbook",
]

DEFAULT_LOOKBACK = LOOK_BACK
"""How far before the alert deploys and pipeline failures count as related: the look-back of
:mod:`cockpit.core.related`, the same as on screen."""
GENERIC_STEPS = ("Acknowledge the alert", "Assess the impact", "Find the cause", "Mitigate", "Confirm recovery")
"""Steps of a triage for an alert without a runbook."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


class TriageError(Exception):
    """A triage that cannot be found, read or saved. ``message`` is one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TriageEvent(BaseModel):
    """One action, with the time it was made."""

    at: datetime
    kind: Literal["started", "step_done", "step_undone", "note", "closed", "reopened"]
    step: int | None = None
    """The step acted on (for ``step_*``, and for a note written on a step)."""
    text: str | None = None
    """The note, for ``note``."""
    by: str | None = None


class TriageStep(BaseModel):
    """One row of the walkthrough: a runbook section's heading (shown, never ticked or counted),
    or one thing to do in it: a checklist item, a list item, a code block."""

    id: int
    title: str
    """As the runbook writes it (Markdown; for ``code``, the block's lines)."""
    kind: Literal["section", "check", "code", "generic"] = "section"
    level: int = 2
    """Heading level of a section (checks sit one level below theirs): for indentation."""
    section: str | None = None
    """Title of the section a check belongs to."""
    done_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def actionable(self) -> bool:
        """Whether it can be ticked (a heading cannot)."""
        return self.kind != "section"


class Triage(BaseModel):
    """One alert's walkthrough. Saved as JSON; ``version`` is the file format's."""

    version: int = 1
    id: str
    alert: Alert
    status: Literal["open", "closed"] = "open"
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    runbook_path: str | None = None
    """The runbook the steps came from, relative to ``runbook_root``."""
    runbook_root: str | None = None
    runbook_title: str | None = None
    steps: list[TriageStep] = Field(default_factory=list)
    events: list[TriageEvent] = Field(default_factory=list)
    deploys: list[Deploy] = Field(default_factory=list)
    """Deploys of the alert's service in the lookback before it, captured at start."""
    pipelines: list[Pipeline] = Field(default_factory=list)
    """Failed pipelines of the alert's service in the lookback before it, captured at start."""

    def step(self, step_id: int) -> TriageStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise TriageError(f"triage {self.id} has no step {step_id}")

    def notes(self, step_id: int | None = None) -> list[TriageEvent]:
        """Notes on one step, or (``None``) the notes on no step in particular."""
        return [e for e in self.events if e.kind == "note" and e.step == step_id]

    @property
    def progress(self) -> tuple[int, int]:
        """(steps done, steps): only what can be done counts, not the headings."""
        actionable = [s for s in self.steps if s.actionable]
        return sum(1 for s in actionable if s.done), len(actionable)


def steps_from_runbook(runbook: ParsedRunbook | None) -> list[TriageStep]:
    """Every section heading (a row that is not a step), every ``- [ ]`` item (or, in a runbook
    without any, every top-level list item) and every code block, in document order; generic
    steps when there is nothing to do.

    A leading level-1 heading that only titles the document is left out.
    """
    steps: list[TriageStep] = []
    if runbook is not None:
        sections = list(runbook.sections)
        if len(sections) > 1 and sections[0].level == 1 and not sections[0].body.strip():
            sections = sections[1:]
        by_index = {s.index: s for s in runbook.sections}
        checks = sorted(runbook.checklist, key=lambda c: c.line)
        entries: list[tuple[int, TriageStep]] = []
        for s in sections:
            entries.append((s.line, TriageStep(id=0, title=s.title, kind="section", level=s.level)))
        todo = [(c.line, c.text, c.section, "check") for c in checks]
        todo += [(b.line, b.text, b.section, "check" if b.kind == "item" else "code")
                 for b in runbook.blocks if b.kind == "code" or not checks]
        for line, text, section, kind in todo:
            owner = by_index.get(section) if section is not None else None
            level = (owner.level + 1) if owner else 1
            entries.append(
                (line, TriageStep(id=0, title=text, kind=kind, level=level, section=owner.title if owner else None))
            )
        for n, (_, step) in enumerate(sorted(entries, key=lambda e: e[0]), start=1):
            steps.append(step.model_copy(update={"id": n}))
    if not any(step.actionable for step in steps):
        steps = [TriageStep(id=n, title=t, kind="generic", level=2) for n, t in enumerate(GENERIC_STEPS, 1)]
    return steps


def related_changes(
    alert: Alert,
    deploys: Iterable[Deploy] = (),
    pipelines: Iterable[Pipeline] = (),
    *,
    before: datetime | None = None,
    lookback: timedelta = DEFAULT_LOOKBACK,
) -> tuple[list[Deploy], list[Pipeline]]:
    """Deploys and failed pipelines of the alert's service in ``lookback`` before ``before``
    (default: the alert's start, else now), oldest first (see :mod:`cockpit.core.related`)."""
    return changes_before(alert, deploys, pipelines, window=lookback,
                          until=before or alert.starts_at or utcnow())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "alert"


class TriageStore:
    """The triages kept in one directory, one JSON file each (``<cache_dir>/triages``)."""

    def __init__(self, directory: Path, user: str | None = None) -> None:
        self.directory = Path(directory)
        self.user = user
        """Recorded as ``by`` on every event this store writes."""

    @classmethod
    def in_cache(cls, cache_dir: Path, user: str | None = None) -> TriageStore:
        return cls(Path(cache_dir) / "triages", user=user)

    def path_of(self, triage_id: str) -> Path:
        if not _ID.match(triage_id):
            raise TriageError(f"not a triage id: {triage_id!r}")
        return self.directory / f"{triage_id}.json"

    # -- reading -----------------------------------------------------------------------------

    def load(self, triage_id: str) -> Triage:
        path = self.path_of(triage_id)
        try:
            data = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TriageError(f"no triage {triage_id} in {self.directory}") from None
        except OSError as exc:
            raise TriageError(f"{path}: cannot be read: {exc.strerror}") from None
        try:
            return Triage.model_validate_json(data)
        except ValidationError as exc:
            raise TriageError(f"{path}: not a readable triage ({exc.error_count()} problems)") from None

    def list(self, *, include_closed: bool = False) -> list[Triage]:
        """Saved triages, most recently updated first; unreadable files are skipped."""
        found = []
        for path in self.directory.glob("*.json"):
            try:
                triage = self.load(path.stem)
            except TriageError:
                continue
            if include_closed or triage.status == "open":
                found.append(triage)
        found.sort(key=lambda t: t.updated_at, reverse=True)
        return found

    def open_for(self, alert: Alert) -> Triage | None:
        """The open triage of this alert (same source and fingerprint), to resume."""
        for triage in self.list():
            if triage.alert.fingerprint == alert.fingerprint and triage.alert.source == alert.source:
                return triage
        return None

    # -- actions: each one saves before returning ---------------------------------------------

    def save(self, triage: Triage) -> None:
        """Write the triage now (atomically). Raises TriageError when the disk refuses."""
        try:
            atomic_write_text(self.path_of(triage.id), triage.model_dump_json(indent=1))
        except OSError as exc:
            raise TriageError(f"triage {triage.id} could not be saved: {exc.strerror or exc}") from exc

    def start(
        self,
        alert: Alert,
        runbook: ParsedRunbook | None = None,
        *,
        runbook_path: str | None = None,
        runbook_root: str | None = None,
        deploys: Iterable[Deploy] = (),
        pipelines: Iterable[Pipeline] = (),
        now: datetime | None = None,
    ) -> Triage:
        """Start (and save) a triage of ``alert`` following ``runbook``."""
        now = now or utcnow()
        related_d, related_p = related_changes(alert, deploys, pipelines, before=alert.starts_at or now)
        triage = Triage(
            id=f"{now:%Y%m%d-%H%M%S}-{_slug(alert.name)}-{secrets.token_hex(3)}",
            alert=alert,
            created_at=now,
            updated_at=now,
            runbook_path=runbook_path,
            runbook_root=runbook_root,
            runbook_title=runbook.title if runbook else None,
            steps=steps_from_runbook(runbook),
            events=[TriageEvent(at=now, kind="started", by=self.user)],
            deploys=related_d,
            pipelines=related_p,
        )
        self.save(triage)
        return triage

    def _record(self, triage: Triage, event: TriageEvent) -> Triage:
        triage.events.append(event)
        triage.updated_at = event.at
        self.save(triage)
        return triage

    def tick(self, triage: Triage, step_id: int, done: bool = True, *, now: datetime | None = None) -> Triage:
        """Mark a step done (or not done again). Ticking a done step again changes nothing."""
        step = triage.step(step_id)
        if not step.actionable:
            raise TriageError(f"step {step_id} is a heading: there is nothing to tick")
        if step.done == done:
            return triage
        now = now or utcnow()
        step.done_at = now if done else None
        return self._record(triage, TriageEvent(at=now, kind="step_done" if done else "step_undone", step=step_id, by=self.user))

    def note(self, triage: Triage, text: str, step_id: int | None = None, *, now: datetime | None = None) -> Triage:
        """Add a note, on a step or on the triage as a whole. Blank notes are ignored."""
        if not text.strip():
            return triage
        if step_id is not None:
            triage.step(step_id)
        return self._record(triage, TriageEvent(at=now or utcnow(), kind="note", step=step_id, text=text.strip(), by=self.user))

    def close(self, triage: Triage, *, now: datetime | None = None) -> Triage:
        if triage.status == "closed":
            return triage
        now = now or utcnow()
        triage.status, triage.closed_at = "closed", now
        return self._record(triage, TriageEvent(at=now, kind="closed", by=self.user))

    def reopen(self, triage: Triage, *, now: datetime | None = None) -> Triage:
        if triage.status == "open":
            return triage
        triage.status, triage.closed_at = "open", None
        return self._record(triage, TriageEvent(at=now or utcnow(), kind="reopened", by=self.user))

