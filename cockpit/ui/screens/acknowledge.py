"""Acknowledge, resolve and note from the keyboard: a one-line preview, ``y``, one write.

``a`` acknowledges the selected alert (or the alerts of the selected group): a PagerDuty incident
is acknowledged; an Alertmanager alert gets a silence on its exact labels for ``ack_duration``
with the ``ack_comment``. ``X`` resolves PagerDuty incidents, ``n`` adds a note to one. Each is
refused at once in read-only mode, previewed in one line at the bottom of the screen, sent once
after ``y`` (any other key cancels) through the engine facade, and shown in the panel at once,
marked pending until a poll confirms it (:mod:`cockpit.engine.pending`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cockpit.core.errors import SourceError
from cockpit.core.models import Alert, utcnow
from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import PendingWrite
from cockpit.engine.facade import incident_preview as preview
from cockpit.ui.screens.silence import read_only_refusal

__all__ = ["LineConfirm", "NoteInput", "confirm_line", "rewatch_silences", "start_ack", "start_note", "start_resolve"]


class LineConfirm(ModalScreen[bool]):
    """One line at the bottom of the screen; ``y`` answers yes, any other key no."""

    DEFAULT_CSS = """
    LineConfirm { align: left bottom; background: $background 0%; }
    #line-confirm { dock: bottom; height: auto; max-height: 3; width: 100%;
                    background: $warning; color: $text; padding: 0 1; }
    """

    def __init__(self, line: str) -> None:
        super().__init__(id="line-confirm-screen")
        self.line = line

    def compose(self) -> ComposeResult:
        yield Static(Text(clean_line(self.line, 400), style="bold"), id="line-confirm", markup=False)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(event.key == "y")


class NoteInput(ModalScreen["str | None"]):
    """One line of text for a note; ``enter`` gives it, ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Note: cancel", id="note-cancel")]
    DEFAULT_CSS = """
    NoteInput { align: center middle; }
    #note-dialog { width: 80; max-width: 100%; height: auto; border: round $primary;
                   background: $surface; padding: 0 1; }
    """

    def __init__(self, title: str) -> None:
        super().__init__(id="note-input")
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Static(Text(clean_line(self.title_text, 200), style="bold"), markup=False)
            yield Input(placeholder="the note (enter: review · esc: cancel)", id="note-text", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#note-text")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


def _refused(action: str, alerts: Sequence[Alert]) -> dict[str, Any]:
    """What the audit log's ``refused`` entry of a read-only refusal names: the write and its alerts."""
    return {"action": action, "source": alerts[0].source if alerts else "",
            "details": {"alerts": [a.name for a in alerts][:20], "fingerprints": [a.fingerprint for a in alerts][:20]}}


def confirm_line(app: Any, line: str, then: Callable[[], None]) -> None:
    """Show the one-line preview; call ``then`` on ``y``, else say nothing was sent."""

    def answered(yes: bool | None) -> None:
        if yes:
            then()
        else:
            app.notify("Cancelled: nothing was sent", timeout=3, markup=False)

    app.push_screen(LineConfirm(line), answered)


def _error_line(exc: BaseException) -> str:
    return clean_line(exc.message if isinstance(exc, SourceError) else (str(exc) or type(exc).__name__), 200)


def _writer(app: Any, method: str, what: str) -> Callable[..., Any] | None:
    """The engine facade's write method, or None (with a warning) when it has none."""
    found = getattr(app.engine, method, None)
    if not callable(found):
        app.notify(f"This cockpit cannot {what}", severity="warning", markup=False)
        return None
    return found


def start_ack(app: Any, alerts: Sequence[Alert]) -> None:
    """The ``a`` key: preview the acknowledge of ``alerts`` (one source) and send it on ``y``."""
    if read_only_refusal(app, "acknowledging", **_refused("acknowledge", alerts)):
        return
    plan_ack = _writer(app, "plan_ack", "acknowledge alerts")
    plan = plan_ack(list(alerts)) if plan_ack else None
    if plan_ack and plan is None:
        name = alerts[0].source if alerts else "?"
        app.notify(f"Source {clean_line(name, 60)} cannot acknowledge alerts", severity="warning", markup=False)
    if plan is None:
        return
    confirm_line(app, plan.line, lambda: app.run_worker(_ack(app, plan), name="ack", group="writes",
                                                        exit_on_error=False))


async def _ack(app: Any, plan: Any) -> None:
    try:
        answer = await asyncio.wrap_future(app.engine.acknowledge(plan))
    except Exception as exc:  # noqa: BLE001 - shown, never retried
        app.notify(f"Not acknowledged: {_error_line(exc)}", severity="error", timeout=15, markup=False)
        return
    expect = "acknowledged" if plan.kind == "incident" else "silenced"
    _pending(app, plan.alerts, expect, plan.until)
    what = f"silence {clean_line(str(answer), 60)}" if plan.kind == "silence" else "PagerDuty"
    app.notify(f"Acknowledged {_which(plan.alerts)} ({what})", timeout=8, markup=False)
    app.engine.refresh(plan.source)
    if plan.kind == "silence":
        rewatch_silences(app)


def start_resolve(app: Any, alerts: Sequence[Alert]) -> None:
    """The ``X`` key: resolve the PagerDuty incidents behind ``alerts`` after ``y``."""
    if read_only_refusal(app, "resolving", **_refused("resolve_incident", alerts)):
        return
    if not alerts or _writer(app, "resolve", "resolve incidents") is None:
        return
    if getattr(app.engine, "ack_kind", lambda _a: None)(alerts[0]) != "incident":
        app.notify(f"Only incidents can be resolved; {clean_line(alerts[0].source, 60)} has alerts (silence them)",
                   severity="warning", markup=False)
        return
    alerts = [a for a in alerts if a.source == alerts[0].source]
    line = preview("resolve", alerts, alerts[0].source)
    confirm_line(app, line, lambda: app.run_worker(_resolve(app, alerts), name="resolve", group="writes",
                                                   exit_on_error=False))


async def _resolve(app: Any, alerts: list[Alert]) -> None:
    try:
        await asyncio.wrap_future(app.engine.resolve(alerts))
    except Exception as exc:  # noqa: BLE001
        app.notify(f"Not resolved: {_error_line(exc)}", severity="error", timeout=15, markup=False)
        return
    _pending(app, alerts, "resolved", None)
    app.notify(f"Resolved {_which(alerts)}", timeout=8, markup=False)
    app.engine.refresh(alerts[0].source)


def start_note(app: Any, alert: Alert) -> None:
    """The ``n`` key: a note on the alert's PagerDuty incident: text, preview, ``y``, one POST."""
    if read_only_refusal(app, "adding a note", **_refused("note_incident", [alert])):
        return
    if _writer(app, "note", "add notes") is None:
        return
    if getattr(app.engine, "ack_kind", lambda _a: None)(alert) != "incident":
        app.notify(f"Notes go to incidents; {clean_line(alert.source, 60)} has none", severity="warning",
                   markup=False)
        return

    def typed(text: str | None) -> None:
        if not text:
            return
        line = preview("note on", [alert], alert.source, f'"{clean_line(text, 120)}"')
        confirm_line(app, line, lambda: app.run_worker(_note(app, alert, text), name="note", group="writes",
                                                       exit_on_error=False))

    app.push_screen(NoteInput(f"Note on {alert.name}"), typed)


async def _note(app: Any, alert: Alert, text: str) -> None:
    try:
        note_id = await asyncio.wrap_future(app.engine.note(alert, text))
    except Exception as exc:  # noqa: BLE001
        app.notify(f"Note not added: {_error_line(exc)}", severity="error", timeout=15, markup=False)
        return
    app.notify(f"Note {clean_line(note_id, 40)} added to {_which([alert])}", timeout=8, markup=False)


def rewatch_silences(app: Any) -> None:
    """Count the silences again (the status bar's "⏳ silences") after one was written."""
    watch = getattr(app, "watch_silences", None)
    if callable(watch):
        watch()


def _which(alerts: Sequence[Alert]) -> str:
    return clean_line(alerts[0].name, 80) if len(alerts) == 1 else f"{len(alerts)} incidents"


def _pending(app: Any, alerts: Sequence[Alert], expect: str, until: Any) -> None:
    add = getattr(app, "add_pending_writes", None)
    if not callable(add):
        return
    by = str(getattr(app.engine, "user", "") or "you")
    answered = utcnow()
    add([PendingWrite(a.source, a.fingerprint, expect, by, answered, until) for a in alerts])  # type: ignore[arg-type]
