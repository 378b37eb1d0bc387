"""A file that blocks when read (a FIFO named ``x.md``) in a real runbooks folder.

Reading it would wait forever for a writer. The index must skip it (only regular files are
read), the CLI commands must finish, and the poller's loop must never wait on the index (an
update holding the index lock must not stop every source).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cockpit.core.models import Alert, FetchResult, SourceKind
from cockpit.engine.runbooks import index_opener
from cockpit.engine.cache import CacheStore
from cockpit.engine.enrich import RunbookResolver
from cockpit.engine.poller import Poller
from cockpit.engine.registry import build_source
from cockpit.sources.base import Source, SourceContext
from cockpit.sources.runbooks import RunbooksSource
from tests.conftest import REPO

PREFIX = "https://runbooks.example.org/"


def runbooks_with_a_fifo(tmp_path: Path) -> Path:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "DiskFull.md").write_text("# Disk full\n\nFree some space.\n")
    os.mkfifo(folder / "x.md")
    return folder


def write_config(tmp_path: Path, folder: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[sources]]\nname = "runbooks"\ntype = "runbooks"\npaths = ["{folder}"]\n'
        f'url_prefixes = ["{PREFIX}"]\n'
    )
    return config


def cockpit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COCKPIT_CACHE_DIR=str(tmp_path / "cache"))
    try:
        return subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True, text=True,
                              env=env, cwd=str(REPO), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"cockpit {' '.join(args)} hung on a FIFO in the runbooks folder")


def test_runbooks_index_skips_a_fifo_and_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path, runbooks_with_a_fifo(tmp_path))
    result = cockpit(tmp_path, "runbooks", "index", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "x.md: not a regular file" in result.stdout + result.stderr
    found = cockpit(tmp_path, "runbooks", "search", "disk", "--config", str(config))
    assert "DiskFull.md" in found.stdout


def test_snapshot_finishes_with_a_fifo_in_the_runbooks_folder(tmp_path: Path) -> None:
    config = write_config(tmp_path, runbooks_with_a_fifo(tmp_path))
    result = cockpit(tmp_path, "snapshot", "--config", str(config), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"degraded": "x.md: not a regular file, skipped"' in result.stdout


class OneAlert(Source):
    """An alert source with one alert whose runbook_url points into the runbooks folder."""

    kind = SourceKind.ALERTS

    async def fetch(self) -> FetchResult:
        alert = Alert(source=self.name, fingerprint="f1", name="DiskFull", severity="critical",
                      annotations={"runbook_url": PREFIX + "DiskFull"})
        return FetchResult(items=[alert])


async def test_the_pollers_loop_never_waits_on_the_runbook_index(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "DiskFull.md").write_text("# Disk full\n")
    context = SourceContext(cache_dir=tmp_path / "cache", open_runbook_index=index_opener(tmp_path / "cache"))
    options = RunbooksSource.Options(paths=[str(folder)], url_prefixes=[PREFIX])
    runbooks = build_source("runbooks", "runbooks", options, context)  # as the engine builds it
    runbooks.index.update()
    alerts = OneAlert("alerts", OneAlert.Options(), context)
    poller = Poller([alerts], CacheStore(tmp_path / "cache"), share=False, enrich=RunbookResolver([runbooks]).apply)

    held, release, released = threading.Event(), threading.Event(), threading.Event()

    def long_index_update() -> None:  # what an update stuck on a slow file looks like to others
        with runbooks.index._lock:
            held.set()
            release.wait(10)
        released.set()

    holder = threading.Thread(target=long_index_update)
    holder.start()
    held.wait(5)
    poll = asyncio.create_task(poller.poll_once(alerts))
    beats_while_locked = 0
    for _ in range(5):
        await asyncio.sleep(0.05)
        if not released.is_set():
            beats_while_locked += 1
    assert not poll.done()
    release.set()
    state = await poll
    holder.join(5)
    await runbooks.close()
    assert beats_while_locked == 5, "the poller's loop stood still while the runbook index was locked"
    assert state.items[0].runbook is not None and state.items[0].runbook.path == "DiskFull.md"
