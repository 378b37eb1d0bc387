"""Several endpoints of one HA cluster (Alertmanager peers, Prometheus replicas), asked at once.

:func:`ask_peers` keeps what the live peers said and names the dead ones; it fails only when
every peer failed, so one dead replica degrades a source without blanking it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from cockpit.core.errors import SourceError

__all__ = ["ask_peers", "peer_reason"]

T = TypeVar("T")


def peer_reason(exc: SourceError, peer: str) -> str:
    """The error's message without the URL the HTTP layer puts in front."""
    message = exc.message
    if message.startswith(peer):
        _, _, rest = message.partition(": ")
        return rest or message
    return message


async def ask_peers(peers: list[str], call: Callable[[str], Awaitable[T]]) -> tuple[list[tuple[str, T]], str | None]:
    """``call`` every peer at once: the answers of the live ones and a reason naming the dead ones.

    Raises when every peer failed (the first error's type, so a rate limit keeps its retry time,
    with every peer named when there were several).
    """
    results = await asyncio.gather(*(call(p) for p in peers), return_exceptions=True)
    good: list[tuple[str, T]] = []
    failures: list[tuple[str, SourceError]] = []
    for peer, result in zip(peers, results):
        if isinstance(result, SourceError):
            failures.append((peer, result))
        elif isinstance(result, BaseException):
            raise result
        else:
            good.append((peer, result))
    reasons = "; ".join(f"peer {p}: {peer_reason(e, p)}" for p, e in failures)
    if not good:
        first = failures[0][1]
        if len(failures) > 1:
            first.message = f"all {len(failures)} peers failed: {reasons}"
            first.args = (first.message,)
        raise first
    return good, reasons or None
