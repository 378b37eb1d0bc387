"""Run a program in a pseudo-terminal and read it the way a person's terminal would.

A :class:`PtyTerm` starts a command on the slave side of a pty of 120x40 with
``TERM=xterm-256color``, reads every byte the program writes on a background thread, counts and
timestamps them as they arrive, and feeds them to a pyte screen (a VT100/xterm emulator) when the
screen is looked at, so pyte's parsing never delays the timestamp of a read. The benchmarks then
ask questions about what a person would see: "is the first alert name on screen yet?", "how many
bytes crossed the wire in this minute?", "how long from this key press until the screen settled?".

Only loopback programs are run; every wait is bounded by a timeout.
"""

from __future__ import annotations

import fcntl
import math
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import pyte

__all__ = ["KEYS", "PtyTerm", "drawn_rows", "percentile"]

KEYS = {
    "enter": b"\r",
    "esc": b"\x1b",
    "tab": b"\t",
    "backspace": b"\x7f",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "ctrl+c": b"\x03",
}
"""Byte sequences an xterm sends for a few named keys."""


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` percentile (0..1) by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


_DRAWN = re.compile(rb"\x1b\[(\d+);(\d+)H((?:[^\x1b]|\x1b\[[0-9;]*m)+)")
"""A cursor move and what is drawn there (text and colours, up to the next escape that is not a
colour). A bare move (Textual parks the cursor after every frame) draws nothing and is skipped."""


def drawn_rows(data: bytes) -> dict[int, str]:
    """What ``data`` (a program's output) drew: screen row (1-based) -> its text, colours removed."""
    rows: dict[int, str] = {}
    for row, _column, body in _DRAWN.findall(data):
        text = re.sub(rb"\x1b\[[0-9;]*m", b"", body).decode(errors="replace").rstrip("\r\n")
        rows[int(row)] = rows.get(int(row), "") + text
    return rows


class _AnsweringScreen(pyte.Screen):
    """A pyte screen that answers device queries (DA, DSR) back into the pty, like xterm."""

    def __init__(self, columns: int, lines: int, reply: Callable[[str], None]) -> None:
        super().__init__(columns, lines)
        self._reply = reply

    def write_process_input(self, data: str) -> None:
        self._reply(data)


class PtyTerm:
    """One program running in a pty, with an emulated screen and a byte log."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        columns: int = 120,
        lines: int = 40,
    ) -> None:
        self.argv = list(argv)
        self.columns, self.lines = columns, lines
        self.started_at = 0.0
        """``time.monotonic()`` just before the process was spawned."""
        self.chunks: list[tuple[float, int]] = []
        """(monotonic time read, byte count) of every read from the pty."""
        self.raw = bytearray()
        """Every byte the program wrote (kept for checks on escape sequences)."""
        self._lock = threading.Lock()
        """Guards the byte log (``chunks``, ``raw``); held only for an append or a copy."""
        self._changed = threading.Condition(self._lock)
        self._screen_lock = threading.Lock()
        """Guards the emulated screen and how much of ``raw`` it has been fed."""
        self._fed = 0
        self._fed_at: float | None = None
        self.screen = _AnsweringScreen(columns, lines, self._answer)
        self.stream = pyte.ByteStream(self.screen)
        # A read is timestamped as soon as it returns; the reader needs the GIL for that, and
        # a thread feeding pyte holds it for up to the switch interval (5 ms by default).
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.0005))
        full_env = dict(os.environ if env is None else env)
        full_env.setdefault("TERM", "xterm-256color")
        full_env["TERM"] = full_env.get("TERM") or "xterm-256color"
        # The size comes from the pty alone: COLUMNS/LINES would pin it (shutil.get_terminal_size
        # reads them first) and a resize would never reach the program.
        full_env.pop("COLUMNS", None)
        full_env.pop("LINES", None)
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
            close_fds=True,
        )
        os.close(slave)
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, name="pty-reader", daemon=True)
        self._reader.start()

    # ----- reading -------------------------------------------------------------------------
    def _read_loop(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            now = time.monotonic()
            with self._changed:
                self.chunks.append((now, len(data)))
                self.raw.extend(data)
                self._changed.notify_all()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _answer(self, data: str) -> None:
        try:
            os.write(self.master, data.encode())
        except OSError:
            pass

    # ----- what is on screen ---------------------------------------------------------------
    def _feed(self) -> float | None:
        """Feed the emulator what was read since the last call; the time of the last read fed.

        The reader thread only reads and timestamps: it never waits for pyte, which takes
        milliseconds per kilobyte, so a large repaint's last read is timestamped when it
        arrives, not after the emulator has parsed the reads before it. (A terminal emulator
        a person uses parses that much in well under a millisecond.)
        """
        with self._screen_lock:
            with self._lock:
                data = bytes(self.raw[self._fed:])
                self._fed = len(self.raw)
                if data:
                    self._fed_at = self.chunks[-1][0]
            if data:
                try:
                    self.stream.feed(data)
                except Exception:  # noqa: BLE001 - an odd sequence must not stop the count
                    pass
            return self._fed_at

    def text(self) -> str:
        """The screen as plain text, one line per row."""
        self._feed()
        with self._screen_lock:
            return "\n".join(self.screen.display)

    def summary(self, limit: int = 300) -> str:
        """The non-blank screen lines on one line (for error messages)."""
        shown = " / ".join(line.strip() for line in self.text().splitlines() if line.strip())
        shown = re.sub(r"(\S)\1{4,}", r"\1\1", shown)  # box-drawing runs say nothing
        return shown[:limit] or "(blank screen)"

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return len(self.raw)

    def bytes_between(self, start: float, end: float) -> int:
        """Bytes read with a timestamp in ``[start, end)`` (monotonic seconds)."""
        with self._lock:
            return sum(n for t, n in self.chunks if start <= t < end)

    def data_between(self, start: float, end: float) -> bytes:
        """The bytes read with a timestamp in ``[start, end)``."""
        with self._lock:
            offset, parts = 0, []
            for t, n in self.chunks:
                if start <= t < end:
                    parts.append(bytes(self.raw[offset : offset + n]))
                offset += n
            return b"".join(parts)

    def bursts(self, start: float, end: float, gap: float = 0.3) -> list[tuple[float, bytes]]:
        """Output in ``[start, end)`` grouped into repaints: runs of reads with less than ``gap``
        seconds between them, as (time of the first read, bytes)."""
        found: list[tuple[float, bytearray]] = []
        last = None
        with self._lock:
            offset = 0
            for t, n in self.chunks:
                if start <= t < end:
                    data = self.raw[offset : offset + n]
                    if last is not None and t - last <= gap:
                        found[-1][1].extend(data)
                    else:
                        found.append((t, bytearray(data)))
                    last = t
                offset += n
        return [(t, bytes(data)) for t, data in found]

    def last_chunk_time(self) -> float | None:
        with self._lock:
            return self.chunks[-1][0] if self.chunks else None

    def wait_for(self, predicate: Callable[[str], bool], timeout: float) -> float | None:
        """Wait until ``predicate(screen text)`` is true; return the monotonic time of the read
        that made it true (None on time-out or when the program ended)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                seen, closed = len(self.chunks), self._closed
            fed_at = self._feed()
            with self._screen_lock:
                text = "\n".join(self.screen.display)
            if predicate(text):
                return fed_at if fed_at is not None else time.monotonic()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or closed:
                return None
            with self._changed:
                if len(self.chunks) == seen and not self._closed:
                    self._changed.wait(min(remaining, 0.2))

    def wait_quiet(self, quiet: float, timeout: float, after: float | None = None) -> bool:
        """Wait until no byte has arrived for ``quiet`` seconds (True), or ``timeout`` passed.

        With ``after`` (a monotonic time), some output must also have arrived after it first.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.last_chunk_time() or self.started_at
            if (after is None or last > after) and time.monotonic() - last >= quiet:
                return True
            time.sleep(min(quiet / 4, 0.05))
        return False

    # ----- writing -------------------------------------------------------------------------
    def send(self, keys: bytes | str) -> float:
        """Type ``keys`` (a name from :data:`KEYS`, text, or raw bytes); returns the send time."""
        data = KEYS.get(keys, keys.encode()) if isinstance(keys, str) else keys
        sent = time.monotonic()
        os.write(self.master, data)
        return sent

    def key_latency(
        self,
        keys: bytes | str,
        predicate: Callable[[str], bool] | None = None,
        *,
        settle: float = 0.08,
        timeout: float = 5.0,
    ) -> float | None:
        """Seconds from sending ``keys`` until the screen settled on the result.

        The result is the last read before ``settle`` seconds without output (and, when given,
        after ``predicate`` holds on the screen). None when nothing was drawn before ``timeout``.
        """
        self.wait_quiet(settle, timeout)
        sent = self.send(keys)
        deadline = sent + timeout
        if predicate is not None and self.wait_for(predicate, timeout) is None:
            return None
        while time.monotonic() < deadline:
            last = self.last_chunk_time()
            if last is not None and last > sent and time.monotonic() - last >= settle:
                return last - sent
            time.sleep(0.005)
        return None

    def resize(self, columns: int, lines: int) -> None:
        """Change the window size (the program gets SIGWINCH) and the emulated screen's."""
        self._feed()
        with self._screen_lock:
            self.screen.resize(lines, columns)
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.columns, self.lines = columns, lines
        try:
            os.killpg(self.process.pid, signal.SIGWINCH)
        except OSError:
            pass

    # ----- the process ---------------------------------------------------------------------
    @property
    def pid(self) -> int:
        return self.process.pid

    def memory_kb(self) -> dict[str, int]:
        """VmRSS and VmHWM of the program (kB) from /proc; empty when it has ended."""
        found: dict[str, int] = {}
        try:
            with open(f"/proc/{self.process.pid}/status") as handle:
                for line in handle:
                    key, _, rest = line.partition(":")
                    if key in ("VmRSS", "VmHWM"):
                        found[key] = int(rest.split()[0])
        except OSError:
            pass
        return found

    def close(self, timeout: float = 5.0) -> int | None:
        """Stop the program (SIGTERM to its own process group, then SIGKILL); its exit status."""
        if self.process.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.process.pid, sig)
                except OSError:
                    break
                try:
                    self.process.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        try:
            os.close(self.master)
        except OSError:
            pass
        self._reader.join(2)
        return self.process.poll()

    def __enter__(self) -> "PtyTerm":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
