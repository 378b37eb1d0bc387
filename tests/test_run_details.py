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
    from cockpit.core.models import FailedJob, Pipeline
    from cockpit.ui.screens.detail import render_failed_jobs

    hostile = FailedJob(name="test\x1b[2J\x1b]8;;https://evil.example\x07 [b]x[/b]", step="Run\ntests", step_number=3,
                        reason="timed_out", url="javascript:alert(1)")
    run = Pipeline(source="gh", repo="shop/checkout", name="ci",
                   failed_jobs=[hostile] + [FailedJob(name=f"shard {i}") for i in range(6)])
    text = render_failed_jobs(run)
    lines = text.plain.splitlines()
    assert lines[0] == "Failed: job test [b]x[/b] › step 3. Run tests · timed out"
    assert "\x1b" not in text.plain and "\x07" not in text.plain
    assert not any(span.style and getattr(span.style, "link", None) for span in text.spans)  # no javascript: link
    assert len(lines) == 6 and lines[-1].strip() == "… and 2 more failed jobs"
    assert render_failed_jobs(Pipeline(source="gh", repo="r", name="n")) is None
