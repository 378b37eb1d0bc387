"""While the filter is typed, the Alerts table keeps its row count (blank padding rows) so a
keystroke never relays out the screen; the padding is never selectable and goes on close."""

from __future__ import annotations

from tests.app_fixtures import make_app
from tests.test_alerts_panel import SIZE, panel_of, sample, source


async def test_padding_rows_hold_the_row_count_and_go_when_the_filter_closes():
    app = make_app([source(sample())])
    async with app.run_test(size=SIZE) as pilot:
        panel = panel_of(app)
        rows_before = panel.table.row_count
        await pilot.press("slash", *"web-1")
        # one alert matches, yet the table keeps its rows: the rest are blank padding
        assert [a.fingerprint for a in panel.visible_items] == ["c1"]
        assert panel.table.row_count == rows_before
        await pilot.press("enter")  # Enter keeps the filter and closes the input
        await pilot.pause()
        assert panel.table.row_count < rows_before, "the padding goes when the input closes"
        assert [a.fingerprint for a in panel.visible_items] == ["c1"]
        await pilot.press("j", "j", "j", "k")  # the cursor only ever stops on the match
        assert panel.selected_item is not None and panel.selected_item.fingerprint == "c1"


async def test_the_panel_is_filtered_by_the_time_the_key_press_returns():
    app = make_app([source(sample())])
    async with app.run_test(size=SIZE) as pilot:
        panel = panel_of(app)
        await pilot.press("slash", "d", "b", "-", "2")
        assert [a.fingerprint for a in panel.visible_items] == ["w2"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(panel.visible_items) == len(sample()) and panel.table.row_count >= len(sample())
