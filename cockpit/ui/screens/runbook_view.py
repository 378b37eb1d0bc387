"""The runbook viewer, and finding the runbook of an alert.

``o`` on an alert opens its runbook: the local file its ``runbook_url`` resolved to (the engine
fills ``alert.runbook.path``), else what the runbooks source's ``open_url`` finds (a local match
or the cached remote page), else the best search hit for the alert's name. ``enter`` on a row
of the Runbooks panel opens that file. Searching the panel runs here too.

Everything that touches the disk (the SQLite index, reading the file) runs in a thread worker;
the UI thread only pushes the finished screen. Runbook text is untrusted: escape sequences and
control characters are stripped (:func:`cockpit.core.textsafe.clean`) before Textual's Markdown
widget sees it, which renders it without executing any markup, and links are never followed:
an in-page anchor scrolls, anything else is only shown in a toast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Markdown, MarkdownViewer, Static
from textual.worker import get_current_worker

from cockpit.core.models import Alert
from cockpit.engine.runbooks.doc import MAX_RUNBOOK_BYTES, load_runbook
from cockpit.core.runbooks import Hit
from cockpit.core.textsafe import clean, clean_line
from cockpit.ui.navigation import SCROLL_BINDINGS

__all__ = [
    "Located",
    "RunbookScreen",
    "SafeMarkdownViewer",
    "locate_runbook",
    "open_runbook",
    "open_runbook_file",
    "runbook_sources",
    "search_runbooks",
]

SEARCH_LIMIT = 30


@dataclass(frozen=True)
class Located:
    """A runbook file found for an alert, and how."""

    path: Path
    root: str | None
    rel: str | None
    """Relative to ``root`` (None for a cached remote page)."""
    via: str
    """``runbook_url``, or ``search`` when it is only the best hit for the alert name."""


def runbook_sources(app: Any) -> list[Any]:
    """The engine's runbooks sources (those with an ``index``); none for an engine without."""
    from cockpit.sources.runbooks import RunbooksSource

    found = []
    for source in getattr(app.engine, "sources", None) or []:
        if isinstance(source, RunbooksSource) or getattr(source, "type_name", "") == "runbooks":
            if hasattr(source, "index"):
                found.append(source)
    return found


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when it is a file inside ``root`` (a crafted path cannot climb out)."""
    try:
        base = root.resolve()
        path = (base / rel).resolve()
    except (OSError, RuntimeError):
        return None
    return path if path.is_relative_to(base) and path.is_file() else None


def locate_runbook(app: Any, alert: Alert) -> Located | None:
    """The runbook to open for ``alert`` (blocking: call from a worker thread)."""
    sources = runbook_sources(app)
    ref = alert.runbook
    if ref is not None and ref.path:
        for source in sources:
            for root in source.index.roots:
                path = _inside(Path(root), ref.path)
                if path is not None:
                    return Located(path, str(root), ref.path, "runbook_url")
    url = (ref.url if ref else None) or alert.annotations.get("runbook_url")
    if url:
        for source in sources:
            try:
                timeout = float(getattr(source.options, "timeout", 10.0)) + 5.0
                path = app.engine.submit(source.open_url(url)).result(timeout=timeout)
            except Exception:  # engine not running, fetch failed: try the next way
                continue
            if path is not None:
                entry = source.index.resolve(url)
                if entry is not None:
                    return Located(Path(path), entry.root, entry.path, "runbook_url")
                return Located(Path(path), None, None, "runbook_url")
    best: Hit | None = None
    for source in sources:
        hit = source.index.best_for_alert(alert.name)
        if hit is not None and (best is None or hit.score > best.score):
            best = hit
    if best is not None:
        return Located(best.full_path, best.root, best.path, "search")
    return None


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
        Binding("i", "toggle_toc", "Contents", show=False, id="runbook-contents"),
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


def _show(app: Any, path: Path, location: str, note: str | None) -> None:
    """Read and parse in this (worker) thread; push the screen on the UI thread."""
    try:
        doc = load_runbook(path)
    except OSError as exc:
        app.call_from_thread(app.notify, f"Cannot read the runbook {location}: {exc.strerror or exc}",
                             severity="error", markup=False)
        return
    if get_current_worker().is_cancelled:
        return
    app.call_from_thread(app.push_screen, RunbookScreen(doc.title or path.stem, doc.body, location, note))


def open_runbook(app: Any, alert: Alert) -> None:
    """``o`` on an alert: find its runbook in a worker, then show it."""

    def work() -> None:
        found = locate_runbook(app, alert)
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


def open_runbook_file(app: Any, root: str, path: str, title: str = "") -> None:
    """``enter`` in the Runbooks panel: open ``path`` under ``root`` (or under any runbooks root
    that has it, when the source gave no root)."""

    def work() -> None:
        roots = [Path(root)] if root else [Path(r) for s in runbook_sources(app) for r in s.index.roots]
        for base in roots:
            full = _inside(base, path)
            if full is not None:
                _show(app, full, path, None)
                return
        app.call_from_thread(app.notify, f"Runbook file not found: {clean_line(path, 120)}",
                             severity="warning", markup=False)

    app.run_worker(work, thread=True, exclusive=True, group="runbook-open", exit_on_error=False)


def search_runbooks(app: Any, panel: Any, query: str) -> None:
    """Search every runbooks index for ``query`` in a thread; hand the hits to ``panel``.

    Exclusive: a newer keystroke cancels the older search, and the panel ignores hits for a
    text it no longer shows.
    """
    sources = runbook_sources(app)
    if not sources:
        return

    def work() -> None:
        hits: dict[tuple[str, str], Hit] = {}
        for source in sources:
            for hit in source.index.search(query, SEARCH_LIMIT, prefix=True):
                key = (hit.root, hit.path)
                if key not in hits or hit.score > hits[key].score:
                    hits[key] = hit
        if get_current_worker().is_cancelled:
            return
        ranked = sorted(hits.values(), key=lambda h: -h.score)[:SEARCH_LIMIT] if len(sources) > 1 else list(hits.values())
        app.call_from_thread(panel.show_hits, query, ranked)

    panel.run_worker(work, thread=True, exclusive=True, group="runbook-search", exit_on_error=False)
