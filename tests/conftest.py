"""Every test gets its own cache dir and config home: nothing leaks between tests or to ~."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REALWORLD = REPO.parent / "shared" / "realworld"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COCKPIT_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("COCKPIT_STATE_DIR", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for var in ("COCKPIT_CONFIG", "COCKPIT_READ_ONLY", "COCKPIT_THEME", "COCKPIT_LOW_BANDWIDTH", "COCKPIT_LOG_LEVEL",
                "SSH_CONNECTION", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    # HTTP sources honour the proxy and CA variables: the loopback servers are reached directly.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "SSL_CERT_FILE",
                "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def run_cli():
    """Run ``cockpit ARGS`` in a subprocess as a user would; returns CompletedProcess."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "cockpit", *args], capture_output=True, text=True, env=full_env,
            timeout=timeout, cwd=str(REPO),
        )

    return run
