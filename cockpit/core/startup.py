"""Start-up without the cyclic garbage collector.

Starting the cockpit imports Textual, pydantic and the cockpit's own modules and builds the
first screen: about 95,000 objects that live as long as the process, and about 1,000 of
garbage. CPython's collector walks the growing heap again and again while they are made (one
full collection of it takes about 45 ms here), which delayed the first frame for nothing.

The entry points (the ``cockpit`` command, ``python -m cockpit``) hold the collector from their
first line; the TUI releases it once its first frame is drawn, every other command before it
runs. Releasing freezes what start-up made (``gc.freeze``: later collections skip it) and turns
the collector back on. Code that never held it (tests, embedders) is left alone.
"""

from __future__ import annotations

import gc

__all__ = ["collector_held", "hold_collector", "release_collector"]

_held = False


def hold_collector() -> None:
    """Turn the cyclic collector off until :func:`release_collector` (when it was on)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collector() -> None:
    """Freeze what was made while held and turn the collector back on; a no-op otherwise."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()


def collector_held() -> bool:
    """True between :func:`hold_collector` and :func:`release_collector`."""
    return _held
