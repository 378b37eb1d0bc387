"""A fake engine with a real runbooks source (SQLite index over a temp dir) for Pilot tests.

:class:`RunbookEngine` is :class:`tests.app_fixtures.FakeEngine` on one real
:class:`RunbooksSource` (its index built over a temp dir).
"""

from __future__ import annotations

from pathlib import Path

from cockpit.core.models import RunbookDoc, SourceKind, SourceState, SourceStatus
from cockpit.engine.runbooks import index_opener
from cockpit.sources.base import SourceContext
from cockpit.sources.runbooks import RunbooksOptions, RunbooksSource
from tests.app_fixtures import FakeEngine, ago, fixed_states

__all__ = ["RUNBOOKS", "URL_PREFIX", "RunbookEngine", "write_runbooks"]

URL_PREFIX = "https://runbooks.example.org/"
"""The prefix of the fixed alerts' runbook_url (see tests.app_fixtures)."""

RUNBOOKS = {
    "checkout/CheckoutHighErrorRate.md": """---
title: Checkout high error rate
---
# Checkout high error rate

## Meaning

The checkout service answers more than 5% of requests with a server error.

## Diagnosis

- [ ] Look at the error dashboard for the failing endpoint
- [ ] Check the last deploy of checkout

## Mitigation

- [ ] Roll back the last deploy if the errors started with it

See [the upstream page](https://wiki.example.org/checkout) and [secrets](../../../etc/passwd).
""",
    "kubernetes/KubePodCrashLooping.md": """# KubePodCrashLooping

## Meaning

A container keeps crashing and Kubernetes keeps restarting it.

## Diagnosis

- [ ] Read the logs of the previous run
- [ ] Look at the exit code of the last state

## Mitigation

Restart after fixing the configuration.
""",
    "kubernetes/KubeDeploymentReplicasMismatch.md": """# KubeDeploymentReplicasMismatch

## Meaning

Fewer replicas are available than wanted; pods may be crashing or pending.
""",
    "storage/disk-full.md": """# Disk filling up

## Meaning

A volume will fill soon: DiskWillFillIn4Hours fires when the disk is predicted full in hours.

## Mitigation

- [ ] Delete old snapshots
""",
}


def write_runbooks(root: Path, extra: dict[str, str] | None = None) -> Path:
    """Write the runbooks (plus ``extra``) under ``root``; returns ``root``."""
    for rel, text in {**RUNBOOKS, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


class RunbookEngine(FakeEngine):
    """The fake engine on a real runbooks source, its index built, its documents in the states."""

    def __init__(self, tmp: Path, states: list[SourceState] | None = None,
                 extra_runbooks: dict[str, str] | None = None, *, root: Path | None = None,
                 url_prefix: str = URL_PREFIX, **kwargs) -> None:
        """``root``: index that folder as it is (e.g. the real-world runbooks) instead of
        writing :data:`RUNBOOKS` into ``tmp``."""
        cache_dir = tmp / "cache"
        root = root or write_runbooks(tmp / "runbooks", extra_runbooks)
        options = RunbooksOptions(paths=[str(root)], url_prefixes=[url_prefix])
        self.runbooks = RunbooksSource("runbooks", options, SourceContext(cache_dir=cache_dir, open_runbook_index=index_opener(cache_dir)))
        self.runbooks.index.update()
        docs = [RunbookDoc(source="runbooks", path=d.path, title=d.title, root=d.root)
                for d in self.runbooks.index.documents()]
        base = [s for s in (states if states is not None else fixed_states()) if s.kind != SourceKind.RUNBOOKS]
        base.append(SourceState(name="runbooks", type="runbooks", kind=SourceKind.RUNBOOKS,
                                status=SourceStatus.OK, fetched_at=ago(minutes=1), items=docs))
        super().__init__(base, sources=[self.runbooks], cache_dir=cache_dir, **kwargs)


async def settle(app, pilot) -> None:
    """Let the worker threads finish and their results reach the screen."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def with_alert(states, **changes):
    """The states with the first alert of ``am-prod`` (CheckoutHighErrorRate) changed."""
    out = []
    for state in states:
        if state.name == "am-prod":
            items = list(state.items)
            items[0] = items[0].model_copy(update=changes)
            state = state.model_copy(update={"items": items})
        out.append(state)
    return out
