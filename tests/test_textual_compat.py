"""What cockpit.widgets.textual_compat relies on in Textual: a Textual upgrade that changes it fails here.

Each test names the behaviour a user would lose: a whole-table repaint for each ticking age on a
slow link, a stale hover highlight, no desktop notification or clipboard copy from the terminal.
"""

from __future__ import annotations

import sys
import time
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from cockpit.core.models import SourceKind, SourceState, utcnow
from cockpit.core.osc import osc52_copy
from cockpit.engine.cache import CacheStore
from cockpit.widgets.textual_compat import CellTable, park_hover_cursor
from tests.fault_server import FaultServer
from tests.terminal import PtyApp, wait_for

ROWS = 30


class Recorder(DataTable):
    """Records the repaints that reach Textual: None for the whole table, else the regions."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.repaints: list[object] = []

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if self.is_mounted:
            self.repaints.append(regions or None)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class SpyTable(CellTable, Recorder):
    """CellTable above the recorder: what CellTable holds back is not recorded."""


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        table = SpyTable(cursor_type="row", id="table")
        table.add_column(Text("name"), key="name")
        table.add_column(Text("age"), width=6, key="age")
        for index in range(ROWS):
            table.add_row(Text(f"row-{index}"), Text(f"{index}m"), key=f"r{index}")
        yield table


@asynccontextmanager
async def mounted(width: int = 40):
    """The table on screen, settled, with its repaints recorded from here on."""
    app = TableApp()
    async with app.run_test(size=(width, 12)) as pilot:
        table = app.query_one(SpyTable)
        await pilot.pause()
        table.repaints.clear()
        yield table, pilot


def shown(table: DataTable, row: int) -> str:
    """The text drawn on screen for a data row (the header is line 0)."""
    return "".join(segment.text for segment in table.render_line(row + 1))


async def test_set_cell_repaints_that_cell_only_and_shows_the_new_value():
    async with mounted() as (table, pilot):
        table.set_cell("r2", "age", Text("9m"))
        assert table.get_cell("r2", "age").plain == "9m"
        assert table.repaints and None not in table.repaints, "update_cell's whole-table repaint leaked through"
        (region,) = table.repaints[0]
        assert region.height == 1 and region.y == 3  # header + rows 0..2
        await pilot.pause()
        assert "9m" in shown(table, 2)


async def test_set_cell_widening_a_column_repaints_the_table():
    async with mounted(60) as (table, pilot):
        table.set_cell("r1", "name", Text("a much longer name than before"))
        await pilot.pause()
        assert None in table.repaints
        assert "a much longer name than before" in shown(table, 1)


async def test_put_cells_writes_a_large_batch_with_one_repaint():
    async with mounted() as (table, pilot):
        table.put_cells([(f"r{i}", "age", Text(f"{i}h")) for i in range(ROWS)])
        assert table.repaints == [None]
        assert [table.get_cell(f"r{i}", "age").plain for i in range(ROWS)] == [f"{i}h" for i in range(ROWS)]
        await pilot.pause()
        assert "4h" in shown(table, 4)


async def test_keyboard_move_hides_the_hover_highlight():
    async with mounted() as (table, pilot):
        table.focus()
        await pilot.hover(SpyTable, offset=(2, 5))  # row 4 under the mouse
        await pilot.pause()
        hover = table.get_component_rich_style("datatable--hover").bgcolor
        assert hover is not None

        def hovered(row: int) -> bool:
            return any(s.style and s.style.bgcolor == hover for s in table.render_line(row + 1) if s.text.strip())

        assert hovered(4), "the mouse hover is not drawn: this test no longer checks anything"
        table.move_cursor(row=7, animate=False)
        park_hover_cursor(table)
        await pilot.pause()
        assert not hovered(4)
        assert table.cursor_row == 7


@pytest.mark.e2e
def test_new_critical_alert_reaches_the_terminal_as_osc9_and_copy_as_osc52(tmp_path: Path) -> None:
    """In a real pty: the app's driver writes the OSC 9 notification, and Textual's
    copy_to_clipboard writes OSC 52 (the detail screen's ``c``)."""
    cache, config = tmp_path / "cache", tmp_path / "config.toml"
    url = "https://runbooks.example.org/CheckoutDown.md"
    alert = {"fingerprint": "c1", "labels": {"alertname": "CheckoutDown", "severity": "critical"},
             "annotations": {"summary": "checkout is down", "runbook_url": url},
             "startsAt": "2026-11-27T09:00:00Z", "endsAt": "2099-01-01T00:00:00Z",
             "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
             "receivers": [{"name": "x"}], "updatedAt": "2026-11-27T09:00:00Z", "generatorURL": ""}
    with FaultServer() as server:
        server.ok_body = [alert]
        config.write_text(f'[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "{server.url}"\ninterval = "1h"\n')
        store = CacheStore(cache)  # the baseline: the source was seen before, with nothing firing
        store.save(SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, interval_s=3600,
                               fetched_at=utcnow() - timedelta(hours=3), items=[]))
        store.close()
        app = PtyApp(["--config", str(config)], env={"COCKPIT_CACHE_DIR": str(cache)})
        try:
            assert app.wait_text("CheckoutDown", 30), app.text()
            assert wait_for(lambda: app.pump(0.2) or b"\x1b]9;" in app.raw, 10), "no OSC 9 notification"
            notice = bytes(app.raw).split(b"\x1b]9;", 1)[1].split(b"\x07", 1)[0]
            assert b"CheckoutDown" in notice
            app.send(b"\r")  # the detail of the selected alert
            assert app.wait_text("copy", 10), app.text()
            app.send(b"c")
            assert wait_for(lambda: app.pump(0.2) or osc52_copy(url).encode() in app.raw, 10), "no OSC 52 copy"
        finally:
            app.close()



# ----- a resize leaves no repaint behind (seen at the terminal, in a pty) ----------------------
GROWING_TABLE_APP = """
import sys
from rich.text import Text
from textual.app import App
from textual.containers import Vertical
from textual.widgets import Static
from cockpit.widgets.textual_compat import CellTable

class Plain(CellTable):
    def on_resize(self, event):
        event.prevent_default()  # Textual's own: without CellTable.on_resize (its height alone changes)

class Growing(App):
    CSS = "Vertical { height: auto; } CellTable { height: auto; }"

    def compose(self):
        table = (Plain if sys.argv[1] == "plain" else CellTable)(cursor_type="row")
        table.add_column(Text("Age"), width=4, key="age")
        table.add_column(Text("Name"), key="name")
        table.add_row(Text("1m"), Text("first row"), key="r0")
        with Vertical():  # a panel: grows with its table, as the cockpit's do
            yield Static("Alerts")
            yield table

    def on_key(self, event):
        table = self.query_one(CellTable)
        if event.key == "a":  # more rows: the table grows, and a layout paints it whole
            for i in range(1, 5):
                table.add_row(Text("1m"), Text(f"row {i}"), key=f"r{i}")
        elif event.key == "t":  # the clock: every age cell changes
            for i in range(5):
                table.set_cell(f"r{i}", "age", Text("2m"))

Growing().run()
"""


def grow_then_tick(kind: str) -> tuple[int, dict[int, str]]:
    """Run the growing table in a pty: grow it, then tick its ages. The bytes the growth wrote,
    and what the tick wrote (screen row -> text)."""
    from bench.pty_term import PtyTerm, drawn_rows

    with PtyTerm([sys.executable, "-c", GROWING_TABLE_APP, kind], cwd=str(Path(__file__).parent.parent)) as term:
        assert term.wait_for(lambda text: "first row" in text, 30) is not None, term.summary()
        assert term.wait_quiet(0.5, 10)
        mark = time.monotonic()
        term.send("a")
        assert term.wait_for(lambda text: "row 4" in text, 10) is not None, term.summary()
        assert term.wait_quiet(0.5, 10)
        grown = time.monotonic()
        term.send("t")
        assert term.wait_for(lambda text: text.count("2m") == 5, 10) is not None, term.summary()
        assert term.wait_quiet(0.5, 10)
        return term.bytes_between(mark, grown), drawn_rows(term.data_between(grown, time.monotonic()))


@pytest.mark.e2e
def test_after_the_table_grew_an_age_tick_writes_only_the_age_cells():
    _grew, written = grow_then_tick("celltable")
    assert sorted(written) == [3, 4, 5, 6, 7], written  # the five data rows (1: the header, 2: the columns)
    assert all(text.strip() == "2m" for text in written.values()), written


@pytest.mark.e2e
def test_the_repaint_after_a_resize_costs_no_byte_when_the_table_grows():
    """CellTable's whole repaint on a resize is drawn in the frame where Textual repaints the
    grown panel anyway: growing writes what it writes without it."""
    ours, _ = grow_then_tick("celltable")
    textual, _ = grow_then_tick("plain")
    assert ours == textual


@pytest.mark.e2e
def test_textual_still_repaints_the_old_area_of_a_grown_table_on_its_next_update():
    """What CellTable.on_resize corrects; when this fails, Textual no longer does it and the
    handler can go."""
    _grew, written = grow_then_tick("plain")
    assert 2 in written and "Age" in written[2], written  # the column header, not asked for
    assert "first row" in written.get(3, ""), written  # and the first row whole
