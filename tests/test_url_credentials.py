"""Credentials written in a source URL (``http://user:pass@host``) are used on the wire only:
never stored (cache, history, audit), never printed (snapshot, check, config show, report)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.request
import warnings
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.servers import start_alertmanager, wait_until

pytestmark = pytest.mark.server

USER, PASSWORD = "ada", "s3cret-in-url"


def bcrypt_hash(password: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt
        except ImportError:
            pytest.skip("no crypt module to make a bcrypt hash for Alertmanager's basic auth")
    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
    if not hashed or not hashed.startswith("$2"):
        pytest.skip("this libcrypt makes no bcrypt hashes")
    return hashed


@pytest.fixture
def protected_alertmanager(tmp_path: Path):
    """A real Alertmanager that answers only with the right basic-auth password."""
    web = tmp_path / "web.yml"
    web.write_text(f"basic_auth_users:\n  {USER}: '{bcrypt_hash(PASSWORD)}'\n")
    server = start_alertmanager(tmp_path, extra_args=[f"--web.config.file={web}"])
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    alert = [{"labels": {"alertname": "CredentialCheck", "severity": "warning"}, "annotations": {}}]
    request = urllib.request.Request(f"{server.url}/api/v2/alerts", data=json.dumps(alert).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": auth})
    wait_until(lambda: urllib.request.urlopen(request, timeout=5).status == 200, what="the alert posted")
    yield server
    server.stop()


def cockpit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COCKPIT_CACHE_DIR=str(tmp_path / "cache"), COCKPIT_STATE_DIR=str(tmp_path / "state"))
    return subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True, text=True, env=env,
                          cwd=str(REPO), timeout=60)


def test_url_credentials_reach_the_server_and_nothing_else(protected_alertmanager, tmp_path: Path) -> None:
    clean_url = protected_alertmanager.url
    secret_url = clean_url.replace("http://", f"http://{USER}:{PASSWORD}@")
    config = tmp_path / "config.toml"
    config.write_text(f'[[sources]]\nname = "am"\ntype = "alertmanager"\nurls = ["{secret_url}"]\n')
    config.chmod(0o600)

    snapshot = cockpit(tmp_path, "snapshot", "--config", str(config), "--format", "json")
    assert snapshot.returncode == 0, snapshot.stdout + snapshot.stderr  # the password went on the wire
    alerts = json.loads(snapshot.stdout)["alerts"]
    assert [a["peers"] for a in alerts if a["name"] == "CredentialCheck"] == [[clean_url]]
    outputs = [snapshot]
    for args in (["check"], ["config", "show"], ["snapshot", "--format", "text"], ["report", "--format", "json"]):
        outputs.append(cockpit(tmp_path, *args, "--config", str(config)))
    for result in outputs:
        printed = result.stdout + result.stderr
        assert PASSWORD not in printed and f"{USER}:" not in printed, f"{result.args}: {printed}"
    for directory in (tmp_path / "cache", tmp_path / "state"):
        for file in (p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []:
            assert PASSWORD.encode() not in file.read_bytes(), f"the URL's password reached {file}"


def test_url_credentials_are_taken_out_of_the_options() -> None:
    from cockpit.sources.alertmanager import AlertmanagerSource

    options = AlertmanagerSource.Options(urls=[f"http://{USER}:{PASSWORD}@127.0.0.1:9093/", "http://127.0.0.1:9094"])
    assert options.endpoints == ["http://127.0.0.1:9093", "http://127.0.0.1:9094"]
    assert options.username == USER and options.resolve_password() == PASSWORD
    assert PASSWORD not in repr(options) and PASSWORD not in options.model_dump_json()
