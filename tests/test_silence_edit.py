"""Extend (+) and edit (e) a silence on the silences screen against a REAL Alertmanager; ending-soon first.

Alertmanager replaces a silence POSTed with its id: moving only the end keeps the id, changing the
matchers expires the old one and answers a new id. Both are previewed in one line and sent once
after `y`, refused in read-only mode, and audited (intent... then the outcome) as extend/edit.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from cockpit.engine.audit import AuditLog
from cockpit.ui.screens.acknowledge import LineConfirm
from cockpit.ui.screens.silence_edit import SilenceEditScreen
from cockpit.ui.screens.silences import SilencesScreen, show_silences
from tests.app_fixtures import engine_app, until
from tests.servers import require_binary, start_alertmanager
from tests.test_ack_flow import toasts
from tests.test_silence_flow import E2E_CONFIG

pytestmark = pytest.mark.server


def post_silence(url: str, minutes: float, value: str) -> str:
    now = datetime.now(timezone.utc)
    body = {"matchers": [{"name": "service", "value": value, "isRegex": False, "isEqual": True}],
            "startsAt": now.isoformat(), "endsAt": (now + timedelta(minutes=minutes)).isoformat(),
            "createdBy": "grace", "comment": f"maintenance of {value}"}
    response = httpx.post(f"{url}/api/v2/silences", json=body, timeout=10)
    response.raise_for_status()
    return response.json()["silenceID"]


def amtool_silences(url: str) -> dict[str, dict]:
    out = subprocess.run([require_binary("amtool"), "silence", "query", f"--alertmanager.url={url}", "-o", "json"],
                         capture_output=True, text=True, timeout=30, check=True)
    return {s["id"]: s for s in json.loads(out.stdout or "[]") or []}


def rows(app) -> list[list[str]]:
    found = app.screen.query("#silences-table")
    if not found:
        return []
    table = found.first()
    return [[c.plain for c in table.get_row_at(r)] for r in range(table.row_count)]


async def open_silences(pilot, app) -> SilencesScreen:
    await until(pilot, lambda: app.states, "the first paint")
    show_silences(app)
    await until(pilot, lambda: isinstance(app.screen, SilencesScreen) and rows(app), "the silences list")
    return app.screen


@pytest.fixture
def am(tmp_path):
    server = start_alertmanager(tmp_path)
    yield server
    server.stop()


async def test_silences_ending_soon_come_first_and_plus_extends_one_by_the_ack_duration(am, tmp_path) -> None:
    later = post_silence(am.url, 180, "search")
    soon = post_silence(am.url, 10, "checkout")
    app, _engine = engine_app(tmp_path, E2E_CONFIG.format(url=am.url))
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.main_screen.status_bar
        await until(pilot, lambda: "⏳ silences: 1 end within 30m" in bar.content.plain, "the status bar count")
        await open_silences(pilot, app)
        listed = rows(app)
        assert soon in listed[0][1] and later in listed[1][1]
        assert listed[0][1].startswith("⏳ ends soon") and not listed[1][1].startswith("⏳")
        assert "⏳ 1 ends within 30m" in str(app.screen.query_one("#silences-status").render())
        before = datetime.fromisoformat(amtool_silences(am.url)[soon]["endsAt"].replace("Z", "+00:00"))
        await pilot.press("plus")
        await until(pilot, lambda: isinstance(app.screen, LineConfirm), "the extend preview")
        assert app.screen.line.startswith(f"Extend silence {soon} (service=\"checkout\") by 1h")
        await pilot.press("y")
        await until(pilot, lambda: any("Silence extended" in t for t in toasts(app)), "the extended toast")
        await until(pilot, lambda: rows(app) and not any(r[1].startswith("⏳") for r in rows(app)),
                    "the ⏳ mark gone")
        await until(pilot, lambda: "⏳" not in bar.content.plain, "the status bar count gone")
    after = amtool_silences(am.url)
    assert set(after) == {soon, later}  # the same id: only its end moved
    moved = datetime.fromisoformat(after[soon]["endsAt"].replace("Z", "+00:00")) - before
    assert timedelta(minutes=59) < moved < timedelta(minutes=61)
    entries = AuditLog.in_dir(tmp_path / "cache").entries()
    assert [(e["what"], e["result"], e["details"].get("replaces")) for e in entries] == [
        ("extend_silence", "sending", soon), ("extend_silence", "ok", soon)]


async def test_e_edits_a_silence_in_a_prefilled_dialog_and_replaces_it(am, tmp_path) -> None:
    old = post_silence(am.url, 60, "checkout")
    app, _engine = engine_app(tmp_path, E2E_CONFIG.format(url=am.url))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_silences(pilot, app)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, SilenceEditScreen), "the edit dialog")
        dialog = app.screen
        assert dialog.query_one("#silence-edit-matchers").value == 'service="checkout"'
        assert dialog.query_one("#silence-edit-comment").value == "maintenance of checkout"
        dialog.query_one("#silence-edit-matchers").value = 'service="checkout", env="prod"'
        dialog.query_one("#silence-edit-ends").value = "2h"
        dialog.query_one("#silence-edit-ends").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LineConfirm), "the edit preview")
        assert f"Replace silence {old}: service=\"checkout\", env=\"prod\"" in app.screen.line
        await pilot.press("y")
        await until(pilot, lambda: any("Silence edited" in t for t in toasts(app)), "the edited toast")
    active = {i: s for i, s in amtool_silences(am.url).items() if s["status"]["state"] == "active"}
    [(new_id, silence)] = active.items()
    assert new_id != old
    assert sorted(m["name"] for m in silence["matchers"]) == ["env", "service"]
    assert silence["createdBy"] == "e2e-tester"
    entries = AuditLog.in_dir(tmp_path / "cache").entries()
    assert [(e["what"], e["result"], e["details"].get("silence_id")) for e in entries] == [
        ("edit_silence", "sending", None), ("edit_silence", "ok", new_id)]


@pytest.mark.parametrize("key", ["plus", "e"])
async def test_read_only_refuses_extend_and_edit(am, tmp_path, key) -> None:
    silence = post_silence(am.url, 10, "checkout")
    app, _engine = engine_app(tmp_path, E2E_CONFIG.format(url=am.url), read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_silences(pilot, app)
        await pilot.press(key)
        await pilot.pause(0.2)
        assert isinstance(app.screen, SilencesScreen)
        assert any("Read-only mode" in t for t in toasts(app))
    assert list(amtool_silences(am.url)) == [silence]
    [entry] = AuditLog.in_dir(tmp_path / "cache").entries()
    assert (entry["what"], entry["result"], entry["details"]) == (
        {"plus": "extend_silence", "e": "edit_silence"}[key], "refused", {"silence_id": silence})
