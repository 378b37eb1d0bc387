"""What the benchmarks run against: real Alertmanager/Prometheus on loopback, a hung server,
and the cockpit's config, cache and environment for one run.

Servers are started with :mod:`tests.servers` (the same launcher the test suite uses). Every
request here goes to 127.0.0.1 and has a timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cockpit.core.times import rfc3339

__all__ = [
    "HungServer",
    "Unavailable",
    "am_alert_count",
    "am_post_alerts",
    "am_silence",
    "closed_port",
    "cockpit_argv",
    "cockpit_env",
    "prom_api_requests",
    "start_server",
    "write_config",
]


class Unavailable(Exception):
    """A benchmark cannot run here (a binary is missing, a server would not start)."""


def start_server(kind: str, workdir: Path, **kwargs):
    """Start a real ``alertmanager`` or ``prometheus`` (see tests/servers.py) or raise Unavailable."""
    try:
        from tests import servers
    except ImportError as exc:  # pytest missing: bench needs the test extras
        raise Unavailable(f"tests/servers.py cannot be imported ({exc}); run `make bench`") from exc
    try:
        if kind == "alertmanager":
            return servers.start_alertmanager(workdir, **kwargs)
        return servers.start_prometheus(workdir, **kwargs)
    except BaseException as exc:  # pytest.skip raises a BaseException when the binary is missing
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise Unavailable(f"{kind} could not start: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc


def _request(url: str, data: object | None = None, timeout: float = 30.0) -> bytes:
    body = None if data is None else json.dumps(data).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 - loopback only
        return response.read()


def am_post_alerts(url: str, alerts: list[dict], batch: int = 500) -> None:
    """Post alerts (``{"labels": ..., "annotations": ...}``) to Alertmanager, firing for a day."""
    now = datetime.now(timezone.utc)
    for start in range(0, len(alerts), batch):
        payload = [
            {
                "labels": a["labels"],
                "annotations": a.get("annotations", {}),
                "startsAt": rfc3339(now - timedelta(minutes=5)),
                "endsAt": rfc3339(now + timedelta(days=1)),
                "generatorURL": "http://127.0.0.1/graph",
            }
            for a in alerts[start : start + batch]
        ]
        _request(f"{url}/api/v2/alerts", payload)


def am_alert_count(url: str) -> int:
    return len(json.loads(_request(f"{url}/api/v2/alerts")))


def am_silence(url: str, alertname: str) -> str:
    """Silence every alert named ``alertname`` for an hour; returns the silence id."""
    now = datetime.now(timezone.utc)
    body = {
        "matchers": [{"name": "alertname", "value": alertname, "isRegex": False, "isEqual": True}],
        "startsAt": rfc3339(now),
        "endsAt": rfc3339(now + timedelta(hours=1)),
        "createdBy": "bench",
        "comment": "benchmark: one change",
    }
    return json.loads(_request(f"{url}/api/v2/silences", body))["silenceID"]


def prom_api_requests(url: str) -> float:
    """Requests Prometheus has served on its HTTP API so far, from its own /metrics.

    Sums ``prometheus_http_requests_total`` over every ``/api/...`` handler; reading /metrics
    itself is not counted (its handler is ``/metrics``).
    """
    total = 0.0
    for line in _request(f"{url}/metrics").decode().splitlines():
        if line.startswith("prometheus_http_requests_total{") and 'handler="/api/' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HungServer:
    """A loopback TCP server that accepts connections and never answers (a hung upstream)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.5)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hung-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            self._held.append(conn)  # read nothing, answer nothing, keep it open

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._held:
            conn.close()
        self.sock.close()


def write_config(path: Path, sources: list[dict], cockpit: dict | None = None) -> Path:
    """Write a cockpit TOML config with these ``[[sources]]`` tables (string/list values)."""

    def value(v: object) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, bool):
            return "true" if v else "false"
        return json.dumps(v)

    lines = []
    if cockpit:
        lines.append("[cockpit]")
        lines += [f"{k} = {value(v)}" for k, v in cockpit.items()]
    for source in sources:
        lines.append("[[sources]]")
        lines += [f"{k} = {value(v)}" for k, v in source.items() if k != "slos"]
        for slo in source.get("slos", []):  # nested tables: [[sources.slos]]
            lines.append("[[sources.slos]]")
            lines += [f"{k} = {value(v)}" for k, v in slo.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def cockpit_argv(*args: str) -> list[str]:
    """The installed ``cockpit`` entry point beside this Python (else ``python -m cockpit``)."""
    script = Path(sys.executable).with_name("cockpit")
    if script.exists():
        return [str(script), *args]
    found = shutil.which("cockpit")
    return [found, *args] if found else [sys.executable, "-m", "cockpit", *args]


def cockpit_env(cache_dir: Path, *, low_bandwidth: bool = False, home: Path | None = None) -> dict[str, str]:
    """A clean environment for one cockpit: its own cache dir and config home, no SSH, colours on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "SSH_", "TEXTUAL"))}
    env.pop("NO_COLOR", None)
    env["COCKPIT_CACHE_DIR"] = str(cache_dir)
    env["COCKPIT_STATE_DIR"] = f"{cache_dir}-state"
    if home is not None:
        env["XDG_CONFIG_HOME"] = str(home / "config")
        env["XDG_STATE_HOME"] = str(home / "state")
        env["XDG_DATA_HOME"] = str(home / "data")
    if low_bandwidth:
        env["SSH_CONNECTION"] = "127.0.0.1 50000 127.0.0.1 22"
    env["TERM"] = "xterm-256color"
    return env


def wait(check, timeout: float, interval: float = 0.2) -> bool:
    """Poll ``check()`` until truthy (True) or ``timeout`` seconds passed (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # noqa: BLE001 - not ready yet
            pass
        time.sleep(interval)
    return False
