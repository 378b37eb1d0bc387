"""Issue 18, point 10 (in part): deploy and pipeline details read as sentences, not raw dumps:
``duration_s: 360`` reads ``duration: 6 minutes``, and the link is shown with a copy key."""

from __future__ import annotations

from cockpit.ui.screens.detail import DetailScreen, duration_words
from tests.app_fixtures import make_app


def test_durations_in_words():
    assert duration_words(360) == "6 minutes"
    assert duration_words(312) == "5 minutes 12 seconds"
    assert duration_words(3900) == "1 hour 5 minutes"
    assert duration_words(1) == "1 second"


async def test_pipeline_detail_says_the_duration_in_words_and_c_copies_its_link():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        panel = app.main_screen.panel("pipelines")
        target = next(p for p in panel.items if p.id == "p1")
        assert panel.select_key(panel.item_key(target))
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        fields = screen.query_one("#detail-fields").content.plain
        assert "duration: 5 minutes 12 seconds" in fields and "duration_s" not in fields
        assert "c copy" in str(screen.query_one("#detail-title").render())
        assert "https://github.com/shop/checkout/actions/runs/1" in screen.query_one("#detail-link").content.plain
        await pilot.press("c")
        assert app.clipboard == "https://github.com/shop/checkout/actions/runs/1"


def test_failed_jobs_read_as_one_inert_line_each_and_many_are_counted():
    from cockpit.core.failed_jobs import failed_jobs_block
    from cockpit.core.models import FailedJob, Pipeline

    hostile = FailedJob(name="test\x1b[2J\x1b]8;;https://evil.example\x07 [b]x[/b]", step="Run\ntests", step_number=3,
                        reason="timed_out", url="javascript:alert(1)")
    run = Pipeline(source="gh", repo="shop/checkout", name="ci",
                   failed_jobs=[hostile] + [FailedJob(name=f"shard {i}") for i in range(6)])
    text = failed_jobs_block(run.failed_jobs)
    lines = text.plain.splitlines()
    assert lines[0] == "Failed: job test [b]x[/b] › step 3. Run tests · timed out"
    assert "\x1b" not in text.plain and "\x07" not in text.plain
    assert not any(span.style and getattr(span.style, "link", None) for span in text.spans)  # no javascript: link
    assert len(lines) == 6 and lines[-1].strip() == "… and 2 more failed jobs"
    assert failed_jobs_block(Pipeline(source="gh", repo="r", name="n").failed_jobs) is None


async def test_alert_detail_says_where_each_failed_change_failed_in_one_line():
    """Issue 18 points 9 and 10: the "what changed" list gives a failed pipeline or deploy one line
    under it naming its failed job and step, as the pipeline's own detail says it."""
    from datetime import timedelta

    from cockpit.core.models import Deploy, FailedJob, SourceKind
    from tests.test_detail import START, alert, pipeline, state

    tests_job = FailedJob(name="test\x1b[2J", step="Run tests", step_number=4, reason="timed_out",
                          url="https://ci.example.org/jobs/4")
    failed_ci = pipeline("p-in", "shop/checkout", 30, failed_jobs=[tests_job, FailedJob(name="lint")])
    quiet = pipeline("p-quiet", "shop/checkout", 50)  # failed, its upstream named no job
    rollback = Deploy(source="gl", id="d-after", service="checkout", version="v-after", status="failed",
                      started_at=START + timedelta(minutes=3),
                      failed_jobs=[FailedJob(name="migrate", stage="deploy", reason="script_failure")])
    app = make_app([state("am-prod", SourceKind.ALERTS, [alert()]),
                    state("gl", SourceKind.DEPLOYS, [rollback]),
                    state("ci", SourceKind.PIPELINES, [failed_ci, quiet])])
    async with app.run_test(size=(120, 48)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        lines = app.screen.query_one("#detail-related").content.plain.splitlines()
        at = next(i for i, line in enumerate(lines) if "ci-p-in" in line)
        assert lines[at + 1] == ("           Failed: job test › step 4. Run tests · timed out"
                                 " (and 1 more failed job)")
        quiet_at = next(i for i, line in enumerate(lines) if "ci-p-quiet" in line)
        assert "Failed" not in lines[quiet_at + 1]  # nothing said where nothing is known
        deploy_at = next(i for i, line in enumerate(lines) if "v-after" in line)
        assert lines[deploy_at - 1].startswith("Since it started")
        assert lines[deploy_at + 1].strip() == "Failed: job migrate (stage deploy) · script failure"
        # the same words as the pipeline's own detail
        await pilot.press("escape", "4", "j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.item.id == "p-in"
        block = app.screen.query_one("#detail-failed").content.plain.splitlines()
        assert lines[at + 1].strip().startswith(block[0])
