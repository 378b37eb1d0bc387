"""The timeline: one axis for alerts, deploys and failures (glyphs, not colour alone), as a
screen (``T``, ``:timeline SERVICE``, ``[``/``]``) and as text."""

from __future__ import annotations

from datetime import timedelta

from cockpit.core.timeline import LEGEND, marks_from_events, marks_from_items, render_timeline, timeline_markdown
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
    assert any(line.startswith(LEGEND[:20]) for line in lines)


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


def test_history_events_become_spans_from_first_sighting_to_resolution():
    def ev(minutes, state, kind="alert", **extra):
        return {"at": NOW - timedelta(minutes=minutes), "source": "am", "kind": kind, "key": extra.pop("key", "k1"),
                "name": extra.pop("name", "DiskFull"), "severity": "critical", "service": "db", "state": state,
                "data": {}, **extra}

    events = [ev(50, "pending"), ev(45, "firing"), ev(30, "resolved"), ev(20, "firing", key="k2", name="Again"),
              ev(40, "succeeded", kind="deploy", name="v2", key="d1")]
    events.sort(key=lambda e: e["at"])
    marks = marks_from_events(events, NOW)
    alerts = [(m.label, m.glyph, m.end) for m in marks if m.lane == "alert"]
    assert ("DiskFull", "░", NOW - timedelta(minutes=45)) in alerts  # pending until it fired
    assert ("DiskFull", "█", NOW - timedelta(minutes=30)) in alerts  # firing until resolved
    assert ("Again", "█", NOW) in alerts  # still open: up to the end of the window
    assert [m.glyph for m in marks if m.lane == "deploy"] == ["◆"]


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
