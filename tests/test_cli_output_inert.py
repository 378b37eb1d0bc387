"""Every line a command prints from an upstream is inert: escape sequences (OSC 52 clipboard
writes, title changes, screen clears) and C0/C1 controls never reach the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.loopback import Answer, Loopback, Request

HOSTILE = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;PWNED\x07\x1b[2J\x9b31m boom"


def hostile_answer(request: Request) -> Answer:
    """Every request answered as a failing Prometheus would, its error text hostile."""
    code = 200 if request.path.startswith("/api/v1/alerts") else 400  # Prometheus says "error" in a 200 too
    return Answer(code, {"status": "error", "errorType": "bad_data", "error": HOSTILE}, content_type="application/json")


@pytest.fixture
def hostile_upstream():
    with Loopback(hostile_answer) as server:
        yield server.url


@pytest.mark.parametrize("command", [["check"], ["snapshot", "--format", "text"], ["snapshot", "--format", "markdown"]])
def test_upstream_error_text_is_printed_inert(hostile_upstream, tmp_path: Path, command: list[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[[sources]]\nname = "up"\ntype = "prometheus-alerts"\nurl = "{hostile_upstream}"\n')
    env = dict(os.environ, COCKPIT_CACHE_DIR=str(tmp_path / "cache"), COCKPIT_STATE_DIR=str(tmp_path / "state"))
    result = subprocess.run([sys.executable, "-m", "cockpit", *command, "--config", str(config)], capture_output=True,
                            env=env, cwd=str(REPO), timeout=60)
    printed = result.stdout + result.stderr
    assert result.returncode == 1, printed
    assert b"boom" in printed  # the reason is shown...
    for raw in (b"\x1b", b"\x07", "\x9b".encode()):  # ...made inert
        assert raw not in printed, f"{command} printed {raw!r} from the upstream: {printed!r}"
