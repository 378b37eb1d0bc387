"""Small defects found by attacking the running cockpit (issue 17, point 10)."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.core.models import utcnow
from cockpit.engine.cache import CacheStore
from cockpit.engine.poller import Poller
from cockpit.engine.runbooks.index import RunbookIndex, default_db_path
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.base import SourceContext
from cockpit.sources.http import MAX_RETRY_AFTER_S, format_retry_at
from tests.fault_server import FaultServer


def test_the_runbook_index_and_its_wal_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "DiskFull.md").write_text("# Disk full\n")
    old = os.umask(0o022)  # a usual umask: files would be 0644
    try:
        with RunbookIndex(default_db_path(tmp_path / "cache"), [folder]) as index:
            index.update()
            files = [p for p in (tmp_path / "cache").iterdir() if p.name.startswith("runbooks.sqlite")]
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
    finally:
        os.umask(old)
    assert {"runbooks.sqlite", "runbooks.sqlite-wal", "runbooks.sqlite-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


@pytest.mark.parametrize("retry_after", ["99999999", "1e30", "inf", "nan", "Fri, 31 Dec 9999 23:59:59 GMT"])
async def test_an_absurd_retry_after_pauses_a_source_an_hour_at_most(tmp_path: Path, retry_after: str) -> None:
    with FaultServer() as server:
        server.mode = "429"
        server.retry_after = retry_after
        options = AlertmanagerSource.Options(url=server.url, interval="10s", timeout="2s")
        source = AlertmanagerSource("am", options, SourceContext(cache_dir=tmp_path))
        try:
            state = await Poller([source], CacheStore(tmp_path / "cache"), share=False).poll_once(source)
        finally:
            await source.close()
    assert state.rate_limited and "rate limited" in state.error
    if retry_after != "nan":
        wait = (state.next_poll_at - utcnow()).total_seconds()
        assert 0 < wait <= MAX_RETRY_AFTER_S, wait


def test_a_retry_time_on_another_day_shows_its_date() -> None:
    now = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
    assert format_retry_at(now + timedelta(minutes=10), now) == "23:40:00Z"
    assert format_retry_at(now + timedelta(minutes=45), now) == "2026-12-01 00:15:00Z"


def test_a_future_end_time_reads_as_in_not_just_now() -> None:
    from cockpit.core.models import Alert
    from cockpit.ui.screens.detail import render_item

    now = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    alert = Alert(source="am", fingerprint="f", name="DiskFull", severity="warning",
                  starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
    lines = {line.split(":", 1)[0].strip(): line for line in render_item(alert, now).plain.splitlines()}
    assert "(in 1h00m)" in lines["ends_at"], lines["ends_at"]
    assert "(5m ago)" in lines["starts_at"]


def test_the_report_says_which_part_of_its_window_the_history_cap_cut_off(tmp_path: Path) -> None:
    from cockpit.engine.history import History
    from cockpit.engine.report.build import ReportOptions, build_report
    from cockpit.engine.report.render import render_text
    from tests.history_data import Shift, alert

    t0 = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)
    history = History(tmp_path, max_rows={"events": 1000})
    shift = Shift(history, t0)
    for minute in range(61):  # 20 alerts, all replaced every minute: 40 events a minute
        shift.poll(minute, "am", [alert(f"Churn{minute}x{i}") for i in range(20)])
    history.prune(shift.at(60))
    opts = ReportOptions(since=t0, until=shift.at(60))
    report = build_report(history, tmp_path, opts)
    history.close()
    cap = report["history_cap"]
    assert cap is not None and cap["cap"] == 1000
    lost_until = datetime.fromisoformat(cap["lost_until"].replace("Z", "+00:00"))
    assert shift.at(30) < lost_until < shift.at(40)  # 1,000 events are the last ~25 minutes
    assert "history row cap (1,000 events) reached" in render_text(report, timezone.utc)
