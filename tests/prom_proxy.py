"""A loopback front for a REAL Prometheus that behaves like Mimir's or Cortex's gateway.

Plain Prometheus ignores ``X-Scope-OrgID``; this proxy does not: a request without the expected
tenant is refused with 401 as Mimir refuses it ("no org id"), a path outside the prefix is a 404,
and a bearer token can be required too. Every request is recorded (path, query parameters,
headers) so a test can check what the cockpit sent.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from tests.loopback import Answer, Request, Served

__all__ = ["PromProxy", "Recorded"]


Recorded = Request
"""One request as the proxy saw it: ``path``, ``params`` (query and form body), lower-cased ``headers``."""


@dataclass
class PromProxy(Served):
    """Forward ``<prefix>/api/...`` to ``upstream`` when the tenant (and token) match."""

    upstream: str
    tenant: str = "team-a"
    prefix: str = "/prometheus"
    token: str | None = None

    def answer(self, request: Request) -> Answer:
        if not request.path.startswith(self.prefix + "/"):
            return _answer(404, b"404 page not found")
        if request.headers.get("x-scope-orgid") != self.tenant:
            return _answer(401, b"no org id")
        if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
            return _answer(401, b'{"status":"error","error":"authentication required"}')
        query = urllib.parse.urlencode(request.query, doseq=True)
        target = self.upstream + request.path[len(self.prefix):] + (f"?{query}" if query else "")
        upstream = urllib.request.Request(target, data=request.body or None, method=request.method,
                                          headers={"Content-Type": request.headers.get("content-type", "")})
        try:
            with urllib.request.urlopen(upstream) as response:  # noqa: S310
                return _answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            return _answer(exc.code, exc.read())


def _answer(code: int, body: bytes) -> Answer:
    return Answer(code, body, content_type="application/json" if body[:1] == b"{" else "text/plain")
