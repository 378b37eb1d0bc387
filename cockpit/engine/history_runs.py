"""What the shift history keeps of a deploy or a pipeline run: its identity and its fields.

Apart from :mod:`cockpit.engine.history` so that the report's upstream rebuild reads runs the
same way without the history store.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from cockpit.core.models import Deploy, Pipeline

__all__ = ["iso", "run_fields", "run_key"]


def iso(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat() if when else None


def run_key(item: Deploy | Pipeline) -> str:
    """One run's identity: its id (or what describes it) plus its start time.

    Sources reuse ids across reruns (a deploy of the same version); the start time tells runs apart.
    """
    if isinstance(item, Deploy):
        ident = item.id or f"{item.service}/{item.environment}/{item.version}"
    else:
        ident = item.id or f"{item.repo}/{item.name}/{item.commit}"
    return f"{ident}@{iso(item.started_at) or '-'}"


def run_fields(item: Deploy | Pipeline) -> tuple[str | None, str, dict[str, Any]]:
    """The name, service and data a deploy or pipeline event keeps (the report reads them back)."""
    if isinstance(item, Deploy):
        return item.version, item.service, {
            "environment": item.environment, "version": item.version, "author": item.author,
            "started_at": iso(item.started_at), "finished_at": iso(item.finished_at), "url": item.url,
            "commit": item.commit, "committed_at": iso(item.committed_at)}
    return item.name, item.repo, {"branch": item.branch, "commit": item.commit, "author": item.author,
                                  "started_at": iso(item.started_at), "duration_s": item.duration_s, "url": item.url}
