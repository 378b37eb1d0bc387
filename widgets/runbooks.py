"""The Runbooks panel: every runbook by title, and full-text search as you type.

With an empty filter the panel lists the :class:`~cockpit.core.models.RunbookDoc` items its sources
report. Typing in the filter (``/``) turns it into a search box: the panel posts
:class:`RunbooksPanel.QueryChanged` and the app runs the search off the UI thread (the index
is SQLite), handing the ranked hits back through :meth:`RunbooksPanel.show_hits`. Until the
first hits of a search arrive, the titles are filtered by substring so the panel never looks
frozen. Each hit shows the snippet around the match with the matched words highlighted.

``enter`` on a row posts :class:`RunbooksPanel.OpenRequested` (the app opens the viewer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Union

from rich.style import Style
from rich.text import Text
from textual.message import Message

from cockpit.core.models import RunbookDoc, SourceKind
from cockpit.core.runbooks import Hit
from cockpit.core.textsafe import clean_line
from cockpit.widgets.panel import ColumnSpec, Panel, plain

__all__ = ["RunbooksPanel", "snippet_text"]

Row = Union[RunbookDoc, Hit]
_LIST_COLUMNS = (ColumnSpec("title", "Title", 0, min_width=12, max_width=50),
                 ColumnSpec("path", "Path", 3, min_width=10))
_SEARCH_COLUMNS = (ColumnSpec("title", "Title", 0, min_width=12, max_width=40),
                   ColumnSpec("path", "Match", 3, min_width=12, keep_match=True))


def snippet_text(hit: Hit, highlight: Style | str = "bold reverse", max_len: int = 300) -> Text:
    """A hit's snippet as inert Text with its matched words styled.

    The index stores snippets already cleaned; should one still differ from its cleaned form,
    the cleaned text is shown without highlights (offsets into other text would be wrong).
    """
    snippet = hit.snippet
    safe = clean_line(snippet, max_len=max_len)
    if safe != snippet:
        return Text(safe)
    text = Text(snippet)
    for start, end in hit.highlights:
        if 0 <= start < end <= len(snippet):
            text.stylize(highlight, start, end)
    return text


class RunbooksPanel(Panel[Row]):
    """Runbook titles; with a filter, the ranked search hits of the app's runbook index."""

    KIND = SourceKind.RUNBOOKS
    ITEM_TYPE = "runbook"
    TITLE = "Runbooks"
    COLUMNS = _LIST_COLUMNS

    class QueryChanged(Message):
        """The search text changed; the app should search and call :meth:`show_hits`."""

        def __init__(self, panel: RunbooksPanel, query: str) -> None:
            super().__init__()
            self.panel = panel
            """The panel to give the hits to."""
            self.query = query
            """The text typed, as typed (never empty)."""

    class OpenRequested(Message):
        """The user asked to read a runbook (``enter`` on a row)."""

        def __init__(self, panel: RunbooksPanel, root: str, path: str, title: str) -> None:
            super().__init__()
            self.panel = panel
            self.root = root
            """The runbooks folder (may be empty when the source did not say)."""
            self.path = path
            """Relative to ``root``."""
            self.title = title

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._docs: list[RunbookDoc] = []
        self._hits: list[Hit] | None = None
        self._searching = False

    # ----- what the app calls ---------------------------------------------------------
    def show_hits(self, query: str, hits: list[Hit]) -> bool:
        """Show ranked hits for ``query``; ignored (False) when the text has changed since."""
        if not self.filter_text or query != self.filter_text:
            return False
        self._hits = list(hits)
        self._refresh_items()
        return True

    # ----- panel hooks ----------------------------------------------------------------
    def item_key(self, item: Row) -> str:
        if isinstance(item, Hit):
            return f"hit/{item.root}/{item.path}"
        return f"{item.source}/{item.root}/{item.path}"

    def sort_items(self, items: list[Row]) -> list[Row]:
        self._docs = sorted((i for i in items if isinstance(i, RunbookDoc)),
                            key=lambda r: (r.title.casefold(), r.path))
        return self._current_items()

    def matches_filter(self, item: Row, cells: list[Text], text: str) -> bool:
        if isinstance(item, Hit):
            return True  # the index already chose it
        return super().matches_filter(item, cells, text)

    def row_cells(self, item: Row, now: datetime) -> list[Text]:
        if isinstance(item, Hit):
            title = plain(item.title, 80, "bold")
            highlight = self.cell_style("accent") + Style(bold=True, reverse=True)
            return [title, snippet_text(item, highlight)]
        return [plain(item.title, 120, "bold"), plain(item.path, 120, self.cell_style("muted"))]

    def header_text(self) -> Text:
        """While searching: ``5 Runbooks 2/40 · ... · search: text`` (hits of all runbooks)."""
        if not self.filter_text:
            return super().header_text()
        shown_items, self._items = self._items, list(self._docs)
        try:
            text = super().header_text()
        finally:
            self._items = shown_items
        if self._hits is not None and " · filter: " in text.plain:  # same length: spans still fit
            relabelled = Text(text.plain.replace(" · filter: ", " · search: "), style=text.style)
            relabelled.spans = list(text.spans)
            return relabelled
        return text

    def request_details(self) -> None:
        item = self.selected_item
        if item is not None:
            self.post_message(self.OpenRequested(self, item.root, item.path, item.title))

    def watch_filter_text(self) -> None:
        query = self.filter_text
        if not query:
            self._hits = None
        else:
            self.post_message(self.QueryChanged(self, query))
        self._refresh_items()

    # ----- internals ------------------------------------------------------------------
    def _current_items(self) -> list[Row]:
        if self.filter_text and self._hits is not None:
            return list(self._hits)
        return list(self._docs)

    def _refresh_items(self) -> None:
        self._items = self._current_items()
        self._set_columns(self.filter_text != "" and self._hits is not None)
        self._render_all()

    def columns(self):
        return _SEARCH_COLUMNS if self._searching else _LIST_COLUMNS

    def _set_columns(self, searching: bool) -> None:
        """Relabel the second column (Path / Match) when the mode changes; widths start over."""
        if searching == self._searching or not self.is_mounted:
            return
        self._searching = searching
        self._layout = None
        self.table.set_layout(self.columns(), {},
                              {s.key: self.column_label(s) for s in self.columns()})
        self._shown, self._drawn, self._cache = [], {}, {}
