"""A loopback HTTP server that misbehaves on demand, for the fault matrix.

Every request gets the current ``mode``'s answer whatever its path, so one server serves every
source type. ``ok`` answers ``ok_body`` (a JSON document the test chooses, or a table by path).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

from tests.loopback import Answer, Loopback, Request

__all__ = ["FaultServer", "MODES", "closed_port"]

MODES = ("refused", "hang", "500", "401", "403", "429", "malformed", "html", "empty", "huge", "dns", "tls")
HUGE_BYTES = 40 * 1024 * 1024


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FaultServer:
    """``with FaultServer() as server: server.mode = "500"; server.url``."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.ok_body: object = []
        self.retry_after = "120"
        """The Retry-After header of a 429."""
        self._stop = threading.Event()
        self.server = Loopback(self._answer)
        self.url = self.server.url

    @property
    def requests(self) -> int:
        """How many requests arrived."""
        return len(self.server.requests)

    def __enter__(self) -> "FaultServer":
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.server.stop()

    def url_for(self, mode: str) -> str:
        """The base URL a source should use to meet ``mode`` (some faults are in the URL)."""
        if mode == "refused":
            return f"http://127.0.0.1:{closed_port()}"
        if mode == "dns":
            return "http://cockpit-fault.invalid"
        if mode == "tls":
            return self.url.replace("http://", "https://")
        return self.url

    def _answer(self, request: Request) -> Answer:
        mode = self.mode
        if mode == "hang":
            return Answer(stream=lambda handler: self._stop.wait(30))
        if mode == "huge":
            return Answer(stream=self._send_huge)
        if mode in ("500", "401", "403"):
            return Answer(int(mode), {"message": f"error {mode}"}, content_type="application/json")
        if mode == "429":
            return Answer(429, b'{"message": "slow down"}', {"Retry-After": self.retry_after}, "application/json")
        bodies = {"malformed": b'{"data": [1, 2,', "empty": b""}
        if mode == "html":
            return Answer(200, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html")
        if mode in bodies:
            return Answer(200, bodies[mode], content_type="application/json")
        return Answer(200, json.dumps(self._ok_for(request.path)).encode(), content_type="application/json")

    def _ok_for(self, path: str) -> object:
        """``ok_body``, or when it is a ``{"path part": body}`` table, the first entry in the path."""
        if isinstance(self.ok_body, dict) and "*" in self.ok_body:
            for part, body in self.ok_body.items():
                if part != "*" and part in path:
                    return body
            return self.ok_body["*"]
        return self.ok_body

    def _send_huge(self, handler: BaseHTTPRequestHandler) -> None:
        """A JSON array far too large, chunked (no Content-Length to refuse it up front)."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"[" + b'"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",' * 30000
        sent, started = 0, time.monotonic()
        try:
            while sent < HUGE_BYTES and time.monotonic() - started < 20:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up once it had read enough: that is the point
