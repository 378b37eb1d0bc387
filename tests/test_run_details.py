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
