"""The engine facade's silences: which sources can silence, their list, create and expire.

Each call runs on the poller's event loop (through ``Engine.submit``) and is awaited from the
caller's loop, so the UI never blocks on the network. Writes go through
:mod:`cockpit.engine.actions`: refused in read-only mode, sent once, never retried, every
attempt in the audit log; a created silence is also recorded in the shift history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Coroutine

from cockpit.core.errors import SourceWriteRefused
from cockpit.core.matchers import Matcher
from cockpit.core.models import Alert, utcnow
from cockpit.engine import actions
from cockpit.engine.audit import AuditLog
from cockpit.sources.base import SilenceInfo, Source, SupportsSilences

if TYPE_CHECKING:
    from cockpit.engine.history import History

__all__ = ["SilenceInfo", "SilencesFacade"]


class SilencesFacade:
    """Mixed into :class:`cockpit.engine.facade.Engine`, which provides the attributes below."""

    sources: list[Source]
    read_only: bool
    audit: AuditLog
    history: History
    user: str

    def submit(self, coro: Coroutine[Any, Any, Any]) -> Future:  # provided by Engine
        raise NotImplementedError

    def silence_sources(self) -> list[str]:
        """The names of the sources that can silence alerts, in config order."""
        return [s.name for s in self.sources if isinstance(s, SupportsSilences)]

    def can_silence(self, source: str) -> bool:
        return source in self.silence_sources()

    def _silencer(self, name: str) -> Source:
        source = next((s for s in self.sources if s.name == name), None)
        if source is None or not isinstance(source, SupportsSilences):
            raise SourceWriteRefused(f"source {name} cannot silence alerts")
        return source

    async def _on_engine_loop(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return await asyncio.wrap_future(self.submit(coro))

    def record_refusal(self, what: str, *, source: str = "", details: Mapping[str, Any] | None = None) -> str | None:
        """Record in the audit log a write refused before it was sent (read-only mode), as every
        refused write is; returns why it could not be written (a full disk), else None."""
        try:
            self.audit.append(who=self.user, what=what, source=source, result="refused", details=details,
                              error=actions.READ_ONLY_MESSAGE)
        except OSError as exc:
            return exc.strerror or str(exc)
        return None

    async def list_silences(self, source: str) -> list[SilenceInfo]:
        """The active and pending silences of one source (a read: allowed in read-only mode)."""
        return await self._on_engine_loop(actions.list_silences(self._silencer(source)))

    async def create_silence(
        self,
        source: str,
        matchers: Sequence[Matcher],
        *,
        duration_s: float,
        comment: str,
        author: str,
        alert: Alert | None = None,
        scope: str = "alert",
    ) -> str:
        """Create one silence from now for ``duration_s`` seconds and return its id.

        Raises :class:`~cockpit.core.errors.SourceWriteRefused` (read-only mode, a source that
        cannot silence, an invalid silence) or the source's ``SourceError``; never retries.
        """
        writer = self._silencer(source)
        request = actions.silence_request(list(matchers), duration_s=duration_s, comment=comment,
                                          created_by=author)

        async def write() -> str:
            silence_id = await actions.create_silence(writer, request, read_only=self.read_only,
                                                      audit=self.audit)
            self.history.record_action(
                "silence", at=utcnow(), source=writer.name, alert=alert,
                matchers=[str(m) for m in matchers], by=author, silence_id=silence_id,
                scope=scope, comment=comment, ends_at=request.ends_at.isoformat(),
            )
            return silence_id

        return await self._on_engine_loop(write())

    async def expire_silence(self, source: str, silence_id: str) -> None:
        """Expire one silence now, as :attr:`user`; refused in read-only mode, audited."""
        coro = actions.expire_silence(self._silencer(source), silence_id, read_only=self.read_only,
                                      audit=self.audit, who=self.user)
        await self._on_engine_loop(coro)
