"""Writes the panel shows at once: pending until a poll confirms them, flagged when a poll contradicts them.

After an acknowledge, a resolve or an ack silence was answered ``ok``, the app adds a
:class:`PendingWrite`. :meth:`PendingWrites.overlay` then returns each source state with the
affected alerts changed the way the write should change them and a line saying so in the
annotation :data:`WRITE_NOTE` (``acknowledged by ada · pending``). A poll that *started* after
the write was answered decides:

* it shows the expected state: confirmed; the note stays (``acknowledged by ada until 10:30Z``)
  while the state holds (a resolved incident simply leaves the list);
* it does not: contradicted; the alert is shown as the upstream says, with
  ``⚠ not confirmed: <upstream> still says <state>``.

Pure data (no I/O): the app calls it on each new state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cockpit.core.models import WRITE_NOTE, Alert, AlertState, SourceState

__all__ = ["WRITE_NOTE", "PendingWrite", "PendingWrites"]


Expect = Literal["acknowledged", "resolved", "silenced"]


@dataclass
class PendingWrite:
    source: str
    fingerprint: str
    expect: Expect
    by: str
    answered_at: datetime
    until: datetime | None = None
    status: Literal["pending", "confirmed", "contradicted"] = "pending"

    def done_line(self) -> str:
        verb = {"acknowledged": "acknowledged", "resolved": "resolved", "silenced": "acknowledged"}[self.expect]
        until = f" until {self.until:%H:%M}Z" if self.until else ""
        return f"{verb} by {self.by}{until}"


def _upstream_state(alert: Alert | None) -> str:
    if alert is None:
        return "gone"
    return alert.labels.get("pd_status") or alert.state.value


def _holds(write: PendingWrite, alert: Alert | None) -> bool:
    if write.expect == "resolved":
        return alert is None
    if alert is None:
        return False
    if write.expect == "acknowledged":
        return alert.labels.get("pd_status") == "acknowledged"
    return alert.state == AlertState.SILENCED


def _applied(write: PendingWrite, alert: Alert, line: str) -> Alert:
    labels, state = alert.labels, alert.state
    if write.status == "pending" and write.expect in ("acknowledged", "resolved"):
        labels = {**labels, "pd_status": write.expect}
    if write.status == "pending" and write.expect == "silenced":
        state = AlertState.SILENCED
    return alert.model_copy(update={"labels": labels, "state": state,
                                    "annotations": {**alert.annotations, WRITE_NOTE: line}})


class PendingWrites:
    """The writes sent from this cockpit whose effect is not (or no longer) for the upstream to show alone."""

    def __init__(self) -> None:
        self._writes: dict[tuple[str, str], PendingWrite] = {}

    def add(self, write: PendingWrite) -> None:
        self._writes[(write.source, write.fingerprint)] = write

    def get(self, source: str, fingerprint: str) -> PendingWrite | None:
        return self._writes.get((source, fingerprint))

    def __len__(self) -> int:
        return len(self._writes)

    def overlay(self, state: SourceState, now: datetime) -> SourceState:
        """``state`` with the pending writes of its source applied (the same object when none)."""
        mine = [w for w in self._writes.values() if w.source == state.name]
        if not mine:
            return state
        decisive = state.error is None and state.last_attempt_at is not None
        by_fp = {item.fingerprint: item for item in state.items if isinstance(item, Alert)}
        replaced: dict[str, Alert] = {}
        for write in mine:
            alert = by_fp.get(write.fingerprint)
            if write.until is not None and now >= write.until:
                del self._writes[(write.source, write.fingerprint)]
                continue
            if decisive and state.last_attempt_at >= write.answered_at:  # type: ignore[operator]
                if _holds(write, alert):
                    write.status = "confirmed"
                elif write.status == "confirmed":  # it held, and changed since: the note is over
                    del self._writes[(write.source, write.fingerprint)]
                    continue
                else:
                    write.status = "contradicted"
            if alert is None:
                if write.status == "confirmed":
                    del self._writes[(write.source, write.fingerprint)]
                continue
            if write.status == "pending":
                line = f"{write.done_line()} · pending"
            elif write.status == "confirmed":
                line = write.done_line()
            else:
                line = f"⚠ not confirmed: {state.name} still says {_upstream_state(alert)}"
            replaced[write.fingerprint] = _applied(write, alert, line)
        if not replaced:
            return state
        items = [replaced.get(item.fingerprint, item) if isinstance(item, Alert) else item for item in state.items]
        return state.model_copy(update={"items": items})
