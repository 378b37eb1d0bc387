"""The first-paint baseline: the smallest Textual app that shows the same alert names in a table.

``python bench/baseline_app.py NAMES_FILE`` reads one alert name per line and shows them in one
DataTable, nothing else: no config, no cache, no engine. The cockpit's first paint is measured
against this, so the ratio is what the cockpit adds on top of Textual itself.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable

__all__ = ["BaselineApp"]


class BaselineApp(App[None]):
    """One DataTable of alert names."""

    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("alert", "severity", "state")
        for name in self.names:
            table.add_row(name, "warning", "firing")


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        names = [line.strip() for line in handle if line.strip()]
    BaselineApp(names).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
