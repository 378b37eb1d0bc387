"""Drive the real TUI as a person would: in tmux, over ssh, or in a pty read by pyte.

Helpers skip with a clear message when a program is missing, and fail instead when CI=true.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyte
import pytest

REPO = Path(__file__).resolve().parent.parent
COCKPIT = [sys.executable, "-m", "cockpit"]

__all__ = ["PtyApp", "Tmux", "need_program"]


def need_program(name: str, path: str | None = None) -> str:
    """The program's path, or skip (fail under CI=true) with a clear message."""
    found = path if path and os.access(path, os.X_OK) else shutil.which(name)
    if not found:
        message = f"{name} is not installed (make test installs it when run as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def wait_for(predicate, timeout: float = 20.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class Tmux:
    """One detached tmux session on a private socket running ``command``."""

    def __init__(self, command: str, width: int = 100, height: int = 30, env: dict[str, str] | None = None) -> None:
        self.tmux = need_program("tmux")
        self.socket = f"cockpit-test-{os.getpid()}-{time.monotonic_ns()}"
        full_env = dict(os.environ, **(env or {}))
        full_env.pop("TMUX", None)
        subprocess.run(
            [self.tmux, "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height), command],
            check=True, env=full_env, cwd=str(REPO),
        )

    def screen(self, history: bool = False) -> str:
        """The visible pane; with ``history``, also what scrolled off it."""
        extra = ["-S", "-"] if history else []
        result = subprocess.run([self.tmux, "-L", self.socket, "capture-pane", "-p", *extra], capture_output=True, text=True)
        return result.stdout

    def send(self, *keys: str) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "send-keys", *keys], check=True)

    def wait_text(self, text: str, timeout: float = 20.0) -> bool:
        return wait_for(lambda: text in self.screen(), timeout)

    def alive(self) -> bool:
        return subprocess.run([self.tmux, "-L", self.socket, "has-session"], capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True)


class PtyApp:
    """The app in a pseudo-terminal; every byte it writes is kept and fed to a pyte screen."""

    def __init__(self, args: list[str], env: dict[str, str], width: int = 120, height: int = 40) -> None:
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.chdir(REPO)
            os.environ.update(env, TERM="xterm-256color", COLUMNS=str(width), LINES=str(height))
            os.execv(sys.executable, [sys.executable, "-m", "cockpit", *args])
        import fcntl
        import struct
        import termios

        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    def pump(self, seconds: float = 0.1) -> None:
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return
                self.raw += data
                self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_text(self, text: str, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.1)
            if text in self.text():
                return True
        return False

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def alive(self) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            wait_for(lambda: not self.alive(), 5)
            if self.alive():
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self.fd)
