"""Secrets stay out of sight; the cache survives a writer killed mid-write and shared use."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cockpit.engine.cache import CacheStore
from cockpit.core.models import Alert, SourceKind, SourceState, utcnow
from tests.fault_server import closed_port

TOKEN = "ghp_s3cretT0kenValue0000000000000000"


def test_check_warns_when_a_config_with_a_secret_is_readable_by_others(tmp_path: Path, run_cli) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://127.0.0.1:{closed_port()}"\n'
        f'token = "{TOKEN}"\ntimeout = "1s"\n'
    )
    config.chmod(0o644)
    loose = run_cli("check", "--config", str(config))
    assert "readable by others" in loose.stdout and "chmod 600" in loose.stdout
    assert loose.returncode == 1  # the source itself is down
    config.chmod(0o600)
    tight = run_cli("check", "--config", str(config))
    assert "readable by others" not in tight.stdout
    for result in (loose, tight):
        assert TOKEN not in result.stdout + result.stderr


def test_token_never_reaches_snapshot_cache_or_audit(tmp_path: Path, run_cli) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://127.0.0.1:{closed_port()}"\n'
        'token_env = "AM_TOKEN"\ntimeout = "1s"\n'
    )
    for fmt in ("json", "text", "markdown"):
        result = run_cli("snapshot", "--config", str(config), "--format", fmt, env={"AM_TOKEN": TOKEN})
        assert result.returncode == 1 and TOKEN not in result.stdout + result.stderr
    cache = Path(os.environ["COCKPIT_CACHE_DIR"])
    for path in cache.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


WRITER = """
import sys
from cockpit.engine.cache import CacheStore
from cockpit.core.models import Alert, SourceKind, SourceState, utcnow
store = CacheStore(__import__("pathlib").Path(sys.argv[1]))
alerts = [Alert(source="am", fingerprint=f"{i:016x}", name=f"Alert{i}", labels={"i": str(i) * 50}) for i in range(3000)]
n = 0
while True:
    n += 1
    store.save(SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, fetched_at=utcnow(), items=alerts[: 1000 + n % 2000]))
    print(n, flush=True)
"""


def test_a_writer_killed_mid_write_leaves_the_cache_usable(tmp_path: Path) -> None:
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(5):  # let it get well into its writes, then kill it without warning
            writer.stdout.readline()
        time.sleep(0.05)
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
    finally:
        if writer.poll() is None:
            writer.kill()
    store = CacheStore(tmp_path)
    assert store.recovered is None
    state = store.load("am")
    assert state is not None and 1000 <= len(state.items) <= 3000
    assert all(isinstance(item, Alert) for item in state.items)
    store.save(SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, fetched_at=utcnow()))
    assert store.load("am").items == []


def test_a_truncated_cache_file_is_rebuilt(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store.save(SourceState(name="x", type="t", kind=SourceKind.ALERTS, fetched_at=utcnow(),
                           items=[Alert(source="x", fingerprint="f", name="A")]))
    store.close()
    db = tmp_path / "state" / "cache.db"
    db.write_bytes(db.read_bytes()[:1500])
    again = CacheStore(tmp_path)
    assert again.recovered and "rebuilt" in again.recovered
    assert again.load("x") is None
    again.save(SourceState(name="y", type="t", kind=SourceKind.ALERTS))
    assert again.load("y") is not None
