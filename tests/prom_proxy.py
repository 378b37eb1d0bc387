"""A loopback front for a REAL Prometheus that behaves like Mimir's or Cortex's gateway.

Plain Prometheus ignores ``X-Scope-OrgID``; this proxy does not: a request without the expected
tenant is refused with 401 as Mimir refuses it ("no org id"), a path outside the prefix is a 404,
and a bearer token can be required too. Every request is recorded (path, query parameters,
headers) so a test can check what the cockpit sent.
"""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

__all__ = ["PromProxy", "Recorded"]


@dataclass
class Recorded:
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class PromProxy:
    """Forward ``<prefix>/api/...`` to ``upstream`` when the tenant (and token) match."""

    upstream: str
    tenant: str = "team-a"
    prefix: str = "/prometheus"
    token: str | None = None
    requests: list[Recorded] = field(default_factory=list)
    _server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "PromProxy":
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                proxy._handle(self, None)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                proxy._handle(self, self.rfile.read(length))

            def log_message(self, *args: object) -> None:  # quiet
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _handle(self, handler: http.server.BaseHTTPRequestHandler, body: bytes | None) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        params = urllib.parse.parse_qs(parsed.query)
        if body:
            for key, values in urllib.parse.parse_qs(body.decode()).items():
                params.setdefault(key, []).extend(values)
        self.requests.append(Recorded(parsed.path, params, {k: v for k, v in handler.headers.items()}))
        if not parsed.path.startswith(self.prefix + "/"):
            return _answer(handler, 404, b"404 page not found")
        if handler.headers.get("X-Scope-OrgID") != self.tenant:
            return _answer(handler, 401, b"no org id")
        if self.token and handler.headers.get("Authorization") != f"Bearer {self.token}":
            return _answer(handler, 401, b'{"status":"error","error":"authentication required"}')
        target = self.upstream + handler.path[len(self.prefix):]
        try:
            with urllib.request.urlopen(urllib.request.Request(target, data=body, method=handler.command)) as response:  # noqa: S310
                _answer(handler, response.status, response.read())
        except urllib.error.HTTPError as exc:
            _answer(handler, exc.code, exc.read())


def _answer(handler: http.server.BaseHTTPRequestHandler, code: int, body: bytes) -> None:
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json" if body[:1] == b"{" else "text/plain")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
