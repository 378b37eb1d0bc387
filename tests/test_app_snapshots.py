"""SVG snapshots of the TUI with fixed data and a fixed clock (deterministic).

Update the baselines after an intended change with ``pytest tests/test_app_snapshots.py
--snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.app_fixtures import make_app


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    """The theme must not depend on the environment the tests run in."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)


def test_main_80x24(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_main_160x48(snap_compare):
    assert snap_compare(make_app(), terminal_size=(160, 48))


def test_main_200x60_light(snap_compare):
    assert snap_compare(make_app(theme="light"), terminal_size=(200, 60))


def test_mono_80x24(snap_compare):
    assert snap_compare(make_app(theme="mono"), terminal_size=(80, 24))


def test_low_bandwidth_ansi_80x24(snap_compare):
    assert snap_compare(make_app(low_bandwidth=True), terminal_size=(80, 24))


def test_filtered_and_maximised_80x24(snap_compare):
    assert snap_compare(
        make_app(), terminal_size=(80, 24), press=["2", "z", "slash", *"avail", "enter"]
    )


def test_detail_of_an_alert_80x24(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["j", "enter"])


def test_help_with_remapped_keys_80x24(snap_compare):
    app = make_app(keys={"help": "f1", "silence": "S"})
    assert snap_compare(app, terminal_size=(80, 24), press=["f1"])
