"""[[actions]] in the TUI: the key, the one-line preview, `y`, the output pane; hostile incident titles
(PagerDuty loopback server) cannot add arguments or reach the terminal; writes=true in read-only."""

from __future__ import annotations

import json
import sys

import pytest

from cockpit.engine.audit import AuditLog
from cockpit.ui.screens.acknowledge import LineConfirm
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.screens.user_actions import ActionOutputScreen
from tests.pagerduty_server import PagerDutyServer, make_incident
from tests.app_fixtures import engine_app, until
from tests.test_ack_flow import PD_CONFIG, toasts

DUMP = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:])); print('ran', sys.argv[2:])"

CONFIG = PD_CONFIG + """
[[actions]]
name = "dump args"
key = "L"
scope = "alert"
command = [{python}, "-c", {dump}, {out}, "{{labels.alertname}}", "svc={{service}}"]
writes = {writes}
timeout = "10s"
"""


def make_app(tmp_path, monkeypatch, title: str, read_only: bool = False, writes: bool = False):
    api = PagerDutyServer(incidents=[make_incident(3, title)]).start()
    monkeypatch.setenv("COCKPIT_TEST_PD_TOKEN", api.token)
    out = tmp_path / "argv.json"
    app, _engine = engine_app(tmp_path, CONFIG.format(
        url=api.url, read_only=str(read_only).lower(), writes=str(writes).lower(), interval="1h",
        python=json.dumps(sys.executable), dump=json.dumps(DUMP), out=json.dumps(str(out))))
    return app, api, out


HOSTILE = "x; rm -rf ~ $(id) `id` \"q\" 'q' * [b]bold[/b]"


async def test_a_hostile_title_is_one_argument_and_the_pane_shows_it_inert(tmp_path, monkeypatch) -> None:
    app, api, out = make_app(tmp_path, monkeypatch, HOSTILE)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.states and app.states[0].items, "the incident")
            await pilot.press("L")
            await until(pilot, lambda: isinstance(app.screen, LineConfirm), "the preview")
            assert app.screen.line.startswith("Run dump args: ")
            assert not out.exists()
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, ActionOutputScreen), "the output pane")
            pane = str(app.screen.query_one("#action-output-text").render())
            assert "exit status 0" in str(app.screen.query_one("#action-title").render())
            assert "[b]bold[/b]" in pane  # shown as text, not markup
    finally:
        api.stop()
    assert json.loads(out.read_text()) == [HOSTILE, "svc=Checkout API"]  # one argument, no shell


async def refused_without_running(tmp_path, monkeypatch, title: str, said: str, **options) -> list[str]:
    """Press the action's key: no preview, a toast containing ``said``, the command never ran."""
    app, api, out = make_app(tmp_path, monkeypatch, title, **options)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.states and app.states[0].items, "the incident")
            await pilot.press("L")
            await pilot.pause(0.2)
            assert not isinstance(app.screen, LineConfirm)
            assert any(said in t for t in toasts(app)), toasts(app)
    finally:
        api.stop()
    assert not out.exists()
    return toasts(app)


@pytest.mark.parametrize("title", ["esc \x1b]52;c;aGk=\x07 clipboard", "two\nlines", "bell\x07"])
async def test_a_title_with_control_characters_never_reaches_the_command(tmp_path, monkeypatch, title) -> None:
    said = await refused_without_running(tmp_path, monkeypatch, title, "control character")
    assert all("\x1b" not in t for t in said)


async def test_an_option_like_title_is_refused_and_nothing_runs(tmp_path, monkeypatch) -> None:
    await refused_without_running(tmp_path, monkeypatch, "--output=/tmp/pwned", "would start an option")


async def test_a_writing_action_is_refused_in_read_only_mode(tmp_path, monkeypatch) -> None:
    await refused_without_running(tmp_path, monkeypatch, "Disk full", "Read-only mode: the action 'dump args'",
                                  read_only=True, writes=True)
    [entry] = AuditLog.in_dir(tmp_path / "cache").entries()
    assert (entry["what"], entry["result"], entry["source"]) == ("action:dump args", "refused", "pd")


async def test_a_writing_action_is_audited_with_its_exit_status(tmp_path, monkeypatch) -> None:
    app, api, out = make_app(tmp_path, monkeypatch, "Disk full", writes=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.states and app.states[0].items, "the incident")
            await pilot.press("L", "y")
            await until(pilot, lambda: isinstance(app.screen, ActionOutputScreen), "the output pane")
    finally:
        api.stop()
    entries = AuditLog.in_dir(tmp_path / "cache").entries()
    assert [(e["what"], e["result"], e["who"]) for e in entries] == [("action:dump args", "sending", "ada"),
                                                                   ("action:dump args", "ok", "ada")]
    assert entries[1]["details"]["exit_status"] == 0 and entries[1]["details"]["argv"][-2:] == [
        "Disk full", "svc=Checkout API"]


async def test_actions_are_listed_in_the_help_and_the_palette(tmp_path, monkeypatch) -> None:
    app, api, _out = make_app(tmp_path, monkeypatch, "Disk full")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            assert "action: dump args" in {c.title for c in app.get_system_commands(app.screen)}
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            from cockpit.ui.screens.help import help_table

            rendered = " ".join(str(cell) for column in help_table({}, actions=app.screen.actions).columns
                                for cell in column._cells)
            assert "dump args: runs on the selected alert" in rendered and "[[actions]]" in rendered
    finally:
        api.stop()


@pytest.mark.parametrize("key", ["s", "a", "j", "g", "G"])
def test_an_action_key_that_hides_a_binding_is_refused_at_start(tmp_path, key) -> None:
    from cockpit.cli import main

    path = tmp_path / "config.toml"
    path.write_text('[[sources]]\nname = "demo"\ntype = "demo"\n\n[[actions]]\nname = "x"\n'
                    f'key = "{key}"\nscope = "alert"\nurl = "https://example.org/{{service}}"\n')
    import io
    from contextlib import redirect_stderr

    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["--config", str(path)]) == 2
    assert "actions[0].key" in err.getvalue() and "already bound" in err.getvalue()


@pytest.mark.parametrize(("key", "hidden"), [("G", "last"), ("g", "first")])
def test_cockpit_check_refuses_an_action_key_that_hides_first_or_last(tmp_path, monkeypatch, key, hidden) -> None:
    """``cockpit check`` validated the config yet let ``key = "G"`` through: the TUI then refused
    to start on the config ``check`` had called ok."""
    from cockpit.cli import main

    monkeypatch.setenv("COCKPIT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COCKPIT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "config.toml"
    path.write_text('[[sources]]\nname = "demo"\ntype = "demo"\n\n[[actions]]\nname = "x"\n'
                    f'key = "{key}"\nscope = "alert"\nurl = "https://example.org/{{service}}"\n')
    import io
    from contextlib import redirect_stderr, redirect_stdout

    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        assert main(["check", "--config", str(path)]) == 2
    assert f"key 'actions[0].key': '{key}' is already bound to {hidden}" in err.getvalue()
