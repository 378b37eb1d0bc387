"""A REAL forward proxy for tests: Debian's ``tinyproxy`` on a free loopback port with its own
config, and a loopback upstream that records, for each request, whether it came through the
proxy (tinyproxy adds ``Via: 1.1 <ViaProxyName> (tinyproxy/...)``)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.api_servers import FakeApi, Reply, Seen
from tests.servers import free_port, require_binary, wait_until

__all__ = ["PROXY_NAME", "RecordingApi", "TinyProxy", "start_tinyproxy"]

PROXY_NAME = "cockpit-test-proxy"


class RecordingApi(FakeApi):
    """Answers every GET with an empty but well-formed JSON object; ``requests`` keeps them all."""

    sends_etags = False

    def route(self, seen: Seen) -> Reply:
        return Reply(200, {"status": "success", "data": {"alerts": [], "result": [], "groups": []}})

    def via_proxy(self) -> list[bool]:
        """For each request received, whether it came through the test proxy."""
        with self.lock:
            return [PROXY_NAME in seen.headers.get("via", "") for seen in self.requests]


@dataclass
class TinyProxy:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def start_tinyproxy(directory: Path) -> TinyProxy:
    """Start tinyproxy in the foreground on a free port; skips (or fails with CI=true) without it."""
    binary = require_binary("tinyproxy")
    port = free_port()
    config = directory / "tinyproxy.conf"
    config.write_text(
        f"Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n"
        f'LogLevel Info\nViaProxyName "{PROXY_NAME}"\n'
    )
    log = directory / "tinyproxy.log"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "-d", "-c", str(config)], stdout=out, stderr=subprocess.STDOUT)

    def listening() -> bool:
        import socket

        if process.poll() is not None:
            raise RuntimeError(f"tinyproxy exited: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, timeout=30, what="tinyproxy to listen")
    return TinyProxy(process, port, log)
