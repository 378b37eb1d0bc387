"""The shift history: what the cockpit saw, kept locally so a report can be computed later.

:meth:`History.record` is called with every poll result (the engine wraps the poller's update
callback). It diffs the new items of that source against the previous ones, which are kept in
the database (not in memory, so a restart or a second instance sharing the cache dir continues
the same diff and writes nothing twice), and appends what changed:

* ``alert`` events: an alert seen for the first time (``prev`` is NULL), a state change
  (pending -> firing, firing -> silenced, ...) and ``resolved`` when it is gone from the source;
* ``deploy`` and ``pipeline`` events: a run seen for the first time or with a new status;
* ``slo`` samples: one per SLO at most every :data:`SLO_SAMPLE_S` seconds, or on a status change;
* coverage ``spans`` per source: when it was polled and up, when its polls failed (down), and,
  by omission, when nothing was recorded at all (no cockpit running) -- so a report can name
  the holes in its data instead of counting them as quiet time;
* ``action`` events from :func:`record_action` / :meth:`History.record_action`: silences and
  triage steps made from this terminal (the app's write path calls it).

Nothing here talks to an upstream: the history is built only from what the poller fetched anyway.
The database is ``<state_dir>/history.sqlite`` (SQLite in WAL mode, created 0600), pruned by age
(:data:`RETENTION_DAYS`, above the 14 days a report may look back) and by row count.
A broken history never stops polling: :meth:`record` logs and swallows its own errors.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cockpit.core.models import Alert, Deploy, Pipeline, Slo, SourceState
from cockpit.engine.poller import MAX_BACKOFF_S
from cockpit.engine.history_runs import iso as _iso, run_fields, run_key as _run_key

__all__ = [
    "HISTORY_FILE_NAME",
    "History",
    "RETENTION_DAYS",
    "SLO_SAMPLE_S",
    "Span",
    "record_action",
]

log = logging.getLogger(__name__)

HISTORY_FILE_NAME = "history.sqlite"
RETENTION_DAYS = 15
"""Rows older than this are pruned (a report can look back 14 days)."""
MAX_ROWS = {"events": 200_000, "slo_samples": 250_000, "spans": 50_000}
"""Row caps per table: the oldest rows go first when a table grows past its cap, and the time
of the newest row dropped is kept (:meth:`History.capped_before`) so a report can say which part
of its window the cap cut off. 200,000 events hold about 1.4 hours when 200 alerts are all
replaced every 10 s (400 events a cycle, measured), about 14 hours at 240 alert events a minute."""
SLO_SAMPLE_S = 300.0
"""Least time between two samples of one SLO (a status change is sampled at once): 50 SLOs
fit 14 days in the row cap."""
MIN_GAP_S = 90.0
"""Polls further apart than max(3 x interval, this) leave an unrecorded hole between them
(2 x the poller's largest backoff while a source is failing)."""
_PRUNE_EVERY = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
    key TEXT NOT NULL, name TEXT, severity TEXT, service TEXT, state TEXT, prev TEXT, data TEXT);
CREATE INDEX IF NOT EXISTS events_at ON events(at);
CREATE TABLE IF NOT EXISTS current (
    source TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, state TEXT, seen REAL, data TEXT,
    PRIMARY KEY (source, kind, key));
CREATE TABLE IF NOT EXISTS slo_samples (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, source TEXT NOT NULL, slo_id TEXT NOT NULL,
    service TEXT, name TEXT, objective REAL, status TEXT, budget REAL, burn_1h REAL);
CREATE INDEX IF NOT EXISTS slo_samples_at ON slo_samples(at);
CREATE TABLE IF NOT EXISTS spans (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, start REAL NOT NULL, end REAL NOT NULL,
    up INTEGER NOT NULL, error TEXT, gap REAL NOT NULL);
CREATE INDEX IF NOT EXISTS spans_source ON spans(source, end);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL);
"""


@dataclass(frozen=True)
class Span:
    """A stretch of time a source was observed: ``up`` (polls succeeded) or down (they failed)."""

    source: str
    start: datetime
    end: datetime
    up: bool
    error: str | None = None
    gap: float = 0.0
    """Seconds the last poll's reading holds: the next poll is due within them (see ``MIN_GAP_S``)."""


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


class History:
    """The recorder and its store. Thread-safe; one connection guarded by a lock."""

    def __init__(self, cache_dir: Path | str, *, retention_days: float = RETENTION_DAYS,
                 max_rows: dict[str, int] | None = None) -> None:
        self.path = Path(cache_dir) / HISTORY_FILE_NAME
        self.retention_s = retention_days * 86400
        self.max_rows = {**MAX_ROWS, **(max_rows or {})}
        self._lock = threading.Lock()
        self._records = 0
        old_umask = os.umask(0o077)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._db = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        finally:
            os.umask(old_umask)
        try:
            self.path.chmod(0o600)
        except OSError:
            pass

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- recording ------------------------------------------------------------------------------

    def record(self, state: SourceState, now: datetime) -> None:
        """Record one poll result of one source (never raises: history must not stop polling)."""
        try:
            with self._lock, self._transaction():
                self._record(state, now)
            self._records += 1
            if self._records % _PRUNE_EVERY == 1:
                self.prune(now)
        except Exception:  # a full disk or a locked file: log it, keep polling
            log.exception("history: could not record %s", state.name)

    def _transaction(self) -> _Tx:
        return _Tx(self._db)

    def _record(self, state: SourceState, now: datetime) -> None:
        at = now.timestamp()
        up = state.error is None
        # A failing source is polled with backoff (up to MAX_BACKOFF_S apart): allow for it.
        gap = max(3 * state.interval_s, MIN_GAP_S, 0 if up else 2 * MAX_BACKOFF_S)
        if not self._extend_span(state.name, at, up, state.error, gap):
            return  # older than what is recorded (a second instance got there first)
        if not up:
            return  # the items are the last good data, not news: nothing to diff
        alerts = [i for i in state.items if isinstance(i, Alert)]
        self._diff_alerts(state.name, alerts, at)
        for item in state.items:
            if isinstance(item, (Deploy, Pipeline)):
                self._record_run(state.name, item, at)
            elif isinstance(item, Slo):
                self._sample_slo(state.name, item, at)

    def _extend_span(self, source: str, at: float, up: bool, error: str | None, gap: float) -> bool:
        row = self._db.execute(
            "SELECT id, end, up FROM spans WHERE source=? ORDER BY end DESC, id DESC LIMIT 1", (source,)
        ).fetchone()
        if row is not None and at < row[1]:
            return False
        if row is not None and at - row[1] <= gap and bool(row[2]) == up:
            self._db.execute("UPDATE spans SET end=?, error=? WHERE id=?", (at, error, row[0]))
            return True
        # A status change right after the last poll starts where that span ended (contiguous);
        # after a longer silence the new span starts now, leaving an unrecorded hole.
        start = row[1] if row is not None and at - row[1] <= gap else at
        self._db.execute(
            "INSERT INTO spans(source, start, end, up, error, gap) VALUES (?,?,?,?,?,?)",
            (source, start, at, int(up), error, gap),
        )
        self._event(at, source, "source", "", None, None, None, "up" if up else "down",
                    None if row is None else ("up" if row[2] else "down"), {"error": error} if error else None)
        return True

    def _event(self, at: float, source: str, kind: str, key: str, name: str | None, severity: str | None,
               service: str | None, state: str | None, prev: str | None, data: dict[str, Any] | None) -> None:
        self._db.execute(
            "INSERT INTO events(at, source, kind, key, name, severity, service, state, prev, data) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            (at, source, kind, key, name, severity, service, state, prev, json.dumps(data) if data else None),
        )

    def _diff_alerts(self, source: str, alerts: list[Alert], at: float) -> None:
        previous = {
            key: (state, json.loads(data or "{}"))
            for key, state, data in self._db.execute(
                "SELECT key, state, data FROM current WHERE source=? AND kind='alert'", (source,)
            )
        }
        seen: set[str] = set()
        for alert in alerts:
            key = alert.fingerprint
            if key in seen:
                continue
            seen.add(key)
            before = previous.get(key)
            new_state = alert.state.value
            if before is not None and before[0] == new_state:
                continue
            info = {"name": alert.name, "severity": alert.severity, "service": alert.service}
            self._event(at, source, "alert", key, alert.name, alert.severity, alert.service, new_state,
                        before[0] if before else None,
                        {"labels": alert.labels, "starts_at": _iso(alert.starts_at), "silenced_by": alert.silenced_by})
            self._db.execute(
                "INSERT OR REPLACE INTO current(source, kind, key, state, seen, data) VALUES (?,?,?,?,?,?)",
                (source, "alert", key, new_state, at, json.dumps(info)),
            )
        for key, (old_state, info) in previous.items():
            if key not in seen:
                self._event(at, source, "alert", key, info.get("name"), info.get("severity"), info.get("service"),
                            "resolved", old_state, None)
                self._db.execute("DELETE FROM current WHERE source=? AND kind='alert' AND key=?", (source, key))

    def _record_run(self, source: str, item: Deploy | Pipeline, at: float) -> None:
        kind = "deploy" if isinstance(item, Deploy) else "pipeline"
        key = _run_key(item)
        row = self._db.execute(
            "SELECT state FROM current WHERE source=? AND kind=? AND key=?", (source, kind, key)
        ).fetchone()
        status = item.status.value
        if row is not None and row[0] == status:
            self._db.execute("UPDATE current SET seen=? WHERE source=? AND kind=? AND key=?", (at, source, kind, key))
            return
        name, service, data = run_fields(item)
        self._event(at, source, kind, key, name, None, service, status, row[0] if row else None, data)
        self._db.execute(
            "INSERT OR REPLACE INTO current(source, kind, key, state, seen, data) VALUES (?,?,?,?,?,NULL)",
            (source, kind, key, status, at),
        )

    def _sample_slo(self, source: str, slo: Slo, at: float) -> None:
        row = self._db.execute(
            "SELECT state, seen FROM current WHERE source=? AND kind='slo' AND key=?", (source, slo.id)
        ).fetchone()
        status = slo.status.value
        if row is not None and row[0] == status and at - (row[1] or 0) < SLO_SAMPLE_S:
            return
        self._db.execute(
            "INSERT INTO slo_samples(at, source, slo_id, service, name, objective, status, budget, burn_1h) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (at, source, slo.id, slo.service, slo.name, slo.objective, status, slo.error_budget_remaining,
             slo.burn_rates.get("1h")),
        )
        self._db.execute(
            "INSERT OR REPLACE INTO current(source, kind, key, state, seen, data) VALUES (?,?,?,?,?,NULL)",
            (source, "slo", slo.id, status, at),
        )

    def record_action(self, kind: str, *, at: datetime, source: str = "", alert: Alert | None = None,
                      fingerprint: str | None = None, alert_name: str | None = None,
                      matchers: Iterable[str] = (), by: str | None = None, **details: Any) -> None:
        """Record something the user did: ``kind`` is ``silence``, ``triage_started``,
        ``triage_step``, ``triage_note``, ``triage_closed`` (free text is accepted).

        Give the ``alert`` acted on when there is one (or its ``fingerprint``); a silence may
        instead give its ``matchers`` (as ``name="value"`` strings) and the report matches them
        against the alerts' labels. Never raises.
        """
        if alert is not None:
            source, fingerprint, alert_name = source or alert.source, alert.fingerprint, alert.name
        data = {"matchers": list(matchers), "by": by, **details}
        try:
            with self._lock, self._transaction():
                self._event(at.timestamp(), source, "action", fingerprint or "", alert_name,
                            alert.severity if alert else None, alert.service if alert else None, kind, None, data)
        except Exception:
            log.exception("history: could not record action %s", kind)

    # -- upkeep ---------------------------------------------------------------------------------

    def prune(self, now: datetime) -> int:
        """Drop rows past the retention and beyond each table's row cap; returns rows removed."""
        cutoff = now.timestamp() - self.retention_s
        removed = 0
        with self._lock, self._transaction():
            for table, column in (("events", "at"), ("slo_samples", "at"), ("spans", "end"), ("current", "seen")):
                removed += self._db.execute(f"DELETE FROM {table} WHERE {column} < ?", (cutoff,)).rowcount
            for table, cap in self.max_rows.items():
                last = self._db.execute(f"SELECT id FROM {table} ORDER BY id DESC LIMIT 1 OFFSET ?", (cap,)).fetchone()
                if last is None:
                    continue
                column = "end" if table == "spans" else "at"
                cut = self._db.execute(f"SELECT max({column}) FROM {table} WHERE id <= ?", last).fetchone()[0]
                removed += self._db.execute(f"DELETE FROM {table} WHERE id <= ?", last).rowcount
                self._db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE"
                                 " SET value = max(value, excluded.value)", (f"capped:{table}", cut))
        return removed

    def capped_before(self, table: str = "events") -> datetime | None:
        """The time up to which the row cap dropped rows of ``table`` (None: it never did)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (f"capped:{table}",)).fetchone()
        return _dt(row[0]) if row and row[0] is not None else None

    # -- reading (for the report) ---------------------------------------------------------------

    def events(self, since: datetime, until: datetime, kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Events with ``since <= at <= until``, oldest first, as dicts (``at`` a UTC datetime)."""
        query = "SELECT at, source, kind, key, name, severity, service, state, prev, data FROM events WHERE at >= ? AND at <= ?"
        params: list[Any] = [since.timestamp(), until.timestamp()]
        if kinds is not None:
            kinds = list(kinds)
            query += f" AND kind IN ({','.join('?' * len(kinds))})"
            params += kinds
        with self._lock:
            rows = self._db.execute(query + " ORDER BY at, id", params).fetchall()
        names = ("at", "source", "kind", "key", "name", "severity", "service", "state", "prev", "data")
        out = []
        for row in rows:
            event = dict(zip(names, row))
            event["at"] = _dt(event["at"])
            event["data"] = _loads(event["data"])
            out.append(event)
        return out

    def slo_samples(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """SLO samples in the window, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, source, slo_id, service, name, objective, status, budget, burn_1h FROM slo_samples "
                "WHERE at >= ? AND at <= ? ORDER BY at, id", (since.timestamp(), until.timestamp()),
            ).fetchall()
        names = ("at", "source", "slo_id", "service", "name", "objective", "status", "budget", "burn_1h")
        return [{**dict(zip(names, row)), "at": _dt(row[0])} for row in rows]

    def spans(self, since: datetime, until: datetime) -> list[Span]:
        """Coverage spans overlapping the window, per source in time order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, start, end, up, error, gap FROM spans WHERE end >= ? AND start <= ? ORDER BY source, start, id",
                (since.timestamp(), until.timestamp()),
            ).fetchall()
        return [Span(source, _dt(start), _dt(end), bool(up), error, gap) for source, start, end, up, error, gap in rows]

    def sources(self) -> list[str]:
        """Every source the history has seen."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT source FROM spans ORDER BY source")]


class _Tx:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _loads(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def record_action(cache_dir: Path | str, kind: str, **kwargs: Any) -> None:
    """Open the cache dir's history, record one action (see :meth:`History.record_action`), close.

    For callers without a :class:`History` at hand (the silence write path, the triage store);
    ``at`` defaults to now.
    """
    kwargs.setdefault("at", datetime.now(timezone.utc))
    history = History(cache_dir)
    try:
        history.record_action(kind, **kwargs)
    finally:
        history.close()
