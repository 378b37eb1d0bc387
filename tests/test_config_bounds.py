"""Config values that hurt are refused at load, naming the key (or the environment variable)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SOURCE = '[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://127.0.0.1:9"\n'


def check(tmp_path: Path, text: str, **env: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text(text)
    return subprocess.run([sys.executable, "-m", "cockpit", "check", "--config", str(config)], capture_output=True,
                          text=True, env=dict(os.environ, **env), cwd=str(REPO), timeout=60)


@pytest.mark.parametrize(
    ("extra", "key", "expected"),
    [
        ('interval = "0s"\n', "sources[0].interval", "expected at least 1s"),
        ('interval = "500ms"\n', "sources[0].interval", "expected at least 1s"),
        ('timeout = "0s"\n', "sources[0].timeout", "expected at least 100ms"),
        ('interval = "5s"\ntimeout = "5s"\n', "sources[0].timeout", "expected less than the interval (5s)"),
        ('interval = "15s"\ntimeout = "1m"\n', "sources[0].timeout", "expected less than the interval (15s)"),
    ],
)
def test_poll_bounds_are_refused_naming_the_key(tmp_path: Path, extra: str, key: str, expected: str) -> None:
    result = check(tmp_path, SOURCE + extra)
    assert result.returncode == 2, result.stdout
    assert f"key '{key}' (am)" in result.stderr and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_short_interval_without_a_timeout_gets_one_below_it(tmp_path: Path) -> None:
    from cockpit.sources.alertmanager import AlertmanagerSource

    options = AlertmanagerSource.Options(url="http://127.0.0.1:9", interval="4s")
    assert options.timeout == 2.0


def test_notify_cooldown_must_be_a_duration(tmp_path: Path) -> None:
    result = check(tmp_path, '[cockpit]\nnotify_cooldown = "soon"\n' + SOURCE)
    assert result.returncode == 2
    assert "key 'cockpit.notify_cooldown'" in result.stderr and "expected a duration" in result.stderr, result.stderr


@pytest.mark.parametrize(("variable", "value"), [("COCKPIT_READ_ONLY", ""), ("COCKPIT_LOW_BANDWIDTH", "maybe"),
                                                 ("COCKPIT_NOTIFY_COOLDOWN", "soon")])
def test_a_bad_environment_variable_is_named_not_the_files_key(tmp_path: Path, variable: str, value: str) -> None:
    result = check(tmp_path, SOURCE, **{variable: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"cockpit: environment variable {variable}={value!r}: "), result.stderr
    assert "config.toml" not in result.stderr
