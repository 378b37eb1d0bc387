"""The one toolkit for the tests' fake HTTP upstreams: a threaded server on 127.0.0.1.

:class:`Loopback` listens on a free loopback port, in a thread, and answers every request with
what its handler returns for it (an :class:`Answer`), or with a route table of
``(method, path) -> handler``. Every request is kept in ``requests`` (a :class:`Request`: method,
path, query, lower-cased headers, body). The fakes that answer like GitHub, GitLab
(tests/api_servers.py), Argo CD (tests/argocd_api.py), Jenkins (tests/jenkins_api.py), a
misbehaving upstream (tests/fault_server.py), a Mimir-like gateway (tests/prom_proxy.py) and
PagerDuty (tests/pagerduty_server.py) are built on it.

    with Loopback(lambda request: Answer(200, {"ok": True})) as server:
        httpx.get(server.url + "/x")
        assert server.requests[0].path == "/x"
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["Answer", "Handler", "Headers", "Loopback", "Request", "Served"]


class Headers(dict):
    """Header names lower-cased; looked up in any case (``headers["X-Scope-OrgID"]``)."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.lower() if isinstance(key, str) else key)


@dataclass
class Request:
    """One request as the server received it (``path`` still percent-encoded, without the query)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Headers
    """Header names lower-cased, looked up in any case."""
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        """The body parsed as JSON (None when empty); ValueError when it is not JSON."""
        return json.loads(self.body) if self.body else None

    @property
    def params(self) -> dict[str, list[str]]:
        """The query's parameters and a form body's (as a POSTed Prometheus query sends them)."""
        merged = {key: list(values) for key, values in self.query.items()}
        if self.body and self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            for key, values in parse_qs(self.body.decode(errors="replace")).items():
                merged.setdefault(key, []).extend(values)
        return merged

    @property
    def segments(self) -> list[str]:
        return [unquote(part) for part in self.path.strip("/").split("/")]


@dataclass
class Answer:
    """One answer: status, body (bytes as is, anything else as JSON) and headers.

    ``stream``, when set, writes the whole response itself on the raw handler (a body sent in
    chunks, a server that never answers); status, body and headers are then ignored.
    """

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    stream: Callable[[BaseHTTPRequestHandler], None] | None = None

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Answer]


class Loopback:
    """A real HTTP server on 127.0.0.1 answering through ``handler`` or ``routes``.

    ``routes`` maps ``(method, path)`` to a handler; a request matching none goes to ``handler``,
    else gets a 404. Use as a context manager, or ``start()``/``stop()``.
    """

    def __init__(self, handler: Handler | None = None, routes: dict[tuple[str, str], Handler] | None = None) -> None:
        self.handler = handler
        self.routes = dict(routes or {})
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._request_handler())
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread: threading.Thread | None = None

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method.upper(), path)] = handler

    def answer(self, request: Request) -> Answer:
        """The answer for one request (recorded first)."""
        with self.lock:
            self.requests.append(request)
        handler = self.routes.get((request.method, request.path)) or self.handler
        if handler is None:
            return Answer(404, {"message": "Not Found"})
        return handler(request)

    def start(self) -> "Loopback":
        if self._thread is None:
            self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "Loopback":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _request_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                                  Headers((k.lower(), v) for k, v in self.headers.items()), body)
                answer = server.answer(request)
                if answer.stream is not None:
                    answer.stream(self)
                    return
                data = b"" if answer.status == 304 else answer.payload()
                self.send_response(answer.status)
                if answer.status != 304:
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(data)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass  # the client hung up (a cap reached, a timeout): nothing to do

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        return RequestHandler


class Served:
    """Base of a fake upstream whose answers come from :meth:`answer`: ``start()`` serves it on a
    :class:`Loopback`, whose ``url`` and ``requests`` it shows."""

    _server: Loopback | None = None

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return self._server.url

    @property
    def requests(self) -> list[Request]:
        return self._server.requests if self._server is not None else []

    def start(self):  # -> Self
        self._server = Loopback(self.answer).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
