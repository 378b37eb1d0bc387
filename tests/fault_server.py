"""A loopback HTTP server that misbehaves on demand, for the fault matrix.

Every request gets the current ``mode``'s answer whatever its path, so one server serves every
source type. ``ok`` answers ``ok_body`` (a JSON document the test chooses, or a table by path).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
        self.requests = 0
        self._stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.requests += 1
                owner._answer(self)

            do_POST = do_GET
            do_DELETE = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def __enter__(self) -> "FaultServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def url_for(self, mode: str) -> str:
        """The base URL a source should use to meet ``mode`` (some faults are in the URL)."""
        if mode == "refused":
            return f"http://127.0.0.1:{closed_port()}"
        if mode == "dns":
            return "http://cockpit-fault.invalid"
        if mode == "tls":
            return self.url.replace("http://", "https://")
        return self.url

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        mode = self.mode
        if mode == "hang":
            self._stop.wait(30)
            return
        status, headers, body = 200, {"Content-Type": "application/json"}, b""
        if mode == "ok":
            body = json.dumps(self._ok_for(handler.path)).encode()
        elif mode in ("500", "401", "403"):
            status, body = int(mode), json.dumps({"message": f"error {mode}"}).encode()
        elif mode == "429":
            status, body = 429, b'{"message": "slow down"}'
            headers["Retry-After"] = self.retry_after
        elif mode == "malformed":
            body = b'{"data": [1, 2,'
        elif mode == "html":
            headers["Content-Type"] = "text/html"
            body = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        elif mode == "empty":
            body = b""
        elif mode == "huge":
            self._send_huge(handler)
            return
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            handler.wfile.write(body)
        except OSError:
            pass

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
