"""The list of silences of the alert sources, with ``x`` to expire the selected one.

Opened with ``S`` from an alert's detail (that alert's source) or the command palette's
"alerts: silences" (every source that can silence). The list is read through the engine
facade (on the poller's loop) from a worker, so the UI never waits on the network. Expiring is a write:
refused in read-only mode, confirmed first, sent once and recorded in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cockpit.core.durations import format_duration
from cockpit.core.errors import SourceError
from cockpit.core.matchers import Matcher
from cockpit.core.models import utcnow
from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import SilenceInfo
from cockpit.ui.host import CockpitHost, host_of
from cockpit.ui.screens.silence import ConfirmScreen, read_only_refusal

__all__ = ["SilencesScreen", "show_silences", "silence_matcher_text"]


def silence_matcher_text(silence: SilenceInfo) -> str:
    """A silence's matchers as matcher syntax (``a="b", c=~"d.*"``)."""
    parts = []
    for raw in silence.matchers:
        try:
            parts.append(str(Matcher.from_api(raw)))
        except ValueError:
            parts.append(str(raw))
    return ", ".join(parts)


def _until(ends_at: datetime | None, now: datetime) -> str:
    if ends_at is None:
        return "-"
    return f"{ends_at.strftime('%Y-%m-%d %H:%M')} (in {format_duration((ends_at - now).total_seconds())})"


class SilencesScreen(Screen[None]):
    """Every active and pending silence of some sources; ``x`` expires, ``r`` reloads."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="silences-back"),
        Binding("x", "expire", "Expire the selected silence", id="silences-expire"),
        Binding("r", "reload", "Reload", id="silences-reload"),
    ]
    DEFAULT_CSS = """
    #silences-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    #silences-status { height: auto; padding: 0 1; color: $text-muted; }
    #silences-table { height: 1fr; }
    """

    def __init__(self, sources: list[str]) -> None:
        """``sources``: the names of the sources whose silences are listed."""
        super().__init__(id="silences")
        self.sources = sources
        self.silences: list[tuple[str, SilenceInfo]] = []

    def compose(self) -> ComposeResult:
        names = ", ".join(clean_line(name, 40) for name in self.sources)
        title = Text("Silences", style="bold")
        title.append(f" of {names}   esc back · x expire · r reload", style="dim")
        yield Static(title, id="silences-title", markup=False)
        yield Static("loading…", id="silences-status", markup=False)
        table: DataTable[Any] = DataTable(id="silences-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("source", "id", "state", "matchers", "ends", "by", "comment")
        yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

    @property
    def status(self) -> Static:
        return self.query_one("#silences-status", Static)

    def selected(self) -> tuple[str, SilenceInfo] | None:
        table = self.query_one(DataTable)
        if not self.silences or table.cursor_row < 0 or table.cursor_row >= len(self.silences):
            return None
        return self.silences[table.cursor_row]

    # ----- reading --------------------------------------------------------------------
    def action_reload(self) -> None:
        self.status.update("loading…")
        self._load()

    @work(exclusive=True, group="silences-load", exit_on_error=False)
    async def _load(self) -> None:
        engine = host_of(self).engine
        found: list[tuple[str, SilenceInfo]] = []
        errors: list[str] = []
        for source in self.sources:
            try:
                listed = await engine.list_silences(source)
            except Exception as exc:  # noqa: BLE001 - shown as one line
                message = exc.message if isinstance(exc, SourceError) else str(exc) or type(exc).__name__
                errors.append(f"{source}: {clean_line(message, 200)}")
                continue
            found.extend((source, silence) for silence in listed)
        self._show(found, errors)

    def _show(self, found: list[tuple[str, SilenceInfo]], errors: list[str]) -> None:
        self.silences = found
        table = self.query_one(DataTable)
        table.clear()
        now = utcnow()
        for source, silence in found:
            table.add_row(
                Text(clean_line(source, 40)),
                Text(clean_line(silence.id, 40)),
                Text(clean_line(silence.state, 20)),
                Text(clean_line(silence_matcher_text(silence), 200)),
                Text(_until(silence.ends_at, now)),
                Text(clean_line(silence.created_by, 40)),
                Text(clean_line(silence.comment, 200)),
            )
        count = len(found)
        status = Text(f"{count} silence{'s' if count != 1 else ''}" if count else "no active silences")
        for line in errors:
            status.append(f"\nerror: {line}", style="bold")
        self.status.update(status)

    # ----- expiring -------------------------------------------------------------------
    def action_expire(self) -> None:
        """Confirm, then expire the selected silence once."""
        if read_only_refusal(host_of(self), "expiring a silence"):
            return
        chosen = self.selected()
        if chosen is None:
            self.notify("No silence selected", severity="warning", markup=False)
            return
        source, silence = chosen
        body = Text()
        for label, value in (("source", source), ("id", silence.id),
                             ("matchers", silence_matcher_text(silence)), ("comment", silence.comment),
                             ("by", silence.created_by)):
            body.append(f"{label:<9}", style="bold")
            body.append(clean_line(value, 500))
            body.append("\n")
        body.rstrip()

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._expire(source, silence.id)

        self.app.push_screen(ConfirmScreen("Expire this silence now?", body, "Expire silence"), confirmed)

    @work(group="silences-write", exit_on_error=False)
    async def _expire(self, source: str, silence_id: str) -> None:
        app = host_of(self)
        try:
            await app.engine.expire_silence(source, silence_id)
        except Exception as exc:  # noqa: BLE001 - shown, never retried
            message = exc.message if isinstance(exc, SourceError) else str(exc) or type(exc).__name__
            app.notify(f"Silence not expired: {clean_line(message, 200)}", severity="error", timeout=15,
                       markup=False)
            return
        app.notify(f"Silence {clean_line(silence_id, 80)} expired", timeout=8, markup=False)
        app.engine.refresh(source)
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss()


def show_silences(app: CockpitHost, source_name: str | None = None) -> None:
    """Open the silences list of one source, or of every source that can silence."""
    if source_name is not None:
        sources = [source_name] if app.engine.can_silence(source_name) else []
    else:
        sources = app.engine.silence_sources()
    if not sources:
        which = f"Source {clean_line(source_name, 60)} has" if source_name else "No configured source has"
        app.notify(f"{which} no silences to list", severity="warning", markup=False)
        return
    app.push_screen(SilencesScreen(sources))
