"""SVG snapshots at 80x24, 120x40 and 200x60: the demo data, an Alertmanager-only config, the
timeline and the report screens (issue 14). Update with ``--snapshot-update`` after an intended
change and look at the SVGs before committing them."""

from __future__ import annotations

import time

import pytest

from cockpit.core.models import SourceKind
from tests.app_fixtures import FakeEngine, fixed_states, make_app
from tests.test_report_screen import record_shift
from tests.test_timeline import engine_with_silence_and_triage

SIZES = [(80, 24), (120, 40), (200, 60)]


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    """Neither the theme nor the report's clock may depend on the environment."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_demo(snap_compare, size):
    assert snap_compare(make_app(fixed_states()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_alertmanager_only(snap_compare, size):
    states = [s for s in fixed_states() if s.kind == SourceKind.ALERTS]
    assert snap_compare(make_app(states), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline(snap_compare, size, tmp_path):
    """Every lane: alerts, deploys, a pipeline failure, a silence and a triage (the state dir's)."""
    app = make_app(engine_with_silence_and_triage(tmp_path))

    async def read(pilot) -> None:
        await pilot.press("T")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=read)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_report(snap_compare, size, tmp_path):
    history = record_shift(tmp_path)
    app = make_app(FakeEngine(cache_dir=tmp_path))

    async def computed(pilot) -> None:
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=size, run_before=computed)
    finally:
        history.close()
