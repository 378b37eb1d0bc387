"""Extend (``+``) and edit (``e``) a silence from the silences screen.

``+`` moves the selected silence's end by ``[cockpit] ack_duration`` (1h by default). ``e`` opens
:class:`SilenceEditScreen`, prefilled with the silence's matchers, the time it has left and its
comment. Both are previewed in one line and sent once after ``y``: Alertmanager replaces a silence
posted with its id (the same id when only the end moves; a new one, the old expired, when the
matchers change). Refused at once in read-only mode; audited through the engine facade.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cockpit.core.durations import format_duration, parse_duration
from cockpit.core.matchers import Matcher, MatcherError, parse_matchers
from cockpit.core.models import utcnow
from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import SilenceInfo, SilenceRequest
from cockpit.ui.screens.acknowledge import confirm_line, rewatch_silences
from cockpit.ui.screens.silence import read_only_refusal

__all__ = ["SilenceEditScreen", "extend_silence", "edit_silence"]


def _matcher_text(silence: SilenceInfo) -> str:
    return ", ".join(_as_text(silence.matchers))


class SilenceEditScreen(ModalScreen["SilenceRequest | None"]):
    """The silence's matchers, time left and comment, editable; ``enter`` reviews, ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Silence edit: cancel", id="silence-edit-cancel")]
    DEFAULT_CSS = """
    SilenceEditScreen { align: center middle; }
    #silence-edit { width: 90; max-width: 100%; height: auto; border: round $primary;
                    background: $surface; padding: 0 1; }
    #silence-edit Label { margin: 1 0 0 0; text-style: bold; }
    #silence-edit-error { color: $error; height: auto; }
    """

    def __init__(self, silence: SilenceInfo, author: str) -> None:
        super().__init__(id="silence-edit-screen")
        self.silence, self.author = silence, author

    def compose(self) -> ComposeResult:
        left = (self.silence.ends_at - utcnow()).total_seconds() if self.silence.ends_at else 3600
        with Vertical(id="silence-edit"):
            yield Static(Text(f"Edit silence {clean_line(self.silence.id, 60)}", style="bold"), markup=False)
            yield Label("Matchers")
            yield Input(_matcher_text(self.silence), id="silence-edit-matchers", compact=True)
            yield Label("Ends in (from now)")
            yield Input(format_duration(max(left, 60)), id="silence-edit-ends", compact=True)
            yield Label("Comment")
            yield Input(self.silence.comment, id="silence-edit-comment", compact=True)
            yield Static("", id="silence-edit-error", markup=False)
            yield Static(Text("enter: review · esc: cancel", style="dim"), markup=False)

    def on_mount(self) -> None:
        self.query_one("#silence-edit-ends", Input).focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#silence-edit-{name}", Input).value.strip()

    @on(Input.Submitted)
    def review(self) -> None:
        """Check the fields; dismiss with the replacing request, or say what is wrong."""
        error = self.query_one("#silence-edit-error", Static)
        try:
            matchers = parse_matchers(self._value("matchers"))
            seconds = parse_duration(self._value("ends"))
        except (MatcherError, ValueError) as exc:
            error.update(Text(clean_line(str(exc), 200)))
            return
        if not matchers or all(m.matches({}) for m in matchers):
            error.update(Text("the matchers must need at least one label"))
            return
        if seconds <= 0 or not self._value("comment"):
            error.update(Text("the end must be in the future and the comment is required"))
            return
        now = utcnow()
        self.dismiss(SilenceRequest(id=self.silence.id, matchers=[m.to_api() for m in matchers],
                                    starts_at=min(self.silence.starts_at or now, now),
                                    ends_at=now + timedelta(seconds=seconds),
                                    created_by=self.author, comment=self._value("comment")))

    def action_cancel(self) -> None:
        self.dismiss(None)


def extend_silence(screen: Any, source_name: str, silence: SilenceInfo) -> None:
    """``+``: preview moving the end by ``ack_duration``; replace the silence on ``y``."""
    app = screen.app
    if read_only_refusal(app, "extending a silence", action="extend_silence", source=source_name,
                         details={"silence_id": silence.id}):
        return
    by_s = float(app.engine.setting("ack_duration", 3600.0))
    base = max(silence.ends_at or utcnow(), utcnow())
    line = (f"Extend silence {silence.id} ({_matcher_text(silence)}) by {format_duration(by_s)} "
            f"to {base + timedelta(seconds=by_s):%H:%M}Z?  y: yes · any other key: no")
    confirm_line(app, line, lambda: screen.run_worker(
        _send(screen, "extended", app.engine.extend_silence, source_name, silence, by_s),
        group="silences-write", exit_on_error=False))


def edit_silence(screen: Any, source_name: str, silence: SilenceInfo, author: str) -> None:
    """``e``: the prefilled dialog, then the one-line preview, then one replacing POST."""
    app = screen.app
    if read_only_refusal(app, "editing a silence", action="edit_silence", source=source_name,
                         details={"silence_id": silence.id}):
        return

    def edited(request: SilenceRequest | None) -> None:
        if request is None:
            return
        matchers = ", ".join(_as_text(request.matchers))
        line = (f"Replace silence {silence.id}: {matchers}, until {request.ends_at:%H:%M}Z, "
                f"{request.comment!r}?  y: yes · any other key: no")
        confirm_line(app, line, lambda: screen.run_worker(
            _send(screen, "edited", app.engine.replace_silence, source_name, request),
            group="silences-write", exit_on_error=False))

    app.push_screen(SilenceEditScreen(silence, author), edited)


def _as_text(matchers: list[dict]) -> list[str]:
    """Matchers as Alertmanager's API gives them, in matcher syntax (an unreadable one as is)."""
    out = []
    for raw in matchers:
        try:
            out.append(str(Matcher.from_api(raw)))
        except ValueError:
            out.append(str(raw))
    return out


async def _send(screen: Any, done: str, write: Any, *args: Any) -> None:
    app = screen.app
    try:
        new_id = await asyncio.wrap_future(write(*args))
    except Exception as exc:  # noqa: BLE001 - shown, never retried
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        app.notify(f"Silence not {done}: {clean_line(message, 200)}", severity="error", timeout=15, markup=False)
        return
    app.notify(f"Silence {done} (id {clean_line(new_id, 60)})", timeout=8, markup=False)
    screen.action_reload()
    rewatch_silences(app)
