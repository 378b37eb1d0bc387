"""The list of silences of the alert sources: ``x`` expires, ``+`` extends, ``e`` edits the selected one.

Silences ending within ``[cockpit] silence_ending_soon`` (30m) come first, the soonest on top,
marked ``⏳``.

Opened with ``S`` from an alert's detail (that alert's source) or the command palette's
"alerts: silences" (every source that can silence). The list is read through the engine
facade (on the poller's loop) from a worker, so the UI never waits on the network. Expiring is a write:
refused in read-only mode, confirmed first, sent once and recorded in the audit log.
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cockpit.engine.facade import ends_soon, soonest_first
from cockpit.core.durations import format_duration
from cockpit.core.errors import SourceError
from cockpit.core.matchers import Matcher
from cockpit.core.models import Alert
from cockpit.core.times import local_and_utc
from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import SilenceInfo
from cockpit.ui.host import CockpitHost, host_of
from cockpit.ui.navigation import KeyTable
from cockpit.ui.screens.silence import ConfirmScreen, read_only_refusal

__all__ = ["SilencesScreen", "ends_text", "show_silences", "silence_matcher_text", "silence_text",
           "silenced_by_text"]


def silence_matcher_text(silence: SilenceInfo) -> str:
    """A silence's matchers as matcher syntax (``a="b", c=~"d.*"``)."""
    parts = []
    for raw in silence.matchers:
        try:
            parts.append(str(Matcher.from_api(raw)))
        except ValueError:
            parts.append(str(raw))
    return ", ".join(parts)


def ends_text(ends_at: datetime | None, now: datetime) -> str:
    """``in 1h58m · 23:59 CET (22:59Z)``: how long, then when, in local time and UTC."""
    if ends_at is None:
        return "no end"
    left = (ends_at - now).total_seconds()
    when = local_and_utc(ends_at, now)
    return f"in {format_duration(left)} · {when}" if left > 0 else f"ended · {when}"


def silence_text(silence: SilenceInfo, now: datetime, width: int = 80) -> Text:
    """One silence in full, wrapped to ``width``: when it ends and who made it, every matcher,
    the whole comment, then its id (dim)."""
    out = Text()
    head = f"ends {ends_text(silence.ends_at, now)} · by {clean_line(silence.created_by, 60) or 'unknown'}"
    if silence.state != "active":
        head += f" · {clean_line(silence.state, 20)}"
    out.append(head, style="bold")
    for label, value, style in (("matchers", silence_matcher_text(silence), ""),
                                ("comment", silence.comment, "italic"),
                                ("id", silence.id, "dim")):
        wrapped = textwrap.wrap(clean_line(value, 2000), max(20, width - 10)) or ["-"]
        for n, line in enumerate(wrapped):
            out.append("\n")
            out.append(f"{label if n == 0 else '':<9} ", style="dim")
            out.append(line, style=style)
    return out


async def silenced_by_text(app: CockpitHost, alert: Alert, width: int = 80) -> Text:
    """"Silenced by" for an alert's detail: each of its silences in full (who, until when, why,
    matchers), looked up in its source's list, or said plainly why it is not known."""
    now = app.clock()
    out = Text("Silenced by", style="bold")
    listed: dict[str, SilenceInfo] = {}
    why = f"{clean_line(alert.source, 60)} cannot list silences"
    if app.engine.can_silence(alert.source):
        try:
            listed = {s.id: s for s in await app.engine.list_silences(alert.source)}
            why = f"not in {clean_line(alert.source, 60)}'s list of active silences"
        except Exception as exc:  # noqa: BLE001 - shown as one line
            message = exc.message if isinstance(exc, SourceError) else str(exc) or type(exc).__name__
            why = f"the silences could not be listed: {clean_line(message, 160)}"
    for silence_id in alert.silenced_by:
        out.append("\n")
        silence = listed.get(silence_id)
        if silence is None:
            out.append(f"  silence {clean_line(silence_id, 60)}: {why}", style="dim")
            continue
        for n, line in enumerate(silence_text(silence, now, width - 2).split("\n")):
            out.append("\n" if n else "")
            out.append("  ")
            out.append_text(line)
    return out


class SilencesScreen(Screen[None]):
    """Every active and pending silence of some sources; ``x`` expires, ``r`` reloads."""

    BINDINGS = [
        Binding("escape", "back", "Silences: back", id="silences-back"),
        Binding("x", "expire", "Silences: expire the selected silence", id="silences-expire"),
        Binding("r", "reload", "Silences: reload", id="silences-reload"),
        Binding("plus", "extend", "Silences: extend the selected silence by ack_duration", id="silences-extend"),
        Binding("e", "edit", "Silences: edit the selected silence", id="silences-edit"),
    ]
    DEFAULT_CSS = """
    #silences-title { height: auto; padding: 0 1; background: $primary; color: $text; }
    #silences-status { height: auto; padding: 0 1; color: $text-muted; }
    #silences-table { height: 1fr; }
    """

    def __init__(self, sources: list[str]) -> None:
        """``sources``: the names of the sources whose silences are listed."""
        super().__init__(id="silences")
        self.sources = sources
        self.silences: list[tuple[str, SilenceInfo]] = []
        self._errors: list[str] = []

    def compose(self) -> ComposeResult:
        names = ", ".join(clean_line(name, 40) for name in self.sources)
        title = Text("Silences", style="bold")
        title.append(f" of {names}   esc back · j/k g/G move · x expire · + extend · e edit · r reload", style="dim")
        yield Static(title, id="silences-title", markup=False)
        yield Static("loading…", id="silences-status", markup=False)
        table: DataTable[Any] = KeyTable(id="silences-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("source", "silence")
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
        now = host_of(self).clock()
        within = float(host_of(self).engine.setting("silence_ending_soon", 1800.0))
        found = soonest_first(found, now, within)
        self.silences = found
        self._errors = errors
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        width = max(30, self.size.width - max((len(s) for s, _ in found), default=6) - 6)
        for source, silence in found:
            text = silence_text(silence, now, width)
            if ends_soon(silence, now, within):
                text = Text("⏳ ends soon · ", style="bold") + text
            table.add_row(Text(clean_line(source, 40)), text, height=len(text.plain.split("\n")))
        if found:
            table.move_cursor(row=min(max(row, 0), len(found) - 1), animate=False)
        count = len(found)
        status = Text(f"{count} silence{'s' if count != 1 else ''}" if count else "no active silences")
        ending = sum(1 for _source, silence in found if ends_soon(silence, now, within))
        if ending:
            status.append(f" · ⏳ {ending} end{'s' if ending == 1 else ''} within {format_duration(within)}",
                          style="bold")
        for line in errors:
            status.append(f"\nerror: {line}", style="bold")
        self.status.update(status)

    # ----- expiring -------------------------------------------------------------------
    def action_expire(self) -> None:
        """Confirm, then expire the selected silence once."""
        chosen = self.selected()
        if read_only_refusal(host_of(self), "expiring a silence", action="expire_silence",
                             source=chosen[0] if chosen else "",
                             details={"silence_id": chosen[1].id} if chosen else None):
            return
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

    def on_resize(self) -> None:
        if self.silences:
            self._show(self.silences, self._errors)  # re-wrap to the new width

    def action_extend(self) -> None:
        """``+``: move the selected silence's end by ``ack_duration``, after ``y``."""
        chosen = self.selected()
        if chosen is None:
            self.notify("No silence selected", severity="warning", markup=False)
            return
        from cockpit.ui.screens.silence_edit import extend_silence

        extend_silence(self, chosen[0], chosen[1])

    def action_edit(self) -> None:
        """``e``: the silence in a prefilled dialog; the edit replaces it after ``y``."""
        chosen = self.selected()
        if chosen is None:
            self.notify("No silence selected", severity="warning", markup=False)
            return
        from cockpit.ui.screens.silence_edit import edit_silence

        edit_silence(self, chosen[0], chosen[1], host_of(self).engine.user)

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
