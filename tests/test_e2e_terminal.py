"""End to end in real terminals: tmux, an SSH session to a loopback sshd, and raw pty bytes."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.engine.cache import CacheStore
from cockpit.core.models import Alert, SourceKind, SourceState, utcnow
from tests.fault_server import closed_port
from tests.servers import free_port
from tests.terminal import REPO, PtyApp, Tmux, need_program, wait_for

pytestmark = pytest.mark.e2e


def cockpit_command(cache: Path, *args: str) -> str:
    """The shell command that runs the TUI and then prints its exit status ("cockpit exited rc=N")."""
    env = f"COCKPIT_CACHE_DIR={shlex.quote(str(cache))} COCKPIT_STATE_DIR={shlex.quote(str(cache))}-state TERM=xterm-256color"
    command = f"cd {shlex.quote(str(REPO))} && env {env} {shlex.quote(sys.executable)} -m cockpit {' '.join(args)}"
    return command + "; echo cockpit exited rc=$?"


def assert_clean_quit(term: Tmux) -> None:
    """After ``q``: exit status 0 and no traceback on the terminal (the engine was once stopped
    twice and the second stop raised "Event loop is closed")."""
    assert wait_for(lambda: "cockpit exited rc=" in term.screen(), 15), term.screen()
    printed = term.screen(history=True)
    assert "cockpit exited rc=0" in printed and "Traceback" not in printed, printed


def navigate_and_filter(term: Tmux) -> None:
    """What an on-call engineer does first: look, jump to a panel, filter, quit."""
    # The demo's own cycle makes some alerts come and go; these two fire all the time.
    assert term.wait_text("KubeP", 30), term.screen()
    assert term.wait_text("<1m ago", 10), term.screen()
    assert "SLOs" in term.screen() and "Deploys" in term.screen() and "Pipelines" in term.screen()
    time.sleep(1.0)  # let the first refresh settle: keys typed into a repainting screen are not lost, but slow
    for keys in (["1"], ["/"], ["-l", "orders"], ["Enter"]):
        term.send(*keys)
        time.sleep(0.3)
    # Only KubePodCrashLooping is about the orders service.
    assert wait_for(lambda: "Alerts 1/" in term.screen() and "filter: orders" in term.screen(), 10), term.screen()
    assert "KubeP" in term.screen() and "Filesys" not in term.screen()
    term.send("Escape")
    time.sleep(0.8)  # an escape followed at once by a key reads as alt+key
    term.send("?")
    assert term.wait_text("Keys in force", 10), term.screen()
    term.send("Escape")
    time.sleep(0.8)
    assert wait_for(lambda: "Keys in force" not in term.screen(), 10), term.screen()
    term.send("q")
    assert_clean_quit(term)


def test_tui_in_tmux_navigates_and_filters(tmp_path: Path) -> None:
    term = Tmux(cockpit_command(tmp_path / "cache", "--demo") + "; sleep 5", width=100, height=30)
    try:
        navigate_and_filter(term)
    finally:
        term.close()


def test_keys_read_with_the_slash_or_colon_are_typed_into_the_line(tmp_path: Path) -> None:
    """"/orders" arriving in one read (a paste, send-keys, a slow SSH link) filters by "orders":
    the keys after "/" reached the panel before the filter line took the focus, where "s"
    opened the silence dialog and "o" a runbook. Likewise ":help" then Enter."""
    term = Tmux(cockpit_command(tmp_path / "cache", "--demo") + "; sleep 5", width=100, height=30)
    try:
        assert term.wait_text("KubeP", 30), term.screen()
        assert term.wait_text("<1m ago", 10), term.screen()
        time.sleep(1.0)  # the first frame is drawn: the input lines are built after it
        term.send("-l", "/orders")  # one write: the terminal reads it in one go
        assert wait_for(lambda: "Alerts 1/" in term.screen(), 10), term.screen()
        screen = term.screen()
        assert "Silence " not in screen and "Runbook" not in screen.splitlines()[0], screen
        term.send("Enter")
        assert term.wait_text("filter: orders", 10), term.screen()
        term.send("-l", ":help")
        time.sleep(0.5)
        term.send("Enter")
        assert term.wait_text("Keys in force", 10), term.screen()
        term.send("Escape")
        time.sleep(0.8)
        term.send("q")
        assert_clean_quit(term)
    finally:
        term.close()


def test_tui_works_at_80x24(tmp_path: Path) -> None:
    term = Tmux(cockpit_command(tmp_path / "cache", "--demo") + "; sleep 5", width=80, height=24)
    try:
        assert term.wait_text("Alerts", 30), term.screen()
        screen = term.screen()
        for title in ("Alerts", "SLOs", "Deploys", "Pipelines", "Runbooks"):
            assert title in screen, f"{title} missing at 80x24:\n{screen}"
        assert "Traceback" not in screen
        term.send("q")
        assert_clean_quit(term)
    finally:
        term.close()


@pytest.fixture
def sshd(tmp_path: Path):
    """A private sshd on a free loopback port, with its own host key and one authorised key."""
    daemon = need_program("sshd", "/usr/sbin/sshd")
    keygen = need_program("ssh-keygen")
    need_program("ssh")
    host_key, user_key = tmp_path / "host_key", tmp_path / "user_key"
    for key in (host_key, user_key):
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    (tmp_path / "authorized_keys").write_text((tmp_path / "user_key.pub").read_text())
    port = free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {tmp_path / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {tmp_path / 'authorized_keys'}\nStrictModes no\nUsePAM no\n"
        "PasswordAuthentication no\nPermitRootLogin prohibit-password\nPrintMotd no\nAcceptEnv LANG LC_*\n"
    )
    os.makedirs("/run/sshd", exist_ok=True)
    process = subprocess.Popen([daemon, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    import socket

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    if not wait_for(listening, 10):
        process.kill()
        pytest.fail(f"sshd did not start: {process.stderr.read().decode()[-500:]}")
    user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    yield ["ssh", "-tt", "-p", str(port), "-i", str(user_key), "-o", "StrictHostKeyChecking=no",
           "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", f"{user}@127.0.0.1"]
    process.terminate()
    process.wait(5)


def test_tui_over_ssh_navigates_and_filters(sshd: list[str], tmp_path: Path) -> None:
    remote = cockpit_command(tmp_path / "cache", "--demo")
    command = " ".join(shlex.quote(part) for part in sshd) + " " + shlex.quote(remote)
    term = Tmux(command + "; sleep 5", width=100, height=30)
    try:
        navigate_and_filter(term)
    finally:
        term.close()


HOSTILE_NAME = "Evil\x1b]52;c;cm0gLXJmIH4=\x07Alert\x1b]0;PWNED-TITLE\x07"
HOSTILE_SUMMARY = "[@click=app.quit]click me[/] \x1b[2J\x9b31m\u202eesrever\u202c zero\u200bwidth 🔥"


def test_hostile_upstream_text_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    """Escape sequences in alert text are removed; markup is shown as text and not obeyed."""
    cache, config = tmp_path / "cache", tmp_path / "config.toml"
    config.write_text(
        f'[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://127.0.0.1:{closed_port()}"\ninterval = "1h"\n'
    )
    store = CacheStore(cache)
    store.save(SourceState(
        name="am", type="alertmanager", kind=SourceKind.ALERTS, interval_s=3600,
        fetched_at=utcnow() - timedelta(seconds=30),
        items=[Alert(source="am", fingerprint="f1", name=HOSTILE_NAME, severity="critical", summary=HOSTILE_SUMMARY,
                     labels={"alertname": HOSTILE_NAME, "service": "x\x1b]8;;http://evil.invalid\x07y"},
                     annotations={"summary": HOSTILE_SUMMARY})],
    ))
    store.close()
    app = PtyApp(["--config", str(config)], env={"COCKPIT_CACHE_DIR": str(cache)})
    try:
        assert app.wait_text("EvilAlert", 30), app.text()
        app.send(b"\r")  # open the detail view: labels and annotations in full
        app.pump(1.5)
        raw = bytes(app.raw)
        assert b"\x1b]52" not in raw, "an OSC 52 clipboard write reached the terminal"
        assert b"PWNED-TITLE" not in raw
        assert b"evil.invalid" not in raw
        assert b"\x9b31m" not in raw and "\u202e".encode() not in raw and "\u200b".encode() not in raw
        assert app.alive(), "[@click=app.quit] in data must not quit the app"
        assert "[@click=app.quit]" in app.text() or "click me" in app.text()
    finally:
        app.close()
