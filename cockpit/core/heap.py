"""When the garbage collector runs, with thousands of alerts in memory.

A full collection walks every tracked object: 70-110 ms with 10,000 alerts. Python starts one
by itself every so often, in the UI or the poller thread, stalling whatever comes then (usually
a filter keystroke). Collecting right after the repaint of a large refresh puts one pause where
the screen has just changed anyway, and ``gc.freeze()`` makes the later passes walk only the
objects made since. Replaced alerts are still freed by reference counting (freezing only hides
objects from the cycle collector); every :data:`FULL_COLLECT_EVERY` large refreshes the frozen
objects are walked too, so cyclic garbage among them is reclaimed.
"""

from __future__ import annotations

import gc

__all__ = ["FULL_COLLECT_EVERY", "HeapKeeper"]

FULL_COLLECT_EVERY = 20
"""Every this many large refreshes, the collector also walks the objects frozen before."""


class HeapKeeper:
    """Collects and freezes after large refreshes; unfreezes every ``FULL_COLLECT_EVERY``."""

    def __init__(self) -> None:
        self.large_refreshes = 0

    def collect_and_freeze(self) -> None:
        self.large_refreshes += 1
        if self.large_refreshes % FULL_COLLECT_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
