"""Start and stop REAL Prometheus and Alertmanager binaries for tests.

Each server runs on a free loopback port with its own temporary storage, writes its output to a
log file beside its storage (shown when it fails to start), and is stopped by ``Server.stop()``.

``require_binary(name)`` finds a binary (Debian installs Alertmanager as
``prometheus-alertmanager``); when it is missing the test is skipped with a clear message, or
fails when ``CI=true`` (CI must run every server test).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

import pytest

__all__ = [
    "Server",
    "async_wait_until",
    "free_port",
    "require_binary",
    "start_alertmanager",
    "start_prometheus",
    "wait_until",
    "ALERTMANAGER_CONFIG",
]

_ALIASES = {
    "alertmanager": ("alertmanager", "prometheus-alertmanager"),
    "prometheus": ("prometheus",),
    "amtool": ("amtool",),
    "promtool": ("promtool",),
}

_PACKAGES = {"alertmanager": "prometheus-alertmanager", "amtool": "prometheus-alertmanager", "promtool": "prometheus"}
"""Debian package of a binary, where its name differs."""

ALERTMANAGER_CONFIG = """\
route:
  receiver: "null"
  group_by: ["alertname"]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
"""
"""A minimal Alertmanager config: one receiver that sends nowhere, fast grouping."""

STARTUP_TIMEOUT_S = 60.0


def require_binary(name: str) -> str:
    """The path of binary ``name``; skip the test when missing (fail when CI=true)."""
    for candidate in _ALIASES.get(name, (name,)):
        found = shutil.which(candidate)
        if found:
            return found
    package = _PACKAGES.get(name, name)
    message = f"{name} binary not found on PATH (Debian package {package}); run `make test` as root to install it"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    check: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.2, what: str = "condition"
) -> object:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception as exc:  # noqa: BLE001 - keep polling, report the last error
            last_exc = exc
        else:
            if value:
                return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}" + (f" (last error: {last_exc!r})" if last_exc else ""))


async def async_wait_until(
    check: Callable[[], Awaitable[object]], *, timeout: float = 30.0, interval: float = 0.2, what: str = "condition"
) -> object:
    """Await ``check()`` until it returns something truthy; fail after ``timeout`` seconds.

    Exceptions from ``check`` count as "not yet" and the last one is reported on time-out.
    """
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = await check()
        except Exception as exc:  # noqa: BLE001 - keep polling, report the last error
            last_exc = exc
        else:
            if value:
                return value
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}" + (f" (last error: {last_exc!r})" if last_exc else ""))


@dataclass
class Server:
    """One running server process."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    storage_dir: Path
    cluster_address: str | None = None
    """``host:port`` of the Alertmanager gossip listener, for ``--cluster.peer`` (None: no HA)."""
    args: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def kill(self) -> None:
        """Kill the process at once (a peer dying), without a clean shutdown."""
        if self.running:
            self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the process cleanly (SIGTERM, then SIGKILL after 10 s)."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _http_ok(url: str) -> bool:
    """The server answers: 200, or 401 from one started behind basic auth (--web.config.file)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except urllib.error.HTTPError as exc:
        return exc.code == 401
    except (urllib.error.URLError, OSError):
        return False


def _launch(name: str, argv: list[str], url: str, storage: Path, ready_path: str, **extra) -> Server:
    log_path = storage.parent / f"{storage.name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - the child owns it for its lifetime
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    server = Server(name=name, url=url, process=process, log_path=log_path, storage_dir=storage, args=argv, **extra)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.running:
            raise RuntimeError(f"{name} exited with status {process.returncode} at start:\n{server.log()}")
        if _http_ok(url + ready_path):
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} not ready after {STARTUP_TIMEOUT_S:g}s:\n{server.log()}")


def _unique_dir(base: Path, prefix: str) -> Path:
    index = 0
    while (base / f"{prefix}{index}").exists():
        index += 1
    path = base / f"{prefix}{index}"
    path.mkdir(parents=True)
    return path


def start_alertmanager(
    tmp_path: Path,
    *,
    config: str = ALERTMANAGER_CONFIG,
    peers: list[Server | str] | None = None,
    cluster: bool = False,
    extra_args: list[str] | None = None,
) -> Server:
    """Start a real Alertmanager on a free loopback port with its own storage under ``tmp_path``.

    ``cluster=True`` or ``peers`` turns on gossip on another free loopback port
    (``Server.cluster_address``); otherwise the cluster listener is disabled so single instances
    never clash on the gossip port.
    """
    binary = require_binary("alertmanager")
    storage = _unique_dir(Path(tmp_path), "alertmanager-")
    config_path = storage / "alertmanager.yml"
    config_path.write_text(config)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [
        binary,
        f"--config.file={config_path}",
        f"--storage.path={storage}",
        f"--web.listen-address=127.0.0.1:{port}",
        f"--web.external-url={url}",
    ]
    cluster_address = None
    if cluster or peers:
        cluster_address = f"127.0.0.1:{free_port()}"
        argv += [
            f"--cluster.listen-address={cluster_address}",
            f"--cluster.advertise-address={cluster_address}",
            # Settling polls every 10 gossip intervals, three times: 50ms keeps start-up ~2s.
            "--cluster.gossip-interval=50ms",
            "--cluster.pushpull-interval=2s",
            "--cluster.peer-timeout=1s",
        ]
        for peer in peers or []:
            address = peer.cluster_address if isinstance(peer, Server) else peer
            if address:
                argv.append(f"--cluster.peer={address}")
    else:
        argv.append("--cluster.listen-address=")
    argv += list(extra_args or [])
    return _launch("alertmanager", argv, url, storage, "/-/ready", cluster_address=cluster_address)


def start_prometheus(
    tmp_path: Path,
    config_yaml: str | None = None,
    *,
    rule_files: list[Path | str] | None = None,
    storage_dir: Path | str | None = None,
    alertmanagers: list[Server | str] | None = None,
    extra_args: list[str] | None = None,
) -> Server:
    """Start a real Prometheus on a free loopback port.

    ``config_yaml`` is the whole prometheus.yml; when None a minimal one is written (1s
    evaluation interval, ``rule_files`` and ``alertmanagers`` filled in). ``storage_dir`` reuses
    an existing TSDB (e.g. one backfilled by ``promtool tsdb create-blocks-from``); retention is
    set very large so old backfilled blocks are not deleted.
    """
    binary = require_binary("prometheus")
    workdir = _unique_dir(Path(tmp_path), "prometheus-")
    storage = Path(storage_dir) if storage_dir else workdir / "data"
    storage.mkdir(parents=True, exist_ok=True)
    if config_yaml is None:
        config_yaml = _prometheus_config(rule_files or [], alertmanagers or [])
    config_path = workdir / "prometheus.yml"
    config_path.write_text(config_yaml)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [
        binary,
        f"--config.file={config_path}",
        f"--storage.tsdb.path={storage}",
        "--storage.tsdb.retention.time=100y",
        f"--web.listen-address=127.0.0.1:{port}",
        f"--web.external-url={url}",
        *(extra_args or []),
    ]
    if alertmanagers and not any(a.startswith("--rules.alert.resend-delay") for a in argv):
        # The first notification can be dropped before the Alertmanagers are discovered; the
        # default 1m resend delay would then hold the alert back for a minute.
        argv.append("--rules.alert.resend-delay=1s")
    server = _launch("prometheus", argv, url, workdir, "/-/ready")
    server.storage_dir = storage
    return server


def _prometheus_config(rule_files: list[Path | str], alertmanagers: list[Server | str]) -> str:
    lines = ["global:", "  scrape_interval: 1s", "  evaluation_interval: 1s"]
    if rule_files:
        lines.append("rule_files:")
        lines += [f"  - {str(Path(f).resolve())!r}" for f in rule_files]
    targets = [(a.url if isinstance(a, Server) else a).split("://", 1)[-1] for a in alertmanagers]
    if targets:
        lines += [
            "alerting:",
            "  alertmanagers:",
            "    - api_version: v2",
            "      static_configs:",
            "        - targets: [" + ", ".join(f"{t!r}" for t in targets) + "]",
        ]
    return "\n".join(lines) + "\n"
