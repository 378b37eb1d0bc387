"""A loopback Argo CD: ``GET /api/v1/applications`` as Argo CD's API documents it, with its
``fields`` projection (the framework is :mod:`tests.api_servers`)."""

from __future__ import annotations

from typing import Any

from tests.api_servers import FakeApi, Reply, Seen

__all__ = ["ArgoCdApi", "project_fields"]


def project_fields(document: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Keep only the dotted ``fields`` of a list response (``items.status.history``), as Argo CD does."""
    out: dict[str, Any] = {}
    for dotted in fields:
        head, *rest = dotted.split(".")
        if head not in document:
            continue
        value = document[head]
        if not rest:
            out[head] = value
        elif isinstance(value, list):
            merged = out.setdefault(head, [{} for _ in value])
            for target, item in zip(merged, value):
                _deep_merge(target, project_fields(item, [".".join(rest)]))
        elif isinstance(value, dict):
            _deep_merge(out.setdefault(head, {}), project_fields(value, [".".join(rest)]))
    return out


def _deep_merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


class ArgoCdApi(FakeApi):
    """Argo CD's ``GET /api/v1/applications`` (bearer token, optional ``fields`` projection).

    Argo CD sends no ETag and does not paginate this list; it rate-limits nothing itself (a
    fronting proxy answers 429).
    """

    sends_etags = False

    def __init__(self, token: str = "argocd-test-token") -> None:
        super().__init__()
        self.token = token
        self.apps: list[dict[str, Any]] = []

    def authorised(self, seen: Seen) -> bool:
        return seen.headers.get("authorization") == f"Bearer {self.token}"

    def unauthorised(self) -> Reply:
        message = "invalid session: token has invalid claims: token is expired"
        return Reply(401, {"error": message, "code": 16, "message": message})

    def route(self, seen: Seen) -> Reply:
        if seen.path.rstrip("/") != "/api/v1/applications":
            return Reply(404, {"error": "Not Found", "code": 5, "message": "Not Found"})
        document = {"metadata": {"resourceVersion": "12345"}, "items": self.apps}
        if seen.query.get("fields"):
            document = project_fields(document, seen.query["fields"].split(","))
        return Reply(200, document)
