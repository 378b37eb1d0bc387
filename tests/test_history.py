"""The history recorder: transitions diffed per source, no duplicates, holes, pruning, file safety."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone

import pytest

from cockpit.engine.history import History, record_action
from cockpit.core.models import SourceKind
from tests.history_data import Shift, alert, deploy, pipeline, slo, state

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.fixture
def history(tmp_path):
    h = History(tmp_path)
    yield h
    h.close()


def alert_log(history: History) -> list[tuple[str, str | None, str]]:
    return [(e["name"], e["prev"], e["state"]) for e in history.events(T0 - DAY, T0 + DAY, ["alert"])]


def test_alert_life_is_recorded_once_per_transition(history):
    shift = Shift(history, T0)
    shift.poll(0, "am", [alert("HighErrorRate", "pending")])
    shift.poll(0.5, "am", [alert("HighErrorRate", "pending")])
    shift.poll(1, "am", [alert("HighErrorRate", "firing")])
    shift.poll(1.5, "am", [alert("HighErrorRate", "firing")])
    shift.poll(2, "am", [alert("HighErrorRate", "silenced")])
    shift.poll(3, "am", [])
    shift.poll(3.5, "am", [])
    assert alert_log(history) == [
        ("HighErrorRate", None, "pending"), ("HighErrorRate", "pending", "firing"),
        ("HighErrorRate", "firing", "silenced"), ("HighErrorRate", "silenced", "resolved"),
    ]
    resolved = history.events(T0, T0 + DAY, ["alert"])[-1]
    assert resolved["at"] == T0 + timedelta(minutes=3)
    assert resolved["severity"] == "critical" and resolved["service"] == "checkout"


def test_a_second_instance_or_a_restart_continues_the_same_diff(tmp_path):
    first = History(tmp_path)
    Shift(first, T0).poll(0, "am", [alert("DiskFull", severity="warning")])
    first.close()
    second = History(tmp_path)
    shift = Shift(second, T0)
    shift.poll(1, "am", [alert("DiskFull", severity="warning")])  # same state: nothing new
    shift.poll(2, "am", [])
    assert alert_log(second) == [("DiskFull", None, "firing"), ("DiskFull", "firing", "resolved")]
    second.close()


def test_a_failed_poll_is_a_hole_not_a_resolution(history):
    shift = Shift(history, T0)
    shift.poll(0, "am", [alert("HighLatency")])
    # The poller keeps the last good items on failure; the recorder must not diff them.
    for minutes in range(1, 21, 5):  # backing off: a poll every 5 minutes, all failing
        shift.poll(minutes, "am", [], error="connection refused")
    shift.poll(20, "am", [], error="connection refused")
    shift.poll(21, "am", [alert("HighLatency")])
    assert alert_log(history) == [("HighLatency", None, "firing")]
    spans = history.spans(T0, T0 + DAY)
    assert [(s.up, s.start, s.end, s.error) for s in spans] == [
        (True, T0, T0, None),
        (False, T0, shift.at(20), "connection refused"),
        (True, shift.at(20), shift.at(21), None),
    ]
    kinds = [(e["prev"], e["state"]) for e in history.events(T0, T0 + DAY, ["source"])]
    assert kinds == [(None, "up"), ("up", "down"), ("down", "up")]


def test_a_long_silence_between_polls_leaves_an_unrecorded_gap(history):
    shift = Shift(history, T0)
    shift.poll(0, "am", [])
    shift.poll(0.5, "am", [])
    shift.poll(60, "am", [])  # the cockpit was not running for an hour
    spans = history.spans(T0, T0 + DAY)
    assert [(s.start, s.end) for s in spans] == [(T0, shift.at(0.5)), (shift.at(60), shift.at(60))]


def test_deploys_and_pipelines_are_recorded_when_new_or_changed(history):
    shift = Shift(history, T0)
    started = T0 - timedelta(minutes=5)
    for minutes, status in ((0, "running"), (1, "running"), (2, "succeeded"), (3, "succeeded")):
        shift.poll(minutes, "ci", [deploy("checkout", started, status), pipeline("shop/checkout", started, "failed")],
                   kind=SourceKind.DEPLOYS)
    # A rerun with the same id but a new start time is a new run.
    shift.poll(4, "ci", [deploy("checkout", started + timedelta(minutes=4), "failed")], kind=SourceKind.DEPLOYS)
    runs = [(e["kind"], e["prev"], e["state"]) for e in history.events(T0 - DAY, T0 + DAY, ["deploy", "pipeline"])]
    assert runs == [("deploy", None, "running"), ("pipeline", None, "failed"), ("deploy", "running", "succeeded"),
                    ("deploy", None, "failed")]


def test_slo_is_sampled_every_five_minutes_or_on_a_status_change(history):
    shift = Shift(history, T0)
    for second in range(0, 900, 10):
        status = "page" if 400 <= second < 430 else "ok"
        shift.poll(second / 60, "prom", [slo("checkout", status, 0.5)], kind=SourceKind.SLOS)
    samples = [(int((s["at"] - T0).total_seconds()), s["status"]) for s in history.slo_samples(T0, T0 + DAY)]
    assert samples == [(0, "ok"), (300, "ok"), (400, "page"), (430, "ok"), (730, "ok")]


def test_actions_are_recorded_with_their_alert(history, tmp_path):
    a = alert("HighErrorRate")
    history.record_action("triage_step", at=T0, alert=a, step="Check the deploy")
    record_action(tmp_path, "silence", at=T0 + timedelta(minutes=1), source="am",
                  matchers=['alertname="HighErrorRate"'], by="dana")
    actions = history.events(T0 - DAY, T0 + DAY, ["action"])
    assert [(e["state"], e["key"], e["name"]) for e in actions] == [
        ("triage_step", a.fingerprint, "HighErrorRate"), ("silence", "", None)]
    assert actions[0]["data"]["step"] == "Check the deploy"
    assert actions[1]["data"] == {"matchers": ['alertname="HighErrorRate"'], "by": "dana"}


def test_prune_by_age_and_by_row_count(tmp_path):
    history = History(tmp_path, retention_days=15, max_rows={"events": 50})
    shift = Shift(history, T0)
    shift.poll(0, "old", [alert("Ancient")])
    now = T0 + timedelta(days=16)
    late = Shift(history, now)
    for i in range(40):  # 40 alerts appearing and going: 80 events + source events
        late.poll(i, "am", [alert(f"A{i}")])
    history.prune(now + timedelta(hours=1))
    events = history.events(T0 - DAY, now + DAY)
    assert len(events) <= 50
    assert all(e["source"] != "old" for e in events)
    assert {e["name"] for e in events[-2:]} == {"A38", "A39"}  # the newest survive
    assert history.spans(T0 - DAY, T0 + DAY) == []
    history.close()


def test_database_is_private_and_in_wal_mode(history):
    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600
    assert history._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_record_never_raises_into_the_poller(tmp_path, caplog):
    history = History(tmp_path)
    history.close()
    history.record(state("am", [alert("X")]), T0)  # a closed database: logged, not raised
    history.record_action("silence", at=T0)
    assert "could not record" in caplog.text
