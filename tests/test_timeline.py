"""The timeline: one axis for alerts, deploys, failures, silences and triages (glyphs, not colour
alone), as a screen (``T``, ``:timeline SERVICE``, ``[``/``]``) and as text."""

from __future__ import annotations

from datetime import timedelta

from cockpit.core.timeline import legend_lines, marks_from_items, marks_from_section, render_timeline, timeline_markdown
from cockpit.ui.screens.timeline import TimelineScreen
from tests.app_fixtures import NOW, fixed_states, make_app


def items():
    return [item for state in fixed_states() for item in state.items]


def test_marks_of_one_service_and_their_place_on_the_axis():
    marks = marks_from_items(items(), NOW, "checkout")
    # deploys first, then the failures of its repos' pipelines, then alerts
    assert [m.lane for m in marks] == ["deploy", "pipeline", "alert"]
    deploy, failure, alert = marks
    assert failure.glyph == "✗" and "checkout" in failure.service
    assert deploy.glyph == "◆" and "v2.14.1" in deploy.label
    assert alert.glyph == "█" and alert.label == "CheckoutHighErrorRate"  # critical, firing
    lines = [line for line, _role in render_timeline(marks, NOW - timedelta(hours=1), NOW, 80)]
    row = next(line for line in lines if line.startswith("CheckoutHighErrorRate"))
    track = row[row.index(" ·") + 1:] if " ·" in row else row
    # started 12 minutes ago in a one-hour window: the last fifth of the track is filled
    assert track.rstrip().endswith("█") and track.count("█") in range(10, 15)
    deploy_row = next(line for line in lines if line.startswith("checkout v2.14.1"))
    assert deploy_row.count("◆") == 1
    assert all(len(line) <= 80 for line in lines)
    assert any(line.startswith("█ critical firing") for line in lines)


def test_pending_and_silenced_alerts_have_their_own_glyphs_and_old_marks_are_counted():
    marks = {m.label: m for m in marks_from_items(items(), NOW)}
    assert marks["DiskWillFillIn4Hours"].glyph == "░"  # pending
    assert marks["TargetDown"].glyph == "⊘"  # silenced
    lines = render_timeline(list(marks.values()), NOW - timedelta(minutes=30), NOW - timedelta(minutes=20), 80)
    assert lines[-1][0].endswith("more outside the window")


def test_markdown_section_is_a_code_block():
    text = timeline_markdown(marks_from_items(items(), NOW), NOW - timedelta(hours=3), NOW)
    assert text.startswith("## Timeline\n\n```text\n") and text.rstrip().endswith("```")
    assert "CheckoutHighErrorRate" in text


async def test_t_opens_the_timeline_and_brackets_change_the_window():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        assert screen.window == timedelta(hours=3)
        await pilot.press("right_square_bracket")
        assert screen.window == timedelta(hours=6)
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert screen.window == timedelta(hours=1)
        body = screen.query_one("#timeline-lines").content.plain
        assert "CheckoutHighErrorRate" in body and "█" in body
        await pilot.press("escape")
        await pilot.press("colon", *"timeline payments", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen) and app.screen.service == "payments"
        body = app.screen.query_one("#timeline-lines").content.plain
        assert "KubePodCrashLooping" in body and "CheckoutHighErrorRate" not in body


def iso(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


SECTION = {
    "alerts": [{"source": "am", "key": "k1", "name": "DiskFull", "severity": "critical", "service": "db",
                "seen_at": iso(50), "fired_at": iso(45), "resolved_at": iso(20), "silenced_at": iso(30)},
               {"source": "am", "key": "k2", "name": "Again", "severity": "warning", "service": "db",
                "seen_at": iso(10), "fired_at": iso(10), "resolved_at": None, "silenced_at": None}],
    "deploys": [{"at": iso(55), "source": "ci", "key": "d1", "service": "db", "version": "v2",
                 "environment": "prod", "status": "succeeded"}],
    "pipeline_failures": [],
    "silences": [{"source": "am", "id": "s1", "matchers": ['alertname="DiskFull"'], "starts_at": iso(30),
                  "ends_at": iso(-60), "services": ["db"]},
                 {"source": "am", "id": "s2", "matchers": ['service="search"'], "starts_at": iso(40),
                  "ends_at": iso(35), "services": ["search"]}],
    "triages": [{"id": "t1", "name": "DiskFull", "service": "db", "created_at": iso(44), "closed_at": iso(15),
                 "events": [{"at": iso(44), "kind": "started"}, {"at": iso(38), "kind": "step_done"},
                            {"at": iso(25), "kind": "note"}]}],
}


def test_an_episode_is_one_row_pending_then_firing_then_silenced_and_silences_and_triages_have_lanes():
    marks = marks_from_section(SECTION, NOW, "db")
    assert [m.lane for m in marks] == ["deploy", "alert", "alert", "silence", "triage"]  # not search's silence
    lines = [line for line, _role in render_timeline(marks, NOW - timedelta(hours=1), NOW, 80)]
    track = lambda name: next(line for line in lines if line.startswith(name))[27:]  # noqa: E731
    disk = track("DiskFull").strip("·")
    # 53 cells for 60 minutes: pending 50-45 min ago, firing, silenced from 30 to 20
    assert disk.startswith("░") and "█" in disk and disk.endswith("⊘") and disk.index("█") < disk.index("⊘")
    assert set(disk) == {"░", "█", "⊘"}
    assert track("Again").endswith("▓")  # a warning still firing: up to the window's end
    silence = track("silence alertname=DiskFull")
    assert silence.endswith("═") and silence.count("═") in range(25, 29)  # from 30 minutes ago, still active
    triage = track("triage DiskFull")
    assert "✓" in triage and "✎" in triage and triage.index("✓") < triage.index("✎")
    assert triage.endswith("·")  # closed 15 minutes ago
    assert all(len(line) <= 80 for line in lines)
    assert any(line.startswith("█ critical firing") for line in lines) and any("═ silence" in line for line in lines)


def test_the_legend_wraps_to_the_width_and_names_every_glyph():
    for width in (40, 77, 117, 197):
        lines = legend_lines(width)
        assert all(len(line) <= width for line in lines)
        text = "  ".join(lines)
        for entry in ("█ critical firing", "░ pending", "⊘ silenced", "◆ deploy", "═ silence", "─ triage",
                      "✓ step done", "✎ note"):
            assert entry in text
    assert len(legend_lines(77)) == 2 and len(legend_lines(197)) == 1


def engine_with_silence_and_triage(state_dir):
    """A FakeEngine on the fixed states whose state dir holds a silence of checkout (seen active
    from 50 minutes ago to an hour ahead) and a closed triage of CheckoutHighErrorRate (a step
    ticked, a note)."""
    from cockpit.engine.silence_soon import SilenceLedger
    from cockpit.sources.base import SilenceInfo
    from tests.app_fixtures import FakeEngine

    SilenceLedger(state_dir).observe([("am-prod", SilenceInfo(
        id="s1", matchers=[{"name": "service", "value": "checkout", "isRegex": False, "isEqual": True}],
        starts_at=NOW - timedelta(minutes=50), ends_at=NOW + timedelta(hours=1), created_by="ada"))],
        NOW - timedelta(minutes=5))
    engine = FakeEngine(cache_dir=state_dir)
    alert = next(i for i in items() if getattr(i, "name", "") == "CheckoutHighErrorRate")
    triage, _resumed = engine.start_triage(alert, now=NOW - timedelta(minutes=10))
    triage = engine.tick_step(triage, next(s.id for s in triage.steps if s.actionable), True, now=NOW - timedelta(minutes=8))
    triage = engine.note_triage(triage, "rolled back v2.14.1", now=NOW - timedelta(minutes=4))
    engine.close_triage(triage, now=NOW - timedelta(minutes=2))  # closed: not offered for resuming at start
    return engine


async def test_the_screen_draws_silences_and_a_triage_from_the_state_dir_at_80x24(tmp_path):
    engine = engine_with_silence_and_triage(tmp_path)
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *"timeline checkout", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen) and screen.section is not None
        body = screen.query_one("#timeline-lines").content.plain.splitlines()
        silence = next(line for line in body if line.startswith("silence service=checkout"))
        assert silence.rstrip().endswith("═") and "·" in silence  # from 50 minutes ago in 3 hours
        row = next(line for line in body if line.startswith("triage CheckoutHighE"))
        assert "─" in row and "✓" in row and "✎" in row and row.index("✓") < row.index("✎")
        assert all(len(line) <= 77 for line in body)
        assert any("═ silence" in line for line in body)
        origin = screen.query_one("#timeline-origin").content.plain
        assert "as this cockpit recorded them" in origin


def test_nothing_of_http_or_the_pictures_is_imported_before_the_first_paint(tmp_path):
    """The modules the first frame needs (config, facade, app, the alertmanager source) bring
    neither httpx (the runbooks source's import) nor the report's charts or the timeline."""
    import subprocess
    import sys

    code = ("import sys, cockpit.cli, cockpit.engine.facade, cockpit.ui.app, cockpit.sources.alertmanager; "
            "print(' '.join(m for m in ('httpx', 'cockpit.sources.runbooks', 'cockpit.core.charts', "
            "'cockpit.core.timeline') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_the_line_under_the_title_says_where_the_alert_spans_come_from():
    from cockpit.core.timeline import alerts_origin

    assert alerts_origin({"alerts_from": {"upstream": [], "failed": {}, "history": []}}) == (
        "alert spans as this cockpit recorded them (no prometheus-alerts source)")
    assert alerts_origin({"alerts_from": {"upstream": ["prom"], "failed": {}, "history": ["am"]}}) == (
        "alert spans rebuilt from prom's ALERTS history; others as this cockpit recorded them")
    assert alerts_origin({"alerts_from": {"upstream": [], "failed": {"prom": "connection refused\x1b[2J"},
                                          "history": []}}) == (
        "alert spans none from prom (its ALERTS history did not answer: connection refused)")  # inert


async def test_no_line_wraps_when_the_rows_need_a_scrollbar_at_80x24():
    """More rows than the screen holds: the scrollbar takes its two columns and every line still
    fits on one row (the demo, after an hour, wrapped each line in two)."""
    from cockpit.core.models import Deploy

    states = fixed_states()
    deploys = next(s for s in states if s.name == "argocd")
    deploys.items = list(deploys.items) + [
        Deploy(source="argocd", id=f"x{n}", service="checkout", environment="prod", version=f"v3.{n}",
               status="succeeded", started_at=NOW - timedelta(minutes=5 * n)) for n in range(1, 25)]
    app = make_app(states)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T")
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = app.screen.query_one("#timeline-body")
        lines = app.screen.query_one("#timeline-lines")
        assert body.max_scroll_y > 0  # it scrolls
        assert lines.size.height == len(lines.content.plain.splitlines())  # one row per line
