"""Storage faults on a real filesystem: a full disk (a small tmpfs), a read-only cache dir, a path
that is a file. Polling must go on and say what failed; a healthy cache is never moved aside;
an unusable directory is one line naming it, exit status 2.

Mounting needs root; without it these tests skip (a read-only directory is then made with
chmod, which root would ignore).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cockpit.core.errors import StorageError
from cockpit.core.models import Alert, FetchResult, SourceKind
from cockpit.engine.cache import CacheStore
from cockpit.engine.poller import Poller
from cockpit.sources.base import Source, SourceContext
from tests.conftest import REPO


@contextmanager
def small_tmpfs(path: Path, size: str = "2m") -> Iterator[Path]:
    """A real filesystem of ``size`` at ``path`` (skips when it cannot be mounted)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def read_only(path: Path) -> None:
    """Make the filesystem (root) or the directory (anyone else) read-only."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
    else:
        path.chmod(0o500)


def fill(disk: Path) -> Path:
    """Write until the filesystem is full; the file is returned so the space can be freed."""
    filler = disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


class ManyAlerts(Source):
    """Alerts enough that a state needs fresh disk pages to be stored."""

    kind = SourceKind.ALERTS

    async def fetch(self) -> FetchResult:
        return FetchResult(items=[
            Alert(source=self.name, fingerprint=f"f{i}", name=f"Alert{i}", severity="warning",
                  annotations={"summary": "x" * 200}) for i in range(300)
        ])


async def test_a_full_disk_is_reported_and_polling_goes_on_until_space_returns(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        store = CacheStore(disk / "cache")
        source = ManyAlerts("many", ManyAlerts.Options(interval="5s", timeout="1s"), SourceContext(cache_dir=disk))
        filler = fill(disk)
        states = []

        async def between_polls(delay: float) -> None:
            if len(states) == 2:
                filler.unlink()  # space is back
            if len(states) == 3:
                poller.stop()

        poller = Poller([source], store, states.append, share=False, sleep=between_polls)
        await poller.run()  # returned: the poller did not die on the failed write
        store.close()
        assert len(states) == 3, "polling stopped after a failed cache write"
        assert "cache not saved" in (states[0].degraded or "") and "full" in states[0].degraded
        assert states[2].degraded is None
        assert len(CacheStore(disk / "cache").load("many").items) == 300  # saved once space returned


def test_a_read_only_cache_is_one_line_exit_2_and_is_not_moved_aside(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        cache = disk / "cache"
        CacheStore(cache).close()  # a healthy cache
        read_only(disk)
        result = subprocess.run([sys.executable, "-m", "cockpit", "snapshot", "--demo"], capture_output=True,
                                text=True, env=dict(os.environ, COCKPIT_CACHE_DIR=str(cache)), cwd=str(REPO),
                                timeout=60)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1 and str(cache) in result.stderr, result.stderr
        assert sorted(p.name for p in cache.iterdir()) == ["state"], "a healthy cache was moved aside"


@pytest.mark.parametrize("args", [["snapshot", "--demo"], ["--demo"]])
def test_a_cache_dir_that_is_a_file_is_one_line_exit_2(tmp_path: Path, args: list[str]) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True, text=True,
                            env=dict(os.environ, COCKPIT_CACHE_DIR=str(blocker)), cwd=str(REPO), timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"cockpit: cache dir {blocker}") and result.stderr.count("\n") == 1, result.stderr


def test_a_locked_cache_is_not_taken_for_a_corrupt_one(tmp_path: Path) -> None:
    import sqlite3

    CacheStore(tmp_path / "cache").close()
    holder = sqlite3.connect(tmp_path / "cache" / "state" / "cache.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    try:
        with pytest.raises(StorageError, match="locked"):
            CacheStore(tmp_path / "cache")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["state"]
