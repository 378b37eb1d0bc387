"""Start-up as the user sees it in a terminal: the first frame already shows the cache, and a bad
config is refused before the screen opens (issue 14, bench row 1: what start-up may not lose
while it is made faster). No timings here: those are in bench/."""

from __future__ import annotations

import gc
import os
import time
from datetime import timedelta
from pathlib import Path

import pyte
import pytest

from cockpit.core.models import Alert, SourceKind, SourceState, utcnow
from cockpit.core.startup import collector_held, hold_collector
from cockpit.engine.cache import CacheStore
from tests.fault_server import closed_port
from tests.terminal import PtyApp

pytestmark = pytest.mark.e2e

ALT_SCREEN = b"\x1b[?1049h"
"""What a full-screen app writes first: the switch to the alternate screen."""


def cached_alert_config(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A config whose only source is down, and a cache holding its last poll: one alert."""
    now = utcnow()
    store = CacheStore(tmp_path / "cache")
    store.save(SourceState(
        name="am", type="alertmanager", kind=SourceKind.ALERTS, fetched_at=now - timedelta(minutes=1),
        last_attempt_at=now - timedelta(minutes=1), interval_s=15,
        items=[Alert(source="am", fingerprint="1" * 16, name="CachedDiskFull", severity="critical",
                     starts_at=now - timedelta(minutes=5), labels={"alertname": "CachedDiskFull"})],
    ))
    store.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://127.0.0.1:{closed_port()}"\n')
    env = {"COCKPIT_CACHE_DIR": str(tmp_path / "cache"), "COCKPIT_STATE_DIR": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    return config, env


def frames_until(app: PtyApp, text: str, timeout: float = 30.0) -> list[str]:
    """The screen after each write the app made, until ``text`` shows (each read from the pty
    is fed to its own step of the emulated screen)."""
    screen = pyte.Screen(app.screen.columns, app.screen.lines)
    stream = pyte.ByteStream(screen)
    seen: list[str] = []
    fed = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.pump(0.02)
        if len(app.raw) > fed:
            stream.feed(bytes(app.raw[fed:]))
            fed = len(app.raw)
            seen.append("\n".join(screen.display))
            if text in seen[-1]:
                return seen
    raise AssertionError(f"{text!r} never showed; the screen: {seen[-1] if seen else '(nothing)'}")


def test_the_first_frame_with_the_panels_shows_the_cached_alerts(tmp_path: Path) -> None:
    """The Alerts panel is never drawn empty first and filled a frame later: an on-call engineer
    reads the screen at once (it once drew the panels empty, then the cache)."""
    config, env = cached_alert_config(tmp_path)
    app = PtyApp(["--config", str(config)], env)
    try:
        frames = frames_until(app, "CachedDiskFull")
    finally:
        app.close()
    drawn = [frame.splitlines() for frame in frames if "Alerts" in frame]
    assert drawn, frames[-1]
    # A read from the pty can end inside a frame (the first one is ~20 KB): a line is looked at
    # once the line under it is drawn. The panel's header counts the cached alert in every frame
    # that shows it, and its first row, once drawn, is the cached alert.
    headed = [lines for lines in drawn if lines[1].strip()]
    assert headed and all("1 firing" in lines[0] for lines in headed), headed[0] if headed else drawn[-1]
    first_row = next(lines for lines in drawn if lines[2].strip())
    assert "CachedDiskFull" in first_row[2], "\n".join(first_row)


@pytest.mark.parametrize(("text", "named"), [
    ('[cockpit]\nthme = "dark"\n', "'cockpit.thme'"),
    ('[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://127.0.0.1:1"\ninterval = "soon"\n',
     "'sources[0].interval' (am)"),
    ('[cockpit]\ntheme = "no-such-theme"\n', "'cockpit.theme'"),
])
def test_a_bad_config_is_refused_before_the_screen_opens(tmp_path: Path, text: str, named: str) -> None:
    """Exit status 2 and one line naming the key, on a terminal the app never took over."""
    _config, env = cached_alert_config(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    app = PtyApp(["--config", str(bad)], env)
    status = None
    try:
        deadline = time.monotonic() + 30
        while status is None and time.monotonic() < deadline:
            app.pump(0.05)
            pid, raw_status = os.waitpid(app.pid, os.WNOHANG)
            status = os.waitstatus_to_exitcode(raw_status) if pid else None
        app.pump(0.2)
    finally:
        output = bytes(app.raw)
        app.close()
    assert status == 2, output
    assert ALT_SCREEN not in output, output
    printed = output.decode(errors="replace")
    assert named in printed and "Traceback" not in printed, printed
    assert printed.count("cockpit:") == 1, printed


def test_a_held_engine_serves_requests_and_polls_only_once_released(tmp_path: Path) -> None:
    """The TUI starts the engine held: a key pressed before the first frame is served (the
    silences list, a write), and the polls begin when the app releases them."""
    import asyncio

    from cockpit.engine.config import load_config
    from cockpit.engine.facade import Engine

    config, _env = cached_alert_config(tmp_path)
    engine = Engine(load_config(config), tmp_path / "cache", state_dir=tmp_path / "state", share=False)
    polled: list[str] = []
    try:
        engine.start(lambda state: polled.append(state.name), hold=True)
        assert engine.submit(asyncio.sleep(0, result="served")).result(10) == "served"
        time.sleep(0.5)
        assert polled == []
        engine.release_polls()
        deadline = time.monotonic() + 20
        while not polled and time.monotonic() < deadline:
            time.sleep(0.05)
        assert polled and polled[0] == "am"
    finally:
        engine.stop()


@pytest.fixture
def collector_restored():
    """These tests hold the cyclic collector as the cockpit command does; put it back after."""
    yield
    gc.unfreeze()
    gc.enable()


async def test_the_tui_holds_the_collector_only_until_its_first_frame(collector_restored) -> None:
    """The cockpit command starts without the cyclic collector; it is back on (with what start-up
    made frozen) once the first frame is drawn, so a long session collects as usual."""
    from tests.app_fixtures import make_app

    hold_collector()
    assert not gc.isenabled()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "CheckoutHighErrorRate" in str(app.export_screenshot())
        assert gc.isenabled() and not collector_held() and gc.get_freeze_count() > 0


def test_other_commands_release_the_collector_before_they_run(collector_restored, tmp_path: Path, capsys) -> None:
    from cockpit.cli import main

    config, env = cached_alert_config(tmp_path)
    hold_collector()
    assert main(["--config", str(config), "config", "show"]) == 0
    assert gc.isenabled() and not collector_held()
    assert "alertmanager" in capsys.readouterr().out
