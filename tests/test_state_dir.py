"""State that cannot be rebuilt (history, audit log, triages, handoff notes, the log file) lives
in the state dir, not the cache dir; the old layout is moved over on first start, nothing lost;
files 0600, dirs 0700."""

from __future__ import annotations

import json
import logging
import logging.handlers
import sqlite3
import stat
from pathlib import Path

from cockpit.engine.config import demo_config
from cockpit.engine.facade import Engine
from cockpit.engine.paths import migrate_state


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def old_layout(cache: Path) -> dict[str, bytes]:
    """A cache dir as cockpit used to leave it: state files beside the rebuildable cache."""
    cache.mkdir(parents=True)
    engine = Engine(demo_config(), cache, share=False)  # no state_dir: the old single-dir layout
    engine.poll_all_once()
    engine.store.close()
    engine.history.close()
    (cache / "audit.jsonl").write_text('{"when": "2026-11-27T09:30:00Z", "what": "create_silence"}\n')
    (cache / "handoff.json").write_text(json.dumps([{  # the notes file as earlier versions wrote it
        "id": "20261127-093000-ab12", "at": "2026-11-27T09:30:00+00:00", "text": "db-2 disk is filling",
        "author": "ada", "dismissed_at": None}]))
    (cache / "handoff.json").chmod(0o600)
    (cache / "triages").mkdir()
    (cache / "triages" / "0123abcd.json").write_text('{"id": "0123abcd"}')
    return {name: (cache / name).read_bytes() for name in ("history.sqlite", "audit.jsonl", "handoff.json")}


def test_the_old_layout_is_moved_to_the_state_dir_on_first_start(run_cli, tmp_path):
    cache, state = tmp_path / "cache", tmp_path / "state"
    before = old_layout(cache)
    rows_before = sqlite3.connect(cache / "history.sqlite").execute("select count(*) from events").fetchone()
    result = run_cli("handoff", "list", "--all", env={"COCKPIT_CACHE_DIR": str(cache), "COCKPIT_STATE_DIR": str(state)})
    assert result.returncode == 0, result.stderr
    assert "db-2 disk is filling" in result.stdout  # read from its new place
    for name, kept_as in (("audit.jsonl", "audit.jsonl"), ("handoff.json", "handoff.json.imported")):
        # the handoff store imports the old notes file into handoff.sqlite and keeps it, renamed
        assert (state / kept_as).read_bytes() == before[name] and not (cache / name).exists()
        assert mode(state / kept_as) == 0o600
    assert not (cache / "history.sqlite").exists()
    assert sqlite3.connect(state / "history.sqlite").execute("select count(*) from events").fetchone() == rows_before
    assert (state / "triages" / "0123abcd.json").read_text() == '{"id": "0123abcd"}'
    assert not (cache / "triages").exists()
    assert mode(state) == 0o700 and mode(state / "triages") == 0o700
    assert any(cache.iterdir())  # the rebuildable cache stays where it is


def test_nothing_is_overwritten_when_both_places_hold_a_file(tmp_path):
    cache, state = tmp_path / "cache", tmp_path / "state"
    cache.mkdir()
    state.mkdir()
    (cache / "audit.jsonl").write_text("old\n")
    (state / "audit.jsonl").write_text("new\n")
    moved = migrate_state(cache, state)
    assert moved == ["audit.jsonl"]
    assert (state / "audit.jsonl").read_text() == "new\n"
    assert (state / "audit.jsonl.from-cache").read_text() == "old\n"


def test_report_reads_the_history_from_the_state_dir(run_cli, tmp_path):
    state = tmp_path / "state"
    engine = Engine(demo_config(), tmp_path / "cache", state_dir=state, share=False)
    engine.poll_all_once()
    engine.store.close()
    engine.history.close()
    assert (state / "history.sqlite").is_file() and not (tmp_path / "cache" / "history.sqlite").exists()
    result = run_cli("--demo", "report", "--format", "json",
                     env={"COCKPIT_CACHE_DIR": str(tmp_path / "cache"), "COCKPIT_STATE_DIR": str(state)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


def test_the_default_state_dir_follows_xdg_state_home(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("COCKPIT_STATE_DIR")
    result = run_cli("handoff", "write", "hello", env={"XDG_STATE_HOME": str(tmp_path / "xdg-state")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "xdg-state" / "cockpit" / "handoff.sqlite").is_file()


def test_the_log_file_keeps_poll_failures_at_the_chosen_level(run_cli, tmp_path):
    state = tmp_path / "state"
    config = tmp_path / "c.toml"
    config.write_text('[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://127.0.0.1:9"\ntimeout = "2s"\n')
    env = {"COCKPIT_STATE_DIR": str(state)}
    assert run_cli("--config", str(config), "check", env=env).returncode == 1
    log = state / "cockpit.log"
    assert mode(log) == 0o600
    text = log.read_text()
    assert "WARNING cockpit.engine.poller: source am: poll failed:" in text and "connection refused" in text
    # --log-level error: a failed poll is a warning, so nothing more is written
    assert run_cli("check", "--config", str(config), "--log-level", "error", env=env).returncode == 1
    assert log.read_text() == text


def test_the_log_file_rotates(tmp_path):
    from cockpit.engine import logfile

    path = logfile.start_logging(tmp_path, "info")
    logger = logging.getLogger("cockpit.test")
    try:
        for i in range(logfile.MAX_BYTES // 100 * 2):
            logger.warning("line %06d %s", i, "x" * 80)
    finally:
        for handler in list(logging.getLogger("cockpit").handlers):
            if isinstance(handler, logging.handlers.RotatingFileHandler):
                handler.close()
                logging.getLogger("cockpit").removeHandler(handler)
    assert path.stat().st_size <= logfile.MAX_BYTES
    assert (tmp_path / "cockpit.log.1").is_file() and mode(tmp_path / "cockpit.log.1") == 0o600


async def test_the_apps_warnings_and_errors_go_to_the_log_file(tmp_path):
    from cockpit.engine import logfile
    from tests.app_fixtures import make_app

    path = logfile.start_logging(tmp_path, "warning")
    try:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            app.notify("silence refused: HTTP 400 bad matcher", title="am-prod", severity="error")
            app.notify("just so you know")
            await pilot.pause()
    finally:
        for handler in list(logging.getLogger("cockpit").handlers):
            if isinstance(handler, logging.handlers.RotatingFileHandler):
                handler.close()
                logging.getLogger("cockpit").removeHandler(handler)
    text = path.read_text()
    assert "ERROR cockpit.ui.app: am-prod: silence refused: HTTP 400 bad matcher" in text
    assert "just so you know" not in text
