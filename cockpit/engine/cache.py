"""The local disk cache: each source's last state, and the poll leases shared by instances.

Backed by diskcache (SQLite underneath: atomic writes, safe across processes and threads), in
``<cache dir>/state``. The state of a source is stored as JSON (never pickles: a cache written
by another version or a hostile file cannot run code), with its fetch time, so the app paints
from here at once and shows the age of what it paints.

A corrupted cache database (SQLite says the file is not a database or is malformed) is moved
aside and rebuilt; :attr:`CacheStore.recovered` then holds a one-line notice for the UI to show
once. Any other failure to open it (a read-only or missing directory, a path that is a file, a
full disk, a lock held too long) moves nothing: it raises :class:`StorageError` naming the
directory. A failed write raises :class:`StorageError` too; the poller reports it and retries.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from pathlib import Path

import diskcache

from cockpit.core.errors import StorageError
from cockpit.core.models import SourceState, share_fields_set

__all__ = ["CacheStore", "StorageError", "is_corruption", "reason"]

_SETTINGS = {"timeout": 5, "eviction_policy": "none", "disk_min_file_size": 2**31}
"""Every value stays inside the SQLite file (created 0600 under our umask): diskcache would
otherwise write values over 32 KB to separate files, created later with the user's umask."""
_STATE = "state:"
_LEASE = "lease:"
_STAMP = "stamp:"


def is_corruption(exc: BaseException) -> bool:
    """True only for SQLite's "not a database" and "malformed" errors: a file to move aside.

    ``OperationalError`` (cannot open, read-only, disk I/O, locked, full) is not corruption: the
    file may be fine and must be kept.
    """
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def reason(exc: BaseException) -> str:
    """One line for a storage failure: the OS's words, else SQLite's."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _stamp_of(state: SourceState) -> float:
    times = [t.timestamp() for t in (state.fetched_at, state.last_attempt_at) if t]
    return max(times) if times else 0.0


class CacheStore:
    """Source states and leases in one diskcache directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.recovered: str | None = None
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._cache = self._open()

    def _open(self) -> diskcache.Cache:
        path = self.directory / "state"
        old_umask = os.umask(0o077)
        try:
            try:
                self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                return self._probe(path)
            except (sqlite3.DatabaseError, OSError, diskcache.Timeout) as exc:
                if not is_corruption(exc):
                    raise StorageError(f"cache dir {self.directory} is unusable: {reason(exc)}") from exc
                aside = path.with_name(f"state.corrupt-{int(time.time())}")
                os.replace(path, aside) if path.exists() else None
                self.recovered = f"cache was unreadable ({reason(exc)}); moved aside and rebuilt"
            try:
                return self._probe(path)
            except (sqlite3.DatabaseError, OSError, diskcache.Timeout) as exc:
                raise StorageError(f"cache dir {self.directory} is unusable: {reason(exc)}") from exc
        finally:
            os.umask(old_umask)

    @staticmethod
    def _probe(path: Path) -> diskcache.Cache:
        cache = diskcache.Cache(str(path), **_SETTINGS)
        try:
            cache.get("probe")  # touches the tables: a corrupt file fails here
            cache.set("probe", 1)  # and a read-only one here
        except BaseException:
            cache.close()
            raise
        return cache

    def close(self) -> None:
        self._cache.close()

    # -- states ---------------------------------------------------------------------------

    def save(self, state: SourceState) -> None:
        """Store a source's state (its data and health) under its name."""
        # Bytes, not str: diskcache stores bytes as they are, while a str goes through a
        # StringIO copy at 4 bytes a character (35 MB at the peak for 10,000 alerts).
        try:
            with self._cache.transact():
                self._cache.set(_STATE + state.name, state.__pydantic_serializer__.to_json(state))
                self._cache.set(_STAMP + state.name, _stamp_of(state))
        except (sqlite3.Error, OSError, diskcache.Timeout) as exc:
            raise StorageError(f"cache not saved in {self.directory}: {reason(exc)}") from exc

    def load(self, name: str) -> SourceState | None:
        """The stored state of a source, or None when absent or unreadable."""
        try:
            raw = self._cache.get(_STATE + name)
        except (sqlite3.DatabaseError, OSError):
            return None
        if raw is None:
            return None
        try:
            state = SourceState.model_validate_json(raw)
        except (ValueError, TypeError):
            return None  # written by an incompatible version: poll again
        for item in state.items:
            share_fields_set(item)  # 7 MB less per 10,000 alerts
        return state

    def stamp(self, name: str) -> float | None:
        """A cheap change marker for a stored state (its latest fetch or attempt time).

        Stored beside the state, so an instance that does not hold the lease can check every
        few seconds whether the holder stored something new without parsing the whole state.
        """
        try:
            return self._cache.get(_STAMP + name)
        except (sqlite3.DatabaseError, OSError):
            return None

    # -- leases -----------------------------------------------------------------------------

    def acquire_lease(self, name: str, ttl: float) -> bool:
        """Take or renew the right to poll ``name`` for ``ttl`` seconds.

        Several cockpits sharing one cache dir each call this before polling; only the holder
        polls, the others read what it stored. A holder that dies lets the lease expire.
        """
        key = _LEASE + name
        try:
            if self._cache.add(key, self.owner, expire=ttl):
                return True
            with self._cache.transact():
                if self._cache.get(key) == self.owner:
                    self._cache.set(key, self.owner, expire=ttl)
                    return True
        except (sqlite3.DatabaseError, OSError, diskcache.Timeout):
            return True  # a broken lease store must not stop polling
        return False

    def release_lease(self, name: str) -> None:
        key = _LEASE + name
        try:
            with self._cache.transact():
                if self._cache.get(key) == self.owner:
                    self._cache.delete(key)
        except (sqlite3.DatabaseError, OSError, diskcache.Timeout):
            pass
