"""The runbook viewer, and finding the runbook of an alert.

``o`` on an alert opens its runbook: the local file its ``runbook_url`` resolved to (the engine
fills ``alert.runbook.path``), else what the runbooks source's ``open_url`` finds (a local match
or the cached remote page), else the best search hit for the alert's name. ``enter`` on a row
of the Runbooks panel opens that file. Searching the panel runs here too.

Finding, searching and reading go through the engine facade (``locate_runbook``,
``search_runbooks``, ``runbook_file``, ``read_runbook``); everything that touches the disk (the
SQLite index, reading the file) runs in a thread worker; the UI thread only pushes the finished
screen. Runbook text is untrusted: escape sequences and
control characters are stripped (:func:`cockpit.core.textsafe.clean`) before Textual's Markdown
widget sees it, which renders it without executing any markup, and links are never followed:
an in-page anchor scrolls, anything else is only shown in a toast.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Markdown, MarkdownViewer, Static
from textual.worker import get_current_worker

from cockpit.core.models import Alert
from cockpit.core.textsafe import clean, clean_line
from cockpit.engine.facade import MAX_RUNBOOK_BYTES
from cockpit.ui.host import CockpitHost
from cockpit.widgets.runbooks import RunbooksPanel
from cockpit.ui.navigation import SCROLL_BINDINGS

__all__ = [
    "RunbookScreen",
    "SafeMarkdownViewer",
    "open_runbook",
    "open_runbook_file",
    "search_runbooks",
]


class SafeMarkdownViewer(MarkdownViewer):
    """A MarkdownViewer that never follows a link out of the page it shows, and takes the moving
    keys of every screen (j/k, g/G).

    Textual's viewer loads any file a link names (``../../secrets.md``) and its Markdown widget
    hands other links to the browser; here an anchor scrolls and anything else becomes a toast.
    """

    BINDINGS = SCROLL_BINDINGS

    def on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        message.stop()
        message.prevent_default()  # MarkdownViewer's own handler (which loads the file) is not run
        href = clean_line(message.href, 300)
        if href.startswith("#"):
            self.document.goto_anchor(href[1:])
            return
        self.notify(f"Link not followed: {href}", title="Runbook link", markup=False)


class RunbookScreen(Screen[None]):
    """One runbook as Markdown with its table of contents on the left; ``esc`` goes back."""

    DEFAULT_CSS = """
    RunbookScreen #runbook-title {
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
    }
    RunbookScreen #runbook-hint {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Back", id="back"),
        Binding("q", "app.quit", "Quit", show=False, id="quit"),
        Binding("question_mark", "app.help", "Help", show=False, id="help"),
        Binding("i", "toggle_toc", "Runbook: show / hide the contents", show=False, id="runbook-contents"),
    ]

    def __init__(self, title: str, markdown: str, location: str, note: str | None = None) -> None:
        super().__init__()
        self.runbook_title = clean_line(title, 200)
        self.markdown = clean(markdown, max_len=MAX_RUNBOOK_BYTES)
        """The text shown: escape sequences and control characters already removed."""
        self.location = clean_line(location, 300)
        self.note = note

    def compose(self) -> ComposeResult:
        head = Text(self.runbook_title, style="bold")
        head.append(f"  {self.location}", style="dim")
        yield Static(head, id="runbook-title", markup=False)
        yield SafeMarkdownViewer(self.markdown, show_table_of_contents=True, open_links=False,
                                 id="runbook-viewer")
        hint = "esc back · j/k g/G move · i contents · tab switch contents/text"
        yield Static(Text(f"{self.note} · {hint}" if self.note else hint), id="runbook-hint", markup=False)

    @property
    def viewer(self) -> SafeMarkdownViewer:
        return self.query_one(SafeMarkdownViewer)

    def on_mount(self) -> None:
        self.viewer.document.focus()

    def action_toggle_toc(self) -> None:
        self.viewer.show_table_of_contents = not self.viewer.show_table_of_contents

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def _show(app: CockpitHost, path: Path, location: str, note: str | None) -> None:
    """Read and parse in this (worker) thread; push the screen on the UI thread."""
    try:
        doc = app.engine.read_runbook(path)
    except OSError as exc:
        app.call_from_thread(app.notify, f"Cannot read the runbook {location}: {exc.strerror or exc}",
                             severity="error", markup=False)
        return
    if get_current_worker().is_cancelled:
        return
    app.call_from_thread(app.push_screen, RunbookScreen(doc.title or path.stem, doc.body, location, note))


def open_runbook(app: CockpitHost, alert: Alert) -> None:
    """``o`` on an alert: find its runbook in a worker, then show it."""

    def work() -> None:
        found = app.engine.locate_runbook(alert)
        if found is None:
            app.call_from_thread(app.notify, f"No runbook found for {clean_line(alert.name, 80)}",
                                 severity="warning", markup=False)
            return
        note = None
        if found.via == "search":
            note = f"no runbook_url resolved: best match for {clean_line(alert.name, 80)}"
            app.call_from_thread(app.notify, note[0].upper() + note[1:], markup=False)
        _show(app, found.path, found.rel or str(found.path), note)

    app.run_worker(work, thread=True, exclusive=True, group="runbook-open", exit_on_error=False)


def open_runbook_file(app: CockpitHost, root: str, path: str, title: str = "") -> None:
    """``enter`` in the Runbooks panel: open ``path`` under ``root`` (or under any runbooks root
    that has it, when the source gave no root)."""

    def work() -> None:
        full = app.engine.runbook_file(root, path)
        if full is not None:
            _show(app, full, path, None)
            return
        app.call_from_thread(app.notify, f"Runbook file not found: {clean_line(path, 120)}",
                             severity="warning", markup=False)

    app.run_worker(work, thread=True, exclusive=True, group="runbook-open", exit_on_error=False)


def search_runbooks(app: CockpitHost, panel: RunbooksPanel, query: str) -> None:
    """Search every runbooks index for ``query`` in a thread; hand the hits to ``panel``.

    Exclusive: a newer keystroke cancels the older search, and the panel ignores hits for a
    text it no longer shows.
    """
    if not app.engine.has_runbooks():
        return

    def work() -> None:
        hits = app.engine.search_runbooks(query)
        if get_current_worker().is_cancelled:
            return
        app.call_from_thread(panel.show_hits, query, hits)

    panel.run_worker(work, thread=True, exclusive=True, group="runbook-search", exit_on_error=False)
