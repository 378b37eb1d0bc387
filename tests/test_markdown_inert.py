"""Untrusted text written into Markdown reads as written once rendered: the snapshot, the shift
report, ``handoff list`` and the triage export escape every character that starts markup.

Before, the report escaped only ``| * _``, the snapshot ``|`` (and turned backticks into quotes),
and the command tables ``|``: an alert summary or a handoff note holding ``![x](http://...)``
rendered as an image fetched from that host, ``<img ...>`` as HTML, ``[x](javascript:...)`` as a
link.
"""

from __future__ import annotations

import pytest

from cockpit.core.models import SourceKind, SourceState
from cockpit.core.textsafe import markdown_inert
from cockpit.engine.snapshot import render_markdown
from tests.app_fixtures import NOW, _alert

HOSTILE = "see ![pixel](http://t.invalid/p.png) <img src=x> [runbook](javascript:alert(1)) `rm -rf` **now** # h"
LIVE = ("![pixel](", "<img", "[runbook](", "`rm", "**now**")
"""What would render as markup if it were left as written."""
ESCAPED = r"see !\[pixel\](http://t.invalid/p.png) \<img src=x\> \[runbook\](javascript:alert(1)) \`rm -rf\` \*\*now\*\* \# h"


def assert_inert(markdown: str) -> None:
    assert ESCAPED in markdown, markdown
    for live in LIVE:
        assert live not in markdown.replace(ESCAPED, ""), (live, markdown)


def test_markdown_inert_escapes_what_starts_markup() -> None:
    assert markdown_inert(HOSTILE) == ESCAPED
    assert markdown_inert(r"a\b") == r"a\\b"  # a backslash cannot escape what follows it


def test_the_snapshot_in_markdown_shows_an_alert_summary_as_written() -> None:
    alert = _alert("h1", "HostileSummary", "warning", "firing", "edge", HOSTILE, 5)
    state = SourceState(name="am-prod", type="alertmanager", kind=SourceKind.ALERTS, fetched_at=NOW, items=[alert])
    assert_inert(render_markdown([state], NOW))


@pytest.fixture
def demo(run_cli):
    """``cockpit --demo ARGS`` through the shared ``run_cli`` (this test's own dirs); its output."""

    def run(*args: str) -> str:
        done = run_cli("--demo", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def test_a_handoff_note_in_markdown_reads_as_written(demo) -> None:
    demo("handoff", "write", HOSTILE)
    assert_inert(demo("handoff", "list", "--format", "markdown"))
    assert_inert(demo("report", "--format", "markdown"))


def test_the_timeline_block_is_fenced_past_any_backticks_in_it() -> None:
    """A line of only backticks would close a ``` block early, and what follows would render
    as Markdown: the fence is longer than any run of backticks in the block."""
    from datetime import timedelta

    from cockpit.core.timeline import Mark, timeline_markdown

    mark = Mark(lane="alert", label="```", start=NOW - timedelta(hours=1), end=NOW, glyph="█")
    lines = timeline_markdown([mark], NOW - timedelta(hours=2), NOW).splitlines()
    opening = next(i for i, line in enumerate(lines) if line.startswith("```"))
    fence = lines[opening].removesuffix("text")
    assert len(fence) > 3 and set(fence) == {"`"}
    assert lines[-1] == fence and fence not in lines[opening + 1:-1]
    assert any("```" in line for line in lines[opening + 1:-1])  # the label is in the block, as written


def test_a_note_of_several_lines_keeps_them_in_its_markdown_cell(demo) -> None:
    """A table row is one line: the note's line breaks are written as <br> (they were spaces)."""
    demo("handoff", "write", "DB failover pending\nwatch <disk> on db-2")
    row = next(line for line in demo("handoff", "list", "--format", "markdown").splitlines() if "failover" in line)
    assert "| DB failover pending<br>watch \\<disk\\> on db-2 |" in row, row
