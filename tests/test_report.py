"""Reports computed from recorded shifts with known answers: empty, across midnight, a source down."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from cockpit.engine.handoff import dismiss, pending_notes, write_note
from cockpit.engine.history import History
from cockpit.core.models import SourceKind
from cockpit.engine.report.build import ReportOptions, build_report
from cockpit.engine.report.render import SECTIONS, render_markdown, render_report, render_text
from tests.history_data import Shift, alert, deploy, pipeline, slo, state

UTC = timezone.utc
NIGHT = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)  # Thursday 20:00 to Friday 10:00
NIGHT_END = NIGHT + timedelta(hours=14)


def m(minutes: float) -> datetime:
    return NIGHT + timedelta(minutes=minutes)


def night_alerts(minute: float) -> list:
    """What the alert source shows at ``minute`` of the night shift."""
    items = [alert("CertExpiring", severity="info", service="edge", starts_at=NIGHT - timedelta(hours=8))]
    if 210 <= minute < 250:  # 23:30 fires, 23:42 silenced, 00:10 resolved
        items.append(alert("HighErrorRate", "silenced" if minute >= 222 else "firing", service="checkout"))
    if any(start <= minute < start + 2 for start in (300, 360, 420)):  # 01:00, 02:00, 03:00 for 2 minutes
        items.append(alert("PodFlap", severity="warning", service="orders"))
    if 480 <= minute < 510:  # 04:00 to 04:30, triaged at 04:05
        items.append(alert("DiskSlow", severity="warning", service="db"))
    if minute >= 810:  # Friday 09:30, still firing at 10:00
        items.append(alert("NodeDown", service="node"))
    return items


def night_changes(minute: float) -> list:
    items = [deploy("checkout", m(180)), pipeline("shop/a", m(60), "succeeded", sha="1"),
             pipeline("shop/a", m(120), "succeeded", sha="2")]
    if minute >= 190:
        items += [pipeline("shop/a", m(190), "failed", sha="3"), pipeline("shop/b", m(200), "failed", branch="feature-x", sha="4")]
    if minute >= 300:
        items.append(deploy("search", m(300)))
    if minute >= 830:
        items.append(pipeline("shop/a", m(830), "running", sha="5"))
    return items


def night_slos(minute: float) -> list:
    paging = 215 <= minute < 245
    budget = 0.80 - 0.05 * min(1.0, max(0.0, (minute - 215) / 30))
    return [slo("checkout", "page" if paging else "ok", round(budget, 4))]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """A recorded night shift (20:00 to 10:00, every source polled each minute) and its report."""
    cache = tmp_path_factory.mktemp("night")
    history = History(cache)
    shift = Shift(history, NIGHT)
    shift.steady(0, 840, "am", night_alerts, step=1)
    shift.steady(0, 840, "ci", night_changes, step=1, kind=SourceKind.DEPLOYS)
    shift.steady(0, 840, "prom", night_slos, step=1, kind=SourceKind.SLOS)
    (cache / "triages").mkdir()
    disk = alert("DiskSlow", severity="warning", service="db")
    (cache / "triages" / "t1.json").write_text(json.dumps({
        "id": "t1", "status": "open", "created_at": m(485).isoformat(),
        "alert": {"name": "DiskSlow", "source": "am", "fingerprint": disk.fingerprint, "labels": disk.labels},
        "steps": [{"id": 1, "title": "Check disk latency", "done_at": m(490).isoformat()}, {"id": 2, "title": "Fail over"}],
        "events": [{"at": m(485).isoformat(), "kind": "started"}, {"at": m(490).isoformat(), "kind": "step_done", "step": 1}],
    }))
    (cache / "triages" / "broken.json").write_text("{not json")
    write_note(cache, "NodeDown on node-3 is being replaced by the DC team", author="dana", now=m(835))
    opts = ReportOptions(since=NIGHT, until=NIGHT_END, tz=UTC, sources=("am", "ci", "prom"))
    report = build_report(history, cache, opts)
    history.close()
    return report


def test_alerts_and_pages_by_severity_and_service(night):
    alerts = night["alerts"]
    assert (alerts["fired"], alerts["pages"], alerts["pages_after_hours"]) == (6, 2, 1)
    assert {r["severity"]: (r.get("alerts", 0), r.get("pages", 0)) for r in alerts["by_severity"]} == {
        "warning": (4, 0), "critical": (2, 2)}
    assert {r["service"]: r.get("alerts", 0) for r in alerts["by_service"]} == {"orders": 3, "checkout": 1, "db": 1, "node": 1}
    assert [c["name"] for c in alerts["carried_over"]] == ["CertExpiring"]
    assert alerts["still_firing"] == 2  # NodeDown, and the carried-over CertExpiring


def test_pages_per_hour_cross_midnight_with_after_hours_marked(night):
    hours = night["pages_per_hour"]
    assert [h["hour"][:13] for h in hours] == [f"2026-11-26T{h}" for h in range(20, 24)] + [
        f"2026-11-27T{h:02d}" for h in range(0, 10)]
    assert [h["pages"] for h in hours if h["pages"]] == [1, 1]
    paged = {h["hour"][11:16]: h["after_hours"] for h in hours if h["pages"]}
    assert paged == {"23:00": True, "09:00": False}


def test_mtta_mttr_from_silence_and_triage(night):
    response = night["response"]
    assert response["mtta"] == {"count": 2, "mean_s": (720 + 300) / 2, "median_s": 510.0,
                                "from": "alert episodes: first action recorded by this cockpit"}
    assert response["mttr"]["count"] == 5
    assert response["mttr"]["mean_s"] == (2400 + 3 * 120 + 1800) / 5
    assert response["mttr"]["median_s"] == 120
    assert (response["unacknowledged"], response["unresolved"]) == (4, 1)


def test_noise_self_resolved_flapping_and_top_noisy(night):
    noise = night["noise"]
    assert [(s["name"], s["lasted_s"]) for s in noise["self_resolved"]] == [("PodFlap", 120.0)] * 3
    assert [(f["name"], f["fired"]) for f in noise["flapping"]] == [("PodFlap", 3)]
    assert noise["actionable_share"] == pytest.approx(2 / 5)
    assert noise["top_noisy"][0] == {"name": "PodFlap", "unactioned": 3, "fired": 3}


def test_slo_attainment_budget_and_pages(night):
    (checkout,) = night["slos"]
    assert checkout["attainment"] == pytest.approx(810 / 840)
    assert checkout["budget_consumed"] == pytest.approx(0.05)
    assert checkout["budget_net_change"] == pytest.approx(-0.05)
    assert checkout["paged"] and checkout["first_page_at"] == "2026-11-26T23:35:00Z"


def test_deploys_change_failure_and_pipeline_success(night):
    deploys = night["deploys"]
    assert (deploys["count"], deploys["change_failure_signals"], deploys["change_failure_rate"]) == (2, 1, 0.5)
    followed = {d["service"]: d["followed_by"] for d in deploys["list"]}
    assert followed == {"checkout": {"alert": "HighErrorRate", "fired_at": "2026-11-26T23:30:00Z"}, "search": None}
    pipelines = night["pipelines"]
    assert (pipelines["runs"], pipelines["finished"], pipelines["succeeded"]) == (4, 3, 2)
    assert pipelines["success_rate"] == pytest.approx(2 / 3)


def test_open_triages_notes_and_no_holes(night):
    (triage,) = night["open_triages"]
    assert triage["alert"] == "DiskSlow" and (triage["steps_done"], triage["steps"]) == (1, 2)
    assert triage["last_step"]["step"] == "Check disk latency"
    assert [n["text"] for n in night["handoff_notes"]] == ["NodeDown on node-3 is being replaced by the DC team"]
    assert [(h["source"], h["holes"]) for h in night["holes"]] == [("am", []), ("ci", []), ("prom", [])]


def test_rendered_report_has_every_section_and_its_footer(night):
    text = render_text(night, UTC)
    markdown = render_markdown(night, UTC)
    for heading in SECTIONS:
        assert f"\n{heading}\n" in text
        assert f"## {heading}" in markdown
    assert "MTTA (time to first action): mean 8m, median 8m over 2" in text
    assert "flapping: PodFlap fired 3x" in text
    assert "Thu 26 Nov 23:00  1      after hours" in text  # not the last day: dated
    assert "resolved less than 5 min after firing" in text
    assert json.loads(render_report(night, "json"))["alerts"]["pages"] == 2


def test_empty_shift_reports_nothing_recorded_not_quiet(tmp_path):
    history = History(tmp_path)
    until = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    report = build_report(history, tmp_path, ReportOptions(since=until - timedelta(hours=12), until=until, tz=UTC,
                                                           sources=("am",)))
    history.close()
    assert report["alerts"]["fired"] == 0 and report["response"]["mtta"]["count"] == 0
    assert report["noise"]["actionable_share"] is None and report["slos"] == []
    assert report["holes"] == [{"source": "am", "covered_share": 0.0, "holes": [
        {"start": "2026-11-27T00:00:00Z", "end": "2026-11-27T12:00:00Z", "kind": "not recorded", "error": None}]}]
    text = render_text(report, UTC)
    for heading in SECTIONS:
        assert f"\n{heading}\n" in text
    assert "am: data has holes, 0.0% covered: not recorded 00:00-12:00" in text  # the last day: no date
    assert "MTTA (time to first action): - (no data)" in text


def test_source_down_half_the_shift_is_reported_as_a_hole(tmp_path):
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    history = History(tmp_path)
    shift = Shift(history, start)
    shift.steady(0, 120, "am", lambda minute: [alert("HighLatency", severity="warning")] if minute >= 60 else [])
    for minute in range(125, 241, 5):  # backing off while the source refuses connections
        shift.poll(minute, "am", [alert("HighLatency", severity="warning")], error="connection refused")
    shift.steady(0, 240, "ci", lambda minute: [], kind=SourceKind.DEPLOYS)
    shift.steady(0, 60, "gl", lambda minute: [], kind=SourceKind.PIPELINES)  # then the cockpit was closed
    report = build_report(history, tmp_path, ReportOptions(since=start, until=start + timedelta(hours=4), tz=UTC,
                                                           sources=("am", "ci", "gl", "argo")))
    history.close()
    holes = {h["source"]: h for h in report["holes"]}
    assert holes["am"]["covered_share"] == pytest.approx(0.5)
    assert holes["am"]["holes"] == [{"start": "2026-11-27T14:00:00Z", "end": "2026-11-27T16:00:00Z", "kind": "down",
                                     "error": "connection refused"}]
    assert holes["ci"]["holes"] == []
    assert [(h["kind"], h["start"]) for h in holes["gl"]["holes"]] == [("not recorded", "2026-11-27T13:00:00Z")]
    assert holes["argo"]["covered_share"] == 0.0
    # The alert that was firing when the source went down is not counted as resolved.
    assert report["response"]["unresolved"] == 1 and report["response"]["mttr"]["count"] == 0
    text = render_text(report, UTC)
    assert "am: data has holes, 50.0% covered: down 14:00-16:00 (connection refused)" in text
    assert "ci: complete" in text


def test_the_time_since_the_last_poll_is_not_a_hole_but_a_longer_silence_is(tmp_path):
    """The demo polls every 5 s; a report asked 0.4 s after the last poll showed a sub-second
    'not recorded' hole at the window's end. A reading holds until the next poll is due."""
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    history = History(tmp_path)
    for tick in range(0, 3601, 5):  # every 5 seconds for an hour
        history.record(state("demo", [], interval=5.0), start + timedelta(seconds=tick))
    history.record(state("old", [], interval=5.0), start)
    history.record(state("old", [], interval=5.0), start + timedelta(minutes=30))  # then closed: a real hole
    until = start + timedelta(hours=1, seconds=0.4)
    report = build_report(history, tmp_path, ReportOptions(since=start, until=until, tz=UTC, sources=("demo", "old")))
    history.close()
    holes = {h["source"]: h for h in report["holes"]}
    assert holes["demo"]["holes"] == [] and holes["demo"]["covered_share"] == pytest.approx(1.0)
    assert "demo: complete" in render_text(report, UTC)
    assert [(h["kind"], h["start"]) for h in holes["old"]["holes"]] == [
        ("not recorded", "2026-11-27T12:00:00Z"), ("not recorded", "2026-11-27T12:30:00Z")]


def test_silence_made_from_the_cockpit_counts_as_the_first_action(tmp_path):
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    history = History(tmp_path)
    shift = Shift(history, start)
    shift.steady(0, 30, "am", lambda minute: [alert("HighErrorRate")] if 5 <= minute < 25 else [])
    history.record_action("silence", at=shift.at(8), source="am", matchers=['alertname="HighErrorRate"'])
    (tmp_path / "audit.jsonl").write_text(json.dumps({
        "when": "2026-11-27T12:06:00Z", "what": "create_silence", "result": "refused",
        "details": {"matchers": ['alertname="HighErrorRate"']}}) + "\n")
    report = build_report(history, tmp_path, ReportOptions(since=start, until=shift.at(30), tz=UTC))
    history.close()
    assert report["response"]["mtta"]["mean_s"] == 180  # the refused one at 12:06 does not count
    assert report["response"]["mttr"]["mean_s"] == 20 * 60


def test_untrusted_strings_are_cleaned_in_text_and_markdown(tmp_path):
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    history = History(tmp_path)
    evil = "Evil\x1b[2J|Alert\x07"
    Shift(history, start).steady(0, 10, "am", lambda minute: [alert(evil, service="a|b")] if minute < 5 else [])
    report = build_report(history, tmp_path, ReportOptions(since=start, until=start + timedelta(minutes=10), tz=UTC))
    history.close()
    for output in (render_text(report, UTC), render_markdown(report, UTC)):
        assert "\x1b" not in output and "\x07" not in output
    assert "a\\|b" in render_markdown(report, UTC)


def test_handoff_notes_pending_until_dismissed(tmp_path):
    first = write_note(tmp_path, "  watch the db-2 disk  ", author="dana")
    write_note(tmp_path, "checkout rollback pending")
    assert [n.text for n in pending_notes(tmp_path)] == ["watch the db-2 disk", "checkout rollback pending"]
    assert dismiss(tmp_path, first.id) == 1
    assert [n.text for n in pending_notes(tmp_path)] == ["checkout rollback pending"]
    assert dismiss(tmp_path) == 1 and pending_notes(tmp_path) == []
    assert dismiss(tmp_path) == 0
    with pytest.raises(ValueError):
        write_note(tmp_path, "   ")
