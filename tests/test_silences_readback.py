"""Issue 18, point 6: silences that can be read back.

The list showed a 36-character id and cut matchers, with no end time, author or comment; the
detail showed ``silenced_by: <uuid>``; no key on the main screen listed silences; and in the
demo an alert showed silenced while the list said "no active silences". Now ``S`` on the main
screen lists them in full (wrapped), and the alert's detail names its silence.
"""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cockpit.core.models import AlertState, SourceKind, SourceState, SourceStatus
from cockpit.sources.base import SourceContext
from cockpit.sources.demo import CYCLE_S, DemoSource
from cockpit.ui.screens.detail import DetailScreen
from cockpit.ui.screens.silences import SilencesScreen
from tests.app_fixtures import FakeEngine, make_app

COMMENT = "Rolling back checkout v2.14.0; errors expected until the rollback completes"
# 700 s into a demo cycle: the story's silence on HighErrorRate is on, 500 s left
MOMENT = (1_795_000_000 // CYCLE_S) * CYCLE_S + 700


def DemoEngine(tmp: Path) -> FakeEngine:
    """The fake engine on the real demo source at a fixed moment."""
    demo = DemoSource("demo", DemoSource.Options(), SourceContext(cache_dir=tmp), clock=lambda: MOMENT)
    with ThreadPoolExecutor(1) as pool:  # the test itself runs in an event loop
        items = pool.submit(asyncio.run, demo.fetch()).result().items
    now = datetime.fromtimestamp(MOMENT, timezone.utc)
    return FakeEngine([SourceState(name="demo", type="demo", kind=SourceKind.ALERTS, status=SourceStatus.OK,
                                   fetched_at=now, items=items)], sources=[demo], cache_dir=tmp / "cache")


@pytest.fixture
def local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def at_moment() -> datetime:
    return datetime.fromtimestamp(MOMENT, timezone.utc)


async def settle(app, pilot) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def test_S_on_the_main_screen_lists_silences_in_full_at_80_columns(tmp_path: Path, local_zone):
    app = make_app(DemoEngine(tmp_path), clock=at_moment)
    async with app.run_test(size=(80, 24)) as pilot:
        silenced = [a for a in app.main_screen.panel("alerts").items if a.state is AlertState.SILENCED]
        assert [a.name for a in silenced] == ["HighErrorRate"]
        await pilot.press("S")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SilencesScreen)
        table = screen.query_one("#silences-table")
        assert table.row_count == 1
        shown = table.get_row_at(0)[1].plain
        # the alert's silence is the one listed (the demo used to point at an id no list knew)
        assert set(silenced[0].silenced_by) <= {s.id for _src, s in screen.silences}
        assert "by dana.whitfield" in shown
        assert "ends in 8m" in shown
        end = datetime.fromtimestamp(MOMENT - 700 + CYCLE_S, timezone.utc)
        assert f"{end.astimezone():%H:%M} CET ({end:%H:%M}Z)" in shown  # local time and UTC
        body = words(shown)
        assert 'alertname="HighErrorRate", service="checkout"' in body
        assert words(COMMENT) in re.sub(r" comment +| +", " ", body)  # the whole comment, wrapped
        assert all(len(line) <= 80 for line in shown.split("\n"))


async def test_the_alert_detail_names_its_silence(tmp_path: Path):
    app = make_app(DemoEngine(tmp_path), clock=at_moment)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.main_screen.panel("alerts")
        target = next(a for a in panel.items if a.state is AlertState.SILENCED)
        assert panel.select_key(panel.item_key(target))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        named = words(app.screen.query_one("#detail-silenced").render().plain)
        assert named.startswith("Silenced by")
        assert "by dana.whitfield" in named and "Rolling back checkout v2.14.0" in named
        assert "ends in 8m" in named
