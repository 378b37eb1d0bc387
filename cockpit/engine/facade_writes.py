"""The engine facade's write methods: acknowledge, resolve, note, silence edits (typed, for the UI).

Mixed into :class:`cockpit.engine.facade.Engine`. Each method runs its write on the poller's
loop and returns a :class:`concurrent.futures.Future` the UI awaits (``asyncio.wrap_future``)
from a worker, so the UI never blocks. Writes are refused in read-only mode, sent once and
audited (see :mod:`cockpit.engine.incidents` and :mod:`cockpit.engine.actions`).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cockpit.core.models import Alert, utcnow
from cockpit.core.silences import silence_matchers_for
from cockpit.engine.actions import create_silence, silence_request
from cockpit.engine.audit import AuditLog
from cockpit.engine.incidents import add_incident_note, preview, update_incidents
from cockpit.engine.user_actions import UNKNOWN_RUN, ActionResult, ActionSpec, render_command, run_command
from cockpit.sources.base import SilenceInfo, SilenceRequest, Source, SupportsIncidents, SupportsSilences

if TYPE_CHECKING:
    from cockpit.engine.config import Config

__all__ = ["AckKind", "AckPlan", "EngineWrites"]

AckKind = Literal["incident", "silence"]


class AckPlan:
    """What ``a`` will do for some alerts: the kind of write, its one-line preview, until when."""

    def __init__(self, kind: AckKind, alerts: list[Alert], source: str, line: str, until: datetime | None) -> None:
        self.kind, self.alerts, self.source, self.line, self.until = kind, alerts, source, line, until


class EngineWrites:
    """Typed writes of the facade. The host class provides ``config``, ``cache_dir``,
    ``read_only``, ``source(name)``, ``submit(coro)`` and ``history``."""

    config: Config
    cache_dir: Path
    state_dir: Path
    read_only: bool

    def source(self, name: str) -> Source | None:  # provided by Engine
        raise NotImplementedError

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future:  # provided by Engine
        raise NotImplementedError

    # -- who and where -------------------------------------------------------------------

    audit: AuditLog
    """The audit log every write is recorded in (set by Engine)."""
    user: str
    """Who acts (Engine: ``[cockpit] user``, else the login name)."""

    def ack_kind(self, alert: Alert) -> AckKind | None:
        """How ``a`` acknowledges this alert: a PagerDuty incident, an Alertmanager silence, or not at all."""
        source = self.source(alert.source)
        if isinstance(source, SupportsIncidents):
            return "incident"
        if isinstance(source, SupportsSilences):
            return "silence"
        return None

    # -- acknowledge / resolve / note ------------------------------------------------------

    def plan_ack(self, alerts: Sequence[Alert]) -> AckPlan | None:
        """The acknowledge ``a`` would send for ``alerts`` (all of one source), or None."""
        alerts = [a for a in alerts if a.source == alerts[0].source] if alerts else []
        if not alerts:
            return None
        kind = self.ack_kind(alerts[0])
        if kind == "incident":
            return AckPlan(kind, alerts, alerts[0].source, preview("acknowledge", alerts, alerts[0].source), None)
        if kind == "silence":
            alert = alerts[0]
            duration = float(self.config.cockpit.ack_duration)
            until = utcnow() + timedelta(seconds=duration)
            extra = f"silence {len(alert.labels)} exact labels until {until:%H:%M}Z as {self.user}"
            return AckPlan(kind, [alert], alert.source, preview("acknowledge", [alert], alert.source, extra), until)
        return None

    def acknowledge(self, plan: AckPlan) -> concurrent.futures.Future:
        """Send the planned acknowledge once. The Future gives ``{incident: status}`` or a silence id."""
        source = self.source(plan.source)
        assert source is not None
        if plan.kind == "incident":
            return self.submit(update_incidents(source, plan.alerts, "acknowledged", read_only=self.read_only,
                                                audit=self.audit, who=self.user))
        alert = plan.alerts[0]
        comment = self.config.cockpit.ack_comment.replace("{user}", self.user)
        exact = silence_matchers_for(alert, volatile=())  # every label: this alert, not its next pod
        request = silence_request(exact, duration_s=float(self.config.cockpit.ack_duration),
                                  comment=comment, created_by=self.user)
        return self.submit(self._silence_and_record(source, request, alert, scope="ack"))

    def resolve(self, alerts: Sequence[Alert]) -> concurrent.futures.Future:
        """Resolve the incidents behind ``alerts`` (one source) in one request."""
        source = self._source_of(alerts[0])
        return self.submit(update_incidents(source, alerts, "resolved", read_only=self.read_only,
                                            audit=self.audit, who=self.user))

    def note(self, alert: Alert, content: str) -> concurrent.futures.Future:
        """Add a note to the alert's incident."""
        return self.submit(add_incident_note(self._source_of(alert), alert, content, read_only=self.read_only,
                                             audit=self.audit, who=self.user))

    # -- silences ---------------------------------------------------------------------------

    def extend_silence(self, source_name: str, silence: SilenceInfo, by_s: float | None = None) -> concurrent.futures.Future:
        """Replace the silence with one ending ``by_s`` (default: ``ack_duration``) later."""
        by_s = float(self.config.cockpit.ack_duration) if by_s is None else by_s
        base = max(silence.ends_at or utcnow(), utcnow())
        request = SilenceRequest(id=silence.id, matchers=list(silence.matchers),
                                 starts_at=silence.starts_at or utcnow(), ends_at=base + timedelta(seconds=by_s),
                                 created_by=self.user, comment=silence.comment)
        return self.replace_silence(source_name, request, what="extend_silence")

    def replace_silence(self, source_name: str, request: SilenceRequest, what: str = "edit_silence") -> concurrent.futures.Future:
        """Post ``request`` (with the id of the silence it replaces); the Future gives the new id."""
        source = self.source(source_name)
        assert source is not None
        return self.submit(create_silence(source, request, read_only=self.read_only, audit=self.audit, what=what))

    def watch_silences(self) -> concurrent.futures.Future:
        """List every silence source's silences (a read) and note them in the silence ledger;
        the Future gives ``[(source name, SilenceInfo)]`` (a failing source is left out)."""
        return self.submit(self._watch_silences())

    async def _watch_silences(self) -> list[tuple[str, SilenceInfo]]:
        from cockpit.core.errors import SourceError
        from cockpit.engine.silence_soon import SilenceLedger

        found: list[tuple[str, SilenceInfo]] = []
        for source in getattr(self, "sources", []):
            if isinstance(source, SupportsSilences):
                try:
                    found += [(source.name, s) for s in await source.list_silences()]
                except SourceError:
                    continue
        SilenceLedger(self.state_dir).observe(found, utcnow())
        return found

    # -- [[actions]] --------------------------------------------------------------------------

    @property
    def actions(self) -> list[ActionSpec]:
        """The config's ``[[actions]]``."""
        return list(self.config.actions)

    def run_action(self, spec: ActionSpec, item: Any) -> concurrent.futures.Future:
        """Run a command action on ``item`` once; the Future gives an :class:`ActionResult`.

        Raises :class:`~cockpit.engine.user_actions.ActionError` at once for a value it refuses,
        and :class:`~cockpit.core.errors.SourceWriteRefused` for ``writes = true`` in read-only mode.
        """
        argv = render_command(spec, item)
        return self.submit(self._run_action(spec, argv, item))

    async def _run_action(self, spec: ActionSpec, argv: list[str], item: Any) -> ActionResult:
        if not spec.writes:
            return await run_command(argv, spec.timeout)
        who, what = self.user, f"action:{spec.name}"
        source = str(getattr(item, "source", ""))
        details: dict[str, Any] = {"argv": argv, "scope": spec.scope}
        if self.read_only:
            from cockpit.engine.audited import refuse
            from cockpit.engine.incidents import READ_ONLY_MESSAGE

            refuse(self.audit, who=who, what=what, source=source, details=details, why=READ_ONLY_MESSAGE)
        self.audit.append(who=who, what=what, source=source, result="sending", details=details)
        result = await run_command(argv, spec.timeout)
        outcome = "unknown" if result.timed_out else ("ok" if result.exit_status == 0 else "error")
        error = UNKNOWN_RUN if result.timed_out else (None if outcome == "ok" else f"exit status {result.exit_status}")
        self.audit.append(who=who, what=what, source=source, result=outcome,
                          details={**details, "exit_status": result.exit_status, "output": result.output[-500:]},
                          error=error)
        return result

    # -- helpers ----------------------------------------------------------------------------

    def _source_of(self, alert: Alert) -> Source:
        source = self.source(alert.source)
        if source is None:
            raise LookupError(f"no source named {alert.source}")
        return source

    async def _silence_and_record(self, source: Source, request: SilenceRequest, alert: Alert, scope: str) -> str:
        silence_id = await create_silence(source, request, read_only=self.read_only, audit=self.audit)
        history = getattr(self, "history", None)
        if history is not None:
            history.record_action("silence", at=utcnow(), source=source.name, alert=alert,
                                  matchers=[str(m) for m in silence_matchers_for(alert, volatile=())], by=request.created_by,
                                  silence_id=silence_id, scope=scope, comment=request.comment,
                                  ends_at=request.ends_at.isoformat())
        return silence_id
