"""The Pipelines panel's ``Failed at`` column (issue 18 point 10, follow-up), through Pilot: a failed
run names the job and step its upstream says it failed at, in the column given up first when
the panel is narrow; the text is inert, cut with an ellipsis, the count of failed jobs never cut;
widths stay put as failed jobs arrive and runs leave."""

from __future__ import annotations

import pytest

from cockpit.core.models import FailedJob, SourceKind, SourceState, SourceStatus
from tests.app_fixtures import FakeEngine, ago, fixed_states, make_app
from tests.test_deploys_pipelines_panels import pipeline
from tests.test_new_rows import layout

LONG = "integration (ubuntu-latest, postgres-16, redis-7, shard 3 of 12, with coverage)"


def runs(with_jobs: bool = True, gone: bool = False) -> SourceState:
    """One repo: a failed run with one failed job, one with three, a running run."""
    jobs = with_jobs
    items = [
        pipeline("p1", "shop/checkout", "failed", 20,
                 failed_jobs=[FailedJob(name="test\x1b[2J\x1b]0;pwned\x07[b]x[/b]", step="Run tests",
                                        step_number=4)] if jobs else []),
        pipeline("p2", "shop/checkout", "running", 5),
    ]
    if not gone:
        items.append(pipeline("p3", "shop/checkout", "failed", 40, name="nightly",
                              failed_jobs=[FailedJob(name=LONG, step="pytest"), FailedJob(name="lint"),
                                           FailedJob(name="e2e")] if jobs else []))
    return SourceState(name="github", type="github", kind=SourceKind.PIPELINES, status=SourceStatus.OK,
                       fetched_at=ago(seconds=5), items=items)


def column(panel, key: str) -> list[str]:
    """The cells of one visible column as drawn (cut to the column), top to bottom."""
    keys = [c.key.value for c in panel.table.columns.values()]
    index = keys.index(key)
    return [panel.table.get_row_at(row)[index].plain for row in range(panel.table.row_count)]


async def test_a_failed_run_names_its_failed_job_and_step_where_there_is_room():
    app = make_app(FakeEngine([runs()]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4", "z")  # the panel maximised: room for every column
        await pilot.pause()
        panel = app.main_screen.panel("pipelines")
        assert "Failed at" in [c.label.plain for c in panel.table.columns.values()]
        cells = column(panel, "failed")
        names = [n.strip() for n in column(panel, "name")]
        assert names == ["▾ shop/checkout", "ci", "nightly", "ci"]  # failures first, then the running run
        group, failed, nightly, running = cells
        assert failed == "test[b]x[/b] › Run tests"  # inert: no escape, no markup
        assert group == "" and running == ""
        width = panel.table.widths["failed"]
        assert nightly.startswith("3 jobs: integration") and nightly.endswith("…") and len(nightly) == width
        assert "\x1b" not in "".join(cells) and "\x07" not in "".join(cells)

@pytest.mark.parametrize("size,maximised", [((80, 24), False), ((120, 40), False), ((200, 60), False),
                                            ((80, 24), True)])
async def test_the_failed_at_column_is_the_first_given_up(size, maximised):
    others = [s for s in fixed_states() if s.kind != SourceKind.PIPELINES]  # every panel on screen
    app = make_app(FakeEngine([*others, runs()]))
    async with app.run_test(size=size) as pilot:
        await pilot.press("4", *(["z"] if maximised else []))
        await pilot.pause()
        panel = app.main_screen.panel("pipelines")
        shown = [c.key.value for c in panel.table.columns.values()]
        assert {"name", "status", "new", "age"} <= set(shown)
        if "failed" in shown:  # only once every other column has its place
            assert shown == [spec.key for spec in panel.COLUMNS]
        else:
            assert len(shown) < len(panel.COLUMNS)


async def test_failed_jobs_arriving_or_runs_leaving_move_no_column():
    engine = FakeEngine([runs(with_jobs=False)])  # the lookup answers a poll later
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4", "z")
        await pilot.pause()
        panel = app.main_screen.panel("pipelines")
        before = layout(panel)
        assert [key for key, _, _ in before][-1] == "failed"
        app.apply_states([runs()])
        await pilot.pause()
        after = layout(panel)
        assert after[:-1] == before[:-1]  # every other column where it was
        assert after[-1][1] == before[-1][1] and after[-1][2] >= before[-1][2]
        app.apply_states([runs(gone=True)])  # the run with the long failed job leaves
        await pilot.pause()
        assert layout(panel) == after  # nothing narrows while the width stays
