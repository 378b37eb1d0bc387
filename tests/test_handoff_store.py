"""Handoff notes are never lost: concurrent writers (real processes), truncated or unreadable
files kept aside and named, never overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cockpit.engine.handoff import HANDOFF_FILE_NAME, HandoffStore, list_notes, write_note
from tests.conftest import REPO


def handoff_env(directory: Path) -> dict[str, str]:
    """The notes' directory for a cockpit process, wherever it keeps them (cache or state dir)."""
    return dict(os.environ, COCKPIT_CACHE_DIR=str(directory), COCKPIT_STATE_DIR=str(directory))


def test_ten_concurrent_writers_each_keep_their_note(tmp_path: Path) -> None:
    env = handoff_env(tmp_path / "notes")
    writers = [
        subprocess.Popen([sys.executable, "-m", "cockpit", "handoff", "write", f"note number {i}"], env=env,
                         cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(10)
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    assert [w.returncode for w in writers] == [0] * 10, outputs
    assert all("saved" in out for out, _ in outputs)
    listed = subprocess.run([sys.executable, "-m", "cockpit", "handoff", "list", "--format", "json"], env=env,
                            cwd=str(REPO), capture_output=True, text=True, timeout=60)
    texts = sorted(note["text"] for note in json.loads(listed.stdout))
    assert texts == sorted(f"note number {i}" for i in range(10)), "a concurrent write was lost"


def test_a_truncated_store_is_kept_aside_and_said_not_overwritten(tmp_path: Path) -> None:
    for i in range(30):
        write_note(tmp_path, f"earlier note {i} " + "x" * 200)
    store_file = tmp_path / HANDOFF_FILE_NAME
    HandoffStore(tmp_path).close()  # a checkpointed file, then cut in half (a crash, a full disk)
    damaged = store_file.read_bytes()[: store_file.stat().st_size // 2]
    store_file.write_bytes(damaged)
    for companion in ("-wal", "-shm"):
        Path(str(store_file) + companion).unlink(missing_ok=True)

    with HandoffStore(tmp_path) as store:
        store.write("the new note")
        notice = store.notice
    assert notice and "kept aside" in notice and str(store_file) in notice
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(HANDOFF_FILE_NAME + ".unreadable-")
            and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged, "the unreadable notes were overwritten"
    assert [n.text for n in list_notes(tmp_path)] == ["the new note"]


def test_an_unreadable_notes_file_of_an_earlier_version_is_kept_aside_by_the_cli(tmp_path: Path) -> None:
    legacy = tmp_path / "handoff.json"
    truncated = '[{"id": "20261130-0100-ab12", "at": "2026-11-30T01:00:00+00:00", "text": "db-2 disk is fil'
    legacy.write_text(truncated)
    result = subprocess.run([sys.executable, "-m", "cockpit", "handoff", "write", "next", "note"],
                            env=handoff_env(tmp_path), cwd=str(REPO), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "could not be read" in result.stderr and "kept aside" in result.stderr
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("handoff.json.unreadable-")]
    assert len(kept) == 1 and kept[0].read_text() == truncated


def test_notes_of_an_earlier_version_are_imported_once(tmp_path: Path) -> None:
    notes = [{"id": "20261130-010000-ab12", "at": "2026-11-30T01:00:00+00:00", "text": "db-2 disk", "author": "ada",
              "dismissed_at": None}]
    (tmp_path / "handoff.json").write_text(json.dumps(notes))
    write_note(tmp_path, "second")
    assert [n.text for n in list_notes(tmp_path)] == ["db-2 disk", "second"]
    assert not (tmp_path / "handoff.json").exists() and (tmp_path / "handoff.json.imported").exists()
    assert (tmp_path / HANDOFF_FILE_NAME).stat().st_mode & 0o777 == 0o600
