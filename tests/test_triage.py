"""Triage walkthroughs: steps from the runbook, saved after every action, exported as Markdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.core.models import Alert, Deploy, Pipeline, RunbookRef, RunStatus
from cockpit.engine.runbooks.doc import parse_runbook
from cockpit.engine.triage.export import export_markdown
from cockpit.engine.triage.store import GENERIC_STEPS, TriageError, TriageStore, steps_from_runbook

T0 = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
RUNBOOK = """---
title: Checkout errors
---
# HighErrorRate

## Diagnosis
- [ ] Check the last deploy
- [ ] Split errors by route

## Mitigation
Roll back.

### Rollback
- [ ] Run the rollback
"""


def alert(**extra) -> Alert:
    fields = dict(
        source="am-prod", fingerprint="6b157f79b26a43ad", name="HighErrorRate", severity="critical",
        starts_at=T0, labels={"service": "checkout", "alertname": "HighErrorRate"},
        summary="5% of checkout requests fail", runbook=RunbookRef(url="https://runbooks.example/higherrorrate"),
    )
    fields.update(extra)
    return Alert(**fields)


@pytest.fixture
def store(tmp_path: Path) -> TriageStore:
    return TriageStore.in_cache(tmp_path, user="ada")


def test_steps_are_the_sections_and_checklist_items_in_order():
    steps = steps_from_runbook(parse_runbook(RUNBOOK, "HighErrorRate"))
    assert [(s.id, s.kind, s.title, s.section) for s in steps] == [
        (1, "section", "Diagnosis", None),
        (2, "check", "Check the last deploy", "Diagnosis"),
        (3, "check", "Split errors by route", "Diagnosis"),
        (4, "section", "Mitigation", None),
        (5, "section", "Rollback", None),
        (6, "check", "Run the rollback", "Rollback"),
    ]
    assert [s.level for s in steps] == [2, 3, 3, 2, 3, 4]


def test_an_alert_without_runbook_gets_generic_steps():
    assert [s.title for s in steps_from_runbook(None)] == list(GENERIC_STEPS)
    assert [s.title for s in steps_from_runbook(parse_runbook("just text", "x"))] == list(GENERIC_STEPS)


def test_every_action_is_on_disk_when_the_call_returns(store: TriageStore):
    triage = store.start(alert(), parse_runbook(RUNBOOK, "HighErrorRate"), runbook_path="HighErrorRate.md", now=T0 + timedelta(minutes=1))
    store.tick(triage, 2, now=T0 + timedelta(minutes=2))
    assert TriageStore(store.directory).load(triage.id).step(2).done_at == T0 + timedelta(minutes=2)
    store.note(triage, "deploy v1.4.2 at 09:12", step_id=2, now=T0 + timedelta(minutes=3))
    store.note(triage, "paged payments too", now=T0 + timedelta(minutes=4))
    store.tick(triage, 2, done=False, now=T0 + timedelta(minutes=5))
    again = TriageStore(store.directory).load(triage.id)  # as a new process would see it
    assert again == triage
    assert [e.kind for e in again.events] == ["started", "step_done", "note", "note", "step_undone"]
    assert again.notes(2)[0].text == "deploy v1.4.2 at 09:12" and again.notes(None)[0].by == "ada"
    assert not again.step(2).done
    assert again.updated_at == T0 + timedelta(minutes=5)


def test_no_temp_file_is_left_and_the_file_is_private(store: TriageStore):
    triage = store.start(alert())
    store.note(triage, "x")
    assert [p.name for p in store.directory.iterdir()] == [f"{triage.id}.json"]
    assert (store.directory / f"{triage.id}.json").stat().st_mode & 0o077 == 0


def test_a_crash_while_saving_keeps_the_previous_version(store: TriageStore, monkeypatch):
    triage = store.start(alert())
    store.tick(triage, 1)

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(TriageError, match="No space left"):
        store.note(triage, "lost")
    monkeypatch.undo()
    saved = store.load(triage.id)
    assert [e.kind for e in saved.events] == ["started", "step_done"]
    assert [p.suffix for p in store.directory.iterdir()] == [".json"]


def test_a_process_killed_with_sigkill_loses_no_action(tmp_path: Path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from cockpit.core.models import Alert
        from cockpit.engine.runbooks.doc import parse_runbook
        from cockpit.engine.triage.store import TriageStore
        store = TriageStore.in_cache(Path({str(tmp_path)!r}))
        alert = Alert.model_validate_json({alert().model_dump_json()!r})
        t = store.start(alert, parse_runbook({RUNBOOK!r}, "HighErrorRate"))
        print(t.id, flush=True)
        for step in (2, 3, 6):
            store.tick(t, step)
            store.note(t, f"note {{step}}", step_id=step)
            print("saved", step, flush=True)
        time.sleep(300)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1])
    try:
        triage_id = proc.stdout.readline().strip()
        lines = [proc.stdout.readline().strip() for _ in range(3)]
        assert lines == ["saved 2", "saved 3", "saved 6"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    triage = TriageStore.in_cache(tmp_path).load(triage_id)
    assert [s.id for s in triage.steps if s.done] == [2, 3, 6]
    assert [n.text for s in (2, 3, 6) for n in triage.notes(s)] == ["note 2", "note 3", "note 6"]
    assert TriageStore.in_cache(tmp_path).list()[0].id == triage_id  # offered for resume


def test_list_offers_open_triages_newest_first(store: TriageStore):
    first = store.start(alert(), now=T0)
    second = store.start(alert(fingerprint="other", name="HighLatency"), now=T0 + timedelta(minutes=1))
    store.note(first, "still on it", now=T0 + timedelta(minutes=5))
    (store.directory / "garbage.json").write_text("{not json")
    assert [t.id for t in store.list()] == [first.id, second.id]
    store.close(first, now=T0 + timedelta(minutes=6))
    assert [t.id for t in store.list()] == [second.id]
    assert {t.id for t in store.list(include_closed=True)} == {first.id, second.id}
    assert store.open_for(alert(fingerprint="other")).id == second.id
    assert store.open_for(alert()) is None


@pytest.mark.parametrize("bad", ["../etc/passwd", "", "a/b", ".hidden", "x" * 200])
def test_ids_cannot_escape_the_directory(store: TriageStore, bad: str):
    with pytest.raises(TriageError):
        store.load(bad)


def test_unknown_step_is_refused(store: TriageStore):
    triage = store.start(alert())
    with pytest.raises(TriageError, match="no step 99"):
        store.tick(triage, 99)


def changes() -> tuple[list[Deploy], list[Pipeline]]:
    deploys = [
        Deploy(source="argocd", id="d1", service="checkout", version="v1.4.2", environment="prod",
               started_at=T0 - timedelta(minutes=18), author="bob", url="https://argo.example/checkout"),
        Deploy(source="argocd", id="d2", service="payments", version="v9", started_at=T0 - timedelta(minutes=10)),
        Deploy(source="argocd", id="d3", service="checkout", version="v1.4.3", started_at=T0 + timedelta(minutes=10)),
        Deploy(source="argocd", id="d4", service="checkout", version="v1.3.0", started_at=T0 - timedelta(days=3)),
    ]
    pipelines = [
        Pipeline(source="github", id="p1", repo="acme/checkout", name="ci", status=RunStatus.FAILED,
                 started_at=T0 - timedelta(hours=2), branch="main", commit="0123456789abcdef"),
        Pipeline(source="github", id="p2", repo="acme/checkout", name="ci", status=RunStatus.SUCCEEDED,
                 started_at=T0 - timedelta(hours=1)),
        Pipeline(source="github", id="p3", repo="acme/payments", name="ci", status=RunStatus.FAILED,
                 started_at=T0 - timedelta(hours=1)),
    ]
    return deploys, pipelines


def test_export_is_an_incident_timeline(store: TriageStore):
    deploys, pipelines = changes()
    triage = store.start(alert(), parse_runbook(RUNBOOK, "x"), deploys=deploys[:2], pipelines=pipelines,
                         now=T0 + timedelta(minutes=2))
    store.tick(triage, 2, now=T0 + timedelta(minutes=3))
    store.note(triage, "v1.4.2 shipped at 09:12\nrolling back", step_id=2, now=T0 + timedelta(minutes=4))
    store.close(triage, now=T0 + timedelta(minutes=20))
    # deploys known later (from the cache) are merged in; the one captured at start is not doubled
    text = export_markdown(store.load(triage.id), deploys=deploys, pipelines=[])
    assert text.startswith("# Incident timeline: HighErrorRate\n")
    assert "2026-11-27 09:30:00Z" in text  # the alert's start
    assert "5% of checkout requests fail" in text
    changes_part = text.split("## Changes before the alert")[1].split("## Timeline")[0]
    assert changes_part.count("deploy checkout v1.4.2") == 1
    assert "2026-11-27 09:12:00Z deploy checkout v1.4.2 to prod: succeeded by bob" in changes_part
    assert "2026-11-27 07:30:00Z pipeline failed: acme/checkout ci on main at 0123456789ab" in changes_part
    assert changes_part.index("07:30:00Z") < changes_part.index("09:12:00Z")
    for absent in ("payments", "v1.4.3", "v1.3.0"):
        assert absent not in changes_part
    assert "- 2026-11-27 09:33:00Z done: Check the last deploy (ada)" in text
    assert "- 2026-11-27 09:34:00Z note on Check the last deploy: v1.4.2 shipped at 09:12 / rolling back (ada)" in text
    assert "- 2026-11-27 09:50:00Z triage closed (ada)" in text
    assert "- [x] Check the last deploy (done 2026-11-27 09:33:00Z)" in text
    assert "\n- [ ] Split errors by route\n\n### Mitigation\n\n### Rollback\n\n- [ ] Run the rollback\n" in text
    # the same changes and the alert on one time axis, as text (glyphs, not colour)
    axis = text.split("## On one time axis")[1].split("## Timeline")[0]
    assert "```text" in axis
    assert next(line for line in axis.splitlines() if line.startswith("checkout v1.4.2")).count("◆") == 1
    assert "█" in next(line for line in axis.splitlines() if line.startswith("HighErrorRate"))


def test_export_keeps_untrusted_text_inert(store: TriageStore):
    evil = alert(name="Boom\x1b]52;c;ZXZpbA==\x07[x](javascript:alert(1))", summary="<script>\x1b[31mred</script>")
    triage = store.start(evil)
    store.note(triage, "note with \x1b[2J clear")
    text = export_markdown(triage)
    assert "\x1b" not in text and "\x07" not in text
    assert "<script>" not in text and "\\[x\\]" in text
    assert "note with  clear" in text
    assert "No deploys or pipeline failures of this service in the 2h before the alert." in text


def test_saved_json_is_plain_and_versioned(store: TriageStore):
    triage = store.start(alert())
    data = json.loads((store.directory / f"{triage.id}.json").read_text())
    assert data["version"] == 1 and data["alert"]["name"] == "HighErrorRate" and data["status"] == "open"
