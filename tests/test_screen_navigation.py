"""Issue 18, point 5: the same keys move on every screen, and ``?`` shows the current screen's
keys first.

``j``/``k`` did nothing in the triage, detail, help and runbook text; ``g``/``G``/Home nothing
anywhere. (The main panels' g/G are issue 14's.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.ui.navigation import KeyScroll
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.screens.runbook_view import RunbookScreen
from cockpit.ui.screens.triage import TriageScreen
from tests.runbook_fixtures import RunbookEngine, settle, with_alert
from tests.app_fixtures import fixed_states, make_app

SMALL = (80, 14)
LONG = "\n".join(f"line {n} of a long annotation" for n in range(60))


def still(app):
    app.animation_level = "none"  # scroll at once: the positions are read right after the key
    return app


async def check_scrolls(pilot, view) -> None:
    assert view.max_scroll_y > 3, "the test needs text taller than the screen"
    assert view.scroll_y == 0
    bottom = view.max_scroll_y
    for keys, where in ((("j", "j"), 2), (("k",), 1), (("G",), bottom), (("g",), 0),
                        (("end",), bottom), (("home",), 0)):
        await pilot.press(*keys)
        await pilot.pause()
        assert view.scroll_y == where, keys


@pytest.mark.parametrize("panel", ["1", "2"])
async def test_detail_screens_scroll_with_j_k_g_G(tmp_path: Path, panel: str):
    states = with_alert(fixed_states(), annotations={"description": LONG})
    app = still(make_app(RunbookEngine(tmp_path, states)))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(panel, "enter")
        await settle(app, pilot)
        await check_scrolls(pilot, app.screen.query_one(KeyScroll))


async def test_help_scrolls_with_j_k_g_G_and_lists_the_current_screens_keys_first(tmp_path: Path):
    app = still(make_app(RunbookEngine(tmp_path)))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table").content
        keys = [str(c) for c in table.columns[0].cells]
        ids = [str(c) for c in table.columns[2].cells]
        assert keys[0] == "On the triage screen"
        split = keys.index("Everywhere else")
        assert {"triage-tick", "triage-copy", "triage-close", "screen-down", "screen-first"} <= set(ids[:split])
        assert "focus-alerts" in ids[split:] and "triage-tick" not in ids[split:]
        await check_scrolls(pilot, app.screen.query_one(KeyScroll))


async def test_runbook_text_scrolls_with_j_k_g_G(tmp_path: Path):
    long_runbook = "# Checkout high error rate\n\n## Meaning\n\n" + "\n\n".join(
        f"Paragraph {n} of the explanation." for n in range(40))
    app = still(make_app(RunbookEngine(tmp_path, extra_runbooks={"checkout/CheckoutHighErrorRate.md": long_runbook})))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, RunbookScreen)
        await pilot.press("i")  # contents hidden: the text takes the keys
        await check_scrolls(pilot, app.screen.viewer)


async def test_triage_steps_move_with_j_k_g_G_home_end(tmp_path: Path):
    app = still(make_app(RunbookEngine(tmp_path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        table = app.screen.steps_table
        last = table.row_count - 1
        start = table.cursor_row
        await pilot.press("j")
        assert table.cursor_row == start + 1
        await pilot.press("k")
        assert table.cursor_row == start
        await pilot.press("G")
        assert table.cursor_row == last
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == last
        await pilot.press("home")
        assert table.cursor_row == 0
        assert "j/k g/G move" in str(app.screen.query_one("#triage-hint").render())
