"""The benchmark harness itself: the pty terminal reads what a program draws, counts its bytes,
delivers keys, and the report lists every row. No timing is asserted here (benchmarks are not
timed tests)."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

import pytest

pytest.importorskip("pyte")

from bench.__main__ import render  # noqa: E402
from bench.pty_term import PtyTerm, drawn_rows, percentile  # noqa: E402
from bench.rows import guarded, not_measured, row  # noqa: E402


def test_screen_shows_what_the_program_printed_with_escapes_applied():
    with PtyTerm(["printf", "plain \\033[31mred\\033[0m\\r\\nsecond line"]) as term:
        assert term.wait_for(lambda text: "second line" in text, 10) is not None
        lines = term.text().splitlines()
    assert lines[0].rstrip() == "plain red"  # the colour sequence is not text on screen
    assert lines[1].rstrip() == "second line"
    assert term.total_bytes == len(term.raw) > len("plain red")


def test_program_sees_a_120_by_40_terminal():
    code = "import os; s = os.get_terminal_size(); print(f'size={s.columns}x{s.lines}', flush=True)"
    with PtyTerm([sys.executable, "-c", code]) as term:
        assert term.wait_for(lambda text: "size=" in text, 10) is not None
        assert "size=120x40" in term.text()


def test_keys_reach_the_program_and_its_answer_is_drawn():
    code = "import sys; line = sys.stdin.readline(); print('got:' + line.strip().upper(), flush=True)"
    with PtyTerm([sys.executable, "-c", code]) as term:
        assert term.wait_quiet(0.2, 5)
        assert term.key_latency("hello\r", lambda text: "got:HELLO" in text, timeout=10) is not None


def test_a_large_output_is_counted_as_it_arrives_and_shown_when_looked_at():
    """The reader only reads and timestamps (pyte parses when the screen is asked for): every
    byte is counted without looking at the screen, and the screen then shows the last line."""
    code = "import sys; sys.stdout.write('x' * 200_000 + '\\r\\nthe end'); sys.stdout.flush(); import time; time.sleep(30)"
    with PtyTerm([sys.executable, "-c", code]) as term:
        assert term.wait_quiet(0.5, 20, after=term.started_at)
        assert term.total_bytes >= 200_000
        assert term.bytes_between(term.started_at, time.monotonic() + 1) == term.total_bytes
        assert "the end" in term.text()


def test_wait_for_gives_up_when_the_text_never_comes():
    with PtyTerm(["printf", "nothing here"]) as term:
        assert term.wait_for(lambda text: "never" in text, 1) is None


def test_closing_stops_a_program_that_would_run_forever():
    term = PtyTerm(["sleep", "600"])
    assert term.close(timeout=5) is not None  # it has an exit status: it was stopped


def test_percentile_by_nearest_rank():
    assert percentile([], 0.95) is None
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.0


def test_a_failing_benchmark_becomes_not_measured_rows_with_the_reason():
    def broken() -> list[dict]:
        raise RuntimeError("alertmanager could not start")

    rows = guarded([("x", "<= 1"), ("y", "<= 2")], broken)
    assert [r["name"] for r in rows] == ["x", "y"]
    assert all(r["value"] == "not measured" and "could not start" in r["note"] for r in rows)


def test_report_lists_every_row_with_its_ratio_and_the_machine():
    rows = [row("1. First paint", "300 ms", "200 ms", 1.5, "<= 1.5x", True, "median of 5"),
            not_measured("2. Idle", "<= 1 KB/min", "no server | here")]
    text = render(rows, {"CPU": "test cpu", "Cores": "2"}, datetime(2026, 1, 2, tzinfo=timezone.utc), 12.0)
    assert "| 1. First paint | 300 ms | 200 ms | 1.50x | <= 1.5x | yes | median of 5 |" in text
    assert "no server \\| here" in text  # a pipe in a note does not break the table
    assert "- CPU: test cpu" in text and "2026-01-02" in text
    assert "1 targets met, 0 missed, 1 not measured" in text


# ----- low-bandwidth mode, seen from a real terminal (no timing asserted) ---------------------
import re  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.upstream import closed_port, cockpit_argv, cockpit_env, write_config  # noqa: E402

_EXTENDED_COLOUR = re.compile(rb"\x1b\[[0-9;:]*(?:38|48)[;:][25][;:]")
_CURSOR_TO = re.compile(rb"\x1b\[(\d+);\d+H")


def _warm_cache_config(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A config whose only source is down, and a cache holding its last alerts."""
    from cockpit.engine.cache import CacheStore
    from cockpit.core.models import Alert, SourceKind, SourceState, utcnow

    names = [f"CachedAlert{i}" for i in range(5)]
    now = utcnow()
    store = CacheStore(tmp_path / "cache")
    store.save(SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, interval_s=15,
                           fetched_at=now - timedelta(minutes=3),
                           items=[Alert(source="am", fingerprint=f"{i:016x}", name=n, severity="warning",
                                        starts_at=now - timedelta(hours=1)) for i, n in enumerate(names)]))
    store.close()
    config = write_config(tmp_path / "config.toml", [{"name": "am", "type": "alertmanager",
                                                      "url": f"http://127.0.0.1:{closed_port()}", "interval": "15s"}])
    return config, tmp_path / "cache", names


@pytest.mark.e2e
@pytest.mark.parametrize("how", ["ssh", "flag"])
def test_low_bandwidth_mode_sends_16_colours_and_no_mouse_motion_tracking(tmp_path, how):
    config, cache, names = _warm_cache_config(tmp_path)
    args = ["--config", str(config)] + (["--low-bandwidth"] if how == "flag" else [])
    with PtyTerm(cockpit_argv(*args), env=cockpit_env(cache, low_bandwidth=how == "ssh", home=tmp_path), cwd=str(tmp_path)) as term:
        shown = term.wait_for(lambda text: all(n in text for n in names), 60)
        assert shown is not None, f"the cached alerts never showed: {term.summary()}"
        term.wait_quiet(1.0, 20)
        raw = bytes(term.raw)
    assert not _EXTENDED_COLOUR.search(raw), "a 256-colour or true-colour SGR was sent in low-bandwidth mode"
    assert b"\x1b[?1003h" not in raw and b"\x1b[?1002h" not in raw, "mouse-motion tracking was switched on"


@pytest.mark.e2e
def test_the_clock_alone_never_repaints_the_whole_screen(tmp_path):
    """Ages tick while nothing else changes: each repaint touches a few rows, not all 40."""
    config, cache, names = _warm_cache_config(tmp_path)
    with PtyTerm(cockpit_argv("--config", str(config)), env=cockpit_env(cache, home=tmp_path), cwd=str(tmp_path)) as term:
        assert term.wait_for(lambda text: all(n in text for n in names), 60) is not None, term.summary()
        term.wait_quiet(1.0, 20)
        start = time.monotonic()
        time.sleep(12)  # more than two age ticks of the normal mode
        repaints = [data for _t, data in term.bursts(start, time.monotonic())]
    for chunk in repaints:
        rows = {int(r) for r in _CURSOR_TO.findall(chunk)}
        assert len(rows) < 20, f"one idle repaint touched {len(rows)} of 40 rows"


def _am_alert(index: int, name: str, starts_at: datetime) -> dict:
    """One alert as Alertmanager's /api/v2/alerts lists it."""
    return {"fingerprint": f"{index:016x}", "labels": {"alertname": name, "severity": "warning", "service": "svc"},
            "annotations": {"summary": f"{name} summary"}, "startsAt": starts_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "endsAt": "2099-01-01T00:00:00Z", "updatedAt": starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "generatorURL": "",
            "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}, "receivers": [{"name": "x"}]}


@pytest.mark.e2e
def test_an_age_turning_a_minute_rewrites_only_the_age_cells(tmp_path):
    """Bench row 2's idle bytes: the alerts arrive after the first paint (the panel grows), then
    their ages turn a minute; that repaint writes the age cells and nothing else of the table
    (it once rewrote the column header and the cursor row whole: ~600 B of a 757 B minute)."""
    from tests.fault_server import FaultServer

    names = [f"TickAlert{i}" for i in range(5)]
    starts = datetime.now(timezone.utc) - timedelta(minutes=4, seconds=45)  # "4m", "5m" in ~15 s
    with FaultServer() as server:
        server.ok_body = [_am_alert(i, name, starts) for i, name in enumerate(names)]
        config = write_config(tmp_path / "config.toml", [{"name": "am", "type": "alertmanager", "url": server.url,
                                                          "interval": "1h"}])
        with PtyTerm(cockpit_argv("--config", str(config)), env=cockpit_env(tmp_path / "cache", home=tmp_path),
                     cwd=str(tmp_path)) as term:
            assert term.wait_for(lambda text: all(n in text for n in names), 60) is not None, term.summary()
            term.wait_quiet(1.0, 20)
            lines = term.text().splitlines()
            ages = {line.split()[0] for line in lines if any(n in line for n in names)}
            assert len(ages) == 1, lines
            (before,) = ages
            mark = time.monotonic()
            turned = term.wait_for(lambda text: not any(line.split()[0] == before for line in text.splitlines()
                                                        if any(n in line for n in names)), 90)
            assert turned is not None, term.summary()
            term.wait_quiet(0.5, 10)
            written = drawn_rows(term.data_between(mark, time.monotonic()))
            lines = term.text().splitlines()
    header = next(i for i, line in enumerate(lines, 1) if line.split()[:2] == ["Age", "Sev"])
    rows = {i for i, line in enumerate(lines, 1) if any(n in line for n in names)}
    assert header not in written, f"the column header was rewritten: {written}"
    for row in rows & set(written):
        assert written[row].strip() == lines[row - 1].split()[0], f"row {row} written beyond its age: {written[row]!r}"
    assert rows & set(written), f"no age cell was written: {written}"
