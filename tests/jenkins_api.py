"""A loopback Jenkins: its remote access API (``/api/json`` with ``tree``) and the Pipeline Stage
View plugin's ``wfapi`` (the framework is :mod:`tests.api_servers`)."""

from __future__ import annotations

import base64
from typing import Any

from tests.api_servers import FakeApi, Reply, Seen

__all__ = ["JenkinsApi", "project_tree"]


def _parse_tree(text: str) -> dict[str, Any]:
    """``a,b[c,d[e]]{0,5}`` -> ``{"a": None, "b": ({"c": None, "d": ({"e": None}, None)}, (0, 5))}``."""
    spec, pos = _tree_list(text, 0)
    return spec


def _tree_list(text: str, pos: int) -> tuple[dict[str, Any], int]:
    spec: dict[str, Any] = {}
    while pos < len(text) and text[pos] != "]":
        name_end = pos
        while name_end < len(text) and text[name_end] not in ",[]{":
            name_end += 1
        name, pos = text[pos:name_end], name_end
        child = None
        if pos < len(text) and text[pos] == "[":
            inner, pos = _tree_list(text, pos + 1)
            pos += 1  # the closing ]
            bounds = None
            if pos < len(text) and text[pos] == "{":
                close = text.index("}", pos)
                low, _, high = text[pos + 1 : close].partition(",")
                bounds, pos = (int(low or 0), int(high) if high else None), close + 1
            child = (inner, bounds)
        spec[name] = child
        if pos < len(text) and text[pos] == ",":
            pos += 1
    return spec, pos


def project_tree(value: Any, spec: dict[str, Any]) -> Any:
    """Apply a parsed Jenkins ``tree`` to a document (lists are sliced by their ``{m,n}``)."""
    if isinstance(value, list):
        return [project_tree(item, spec) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {"_class": value["_class"]} if "_class" in value else {}
    for name, child in spec.items():
        if name not in value:
            continue
        if child is None or value[name] is None:
            out[name] = value[name]
            continue
        inner, bounds = child
        item = value[name]
        if isinstance(item, list) and bounds:
            item = item[bounds[0] : bounds[1]]
        out[name] = project_tree(item, inner)
    return out


class JenkinsApi(FakeApi):
    """Jenkins' remote access API: ``/api/json`` and ``/job/<name>/api/json`` with ``tree``.

    Basic auth with a user's API token; a bad token gets Jenkins' HTML 401 page. No ETags.
    """

    sends_etags = False

    def __init__(self, username: str = "ada", api_token: str = "11aa22bb33cc44dd55ee") -> None:
        super().__init__()
        self.username = username
        self.api_token = api_token
        self.jobs: list[dict[str, Any]] = []
        self.wfapi: dict[str, dict[str, Any]] = {}
        """The Pipeline Stage View plugin's answers by path (``/job/a/12/wfapi/describe``, a stage
        node's ``/job/a/12/execution/node/8/wfapi/describe``); empty: the plugin is not installed."""

    def authorised(self, seen: Seen) -> bool:
        expected = base64.b64encode(f"{self.username}:{self.api_token}".encode()).decode()
        return seen.headers.get("authorization") == f"Basic {expected}"

    def unauthorised(self) -> Reply:
        page = (b"<html><head><title>Error 401 Invalid password/token for user: " + self.username.encode()
                + b"</title></head><body><h2>HTTP ERROR 401 Invalid password/token</h2></body></html>")
        return Reply(401, page, {"WWW-Authenticate": 'Basic realm="Jenkins"'}, "text/html;charset=iso-8859-1")

    def route(self, seen: Seen) -> Reply:
        seg = seen.segments
        if seg[-2:] == ["wfapi", "describe"] and seen.path in self.wfapi:
            return Reply(200, self.wfapi[seen.path], {"X-Jenkins": "2.452.1"}, "application/json;charset=utf-8")
        if seg[-2:] != ["api", "json"]:
            return Reply(404, b"<html><body>Not Found</body></html>", {}, "text/html")
        path = seg[:-2]
        document: dict[str, Any] = {"_class": "hudson.model.Hudson", "jobs": self.jobs}
        while path:
            if len(path) < 2 or path[0] != "job":
                return Reply(404, b"<html><body>Not Found</body></html>", {}, "text/html")
            found = [j for j in document.get("jobs", []) if j["name"] == path[1]]
            if not found:
                return Reply(404, b"<html><body>Not Found</body></html>", {}, "text/html")
            document, path = found[0], path[2:]
        if seen.query.get("tree"):
            document = project_tree(document, _parse_tree(seen.query["tree"]))
        return Reply(200, document, {"X-Jenkins": "2.452.1"}, "application/json;charset=utf-8")
