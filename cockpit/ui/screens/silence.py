"""The silence flow for one alert: a dialog, a confirmation, then exactly one write.

``start_silence(app, alert)`` (the ``s`` key) refuses at once in read-only mode and for a source
that cannot silence. Otherwise :class:`SilenceScreen` collects the silence: matchers prefilled
from the alert's labels ("this alert") or from the labels the Alerts panel groups by ("its
group"), editable as matcher text; a duration (15m, 1h, 4h or custom); a required comment; the
author (the config's ``cockpit.user``, else the login name). It previews how many current alerts
of the same source the matchers would match. "Review" opens :class:`ConfirmScreen`, restating
what will be created; only its "Create" sends the write, through the engine facade's
``create_silence`` (run on the poller's loop, awaited from an app worker), so the UI never
blocks. The write is sent once: a failure is shown as one line and never retried (see
:mod:`cockpit.engine.actions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from cockpit.core.durations import format_duration, parse_duration
from cockpit.core.errors import SourceError, SourceOutcomeUnknown
from cockpit.core.matchers import Matcher, MatcherError, parse_matchers
from cockpit.core.silences import VOLATILE_LABELS, matching_alerts, silence_matchers_for
from cockpit.core.times import local_and_utc
from cockpit.core.models import Alert, utcnow
from cockpit.core.textsafe import clean_line
from cockpit.ui.host import CockpitHost
from cockpit.ui.screens.confirm import ConfirmScreen

__all__ = [
    "DURATIONS",
    "ConfirmScreen",
    "SilencePlan",
    "SilenceScreen",
    "read_only_refusal",
    "start_silence",
]

DURATIONS = ("15m", "1h", "4h")
"""The preset durations; the fourth choice is a custom duration string."""



def read_only_refusal(app: CockpitHost, what: str = "silencing", *, action: str = "create_silence",
                      source: str = "", details: dict[str, str] | None = None) -> bool:
    """Say clearly that a write is refused in read-only mode, and record the refusal in the audit
    log as every refused write is (``action`` is its audit name); True when it was refused."""
    if not app.read_only:
        return False
    app.notify(f"Read-only mode: {what} is refused (read_only / --read-only); nothing was sent",
               severity="warning", timeout=8, markup=False)
    problem = app.engine.record_refusal(action, source=source, details=details)
    if problem:  # a full disk must not take the refusal (or the app) down
        app.notify(f"Audit log not written: {clean_line(problem, 120)}", severity="error", markup=False)
    return True


def _error_line(exc: BaseException) -> str:
    message = exc.message if isinstance(exc, SourceError) else (str(exc) or type(exc).__name__)
    return clean_line(message, 200)


@dataclass(frozen=True)
class SilencePlan:
    """What the user asked for, checked; the request is built when it is sent (starts now)."""

    source: str
    matchers: tuple[Matcher, ...]
    duration_s: float
    comment: str
    author: str
    scope: str
    """``alert`` or ``group``."""
    matched: int
    """How many current alerts the matchers matched when the user confirmed."""

    def summary(self) -> Text:
        """The confirmation text: every part of the silence that will be created."""
        out = Text()
        rows = [
            ("source", self.source),
            ("matchers", ", ".join(str(m) for m in self.matchers)),
            ("duration", f"{format_duration(self.duration_s)} from now, until "
                         f"{local_and_utc(utcnow() + timedelta(seconds=self.duration_s))}"),
            ("comment", self.comment),
            ("author", self.author),
            ("matches", f"{self.matched} current alert{'s' if self.matched != 1 else ''}"),
        ]
        for label, value in rows:
            out.append(f"{label:<9}", style="bold")
            out.append(clean_line(value, 500))
            out.append("\n")
        out.rstrip()
        return out


class SilenceScreen(ModalScreen["SilencePlan | None"]):
    """Collects one silence for an alert or its group; dismisses with a confirmed plan or None."""

    BINDINGS = [Binding("escape", "cancel", "Silence: cancel", id="silence-cancel")]
    DEFAULT_CSS = """
    SilenceScreen { align: center middle; }
    #silence-dialog { width: 90; max-width: 100%; height: auto; max-height: 100%;
                      border: round $primary; background: $surface; padding: 0 1; }
    #silence-dialog Label { margin: 1 0 0 0; text-style: bold; }
    #silence-scope, #silence-duration { layout: horizontal; height: auto; width: 100%; }
    #silence-scope RadioButton, #silence-duration RadioButton { margin: 0 2 0 0; width: auto; }
    .silence-error { color: $error; height: auto; }
    #silence-preview, #silence-left-out { color: $text-muted; height: auto; }
    /* One highlight per choice list: the cursor shows only while the list has the focus; the
       choice is the filled button and a bold label. */
    #silence-dialog RadioSet:blur > RadioButton.-selected > .toggle--label { background: transparent; }
    #silence-dialog RadioSet > RadioButton.-on > .toggle--label { text-style: bold; }
    #silence-buttons { height: auto; margin: 1 0 0 0; }
    #silence-buttons Button { margin: 0 2 0 0; }
    """

    def __init__(self, alert: Alert, *, alerts: list[Alert], group_by: list[str], author: str,
                 volatile: list[str] | None = None) -> None:
        super().__init__(id="silence")
        self.alert = alert
        self.volatile = list(VOLATILE_LABELS if volatile is None else volatile)
        """Labels "this alert" leaves out (they change when the pod restarts)."""
        self.alerts = alerts
        self.group_by = [name for name in group_by if name in alert.labels] or ["alertname"]
        self.author = author
        self.matchers: list[Matcher] = []
        self.matched: list[Alert] = []
        self._error_shown = False

    # ----- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        title = Text("Silence ", style="bold")
        title.append(clean_line(self.alert.name, 100))
        title.append(f"  ({clean_line(self.alert.source, 60)})", style="dim")
        group = ", ".join(self.group_by)
        with VerticalScroll(id="silence-dialog"):
            yield Static(title, id="silence-title", markup=False)
            with RadioSet(id="silence-scope", compact=True):
                yield RadioButton("this alert", id="scope-alert", value=True)
                yield RadioButton(f"its group ({clean_line(group, 60)})", id="scope-group")
            yield Label("Matchers")
            yield Input(self._prefill("alert"), id="silence-matchers", compact=True)
            yield Static(self._left_out(), id="silence-left-out", markup=False)
            yield Static("", id="silence-matchers-error", classes="silence-error", markup=False)
            yield Static("", id="silence-preview", markup=False)
            yield Label("Duration")
            with RadioSet(id="silence-duration", compact=True):
                for index, text in enumerate(DURATIONS):
                    yield RadioButton(text, id=f"duration-{text}", value=index == 1)
                yield RadioButton("custom", id="duration-custom")
            yield Input("", placeholder="custom duration, e.g. 2h30m", id="silence-custom", compact=True)
            yield Label("Comment (required)")
            yield Input("", placeholder="why, ticket link...", id="silence-comment", compact=True)
            yield Label("Author")
            yield Input(self.author, id="silence-author", compact=True)
            yield Static("", id="silence-error", classes="silence-error", markup=False)
            with Horizontal(id="silence-buttons"):
                yield Button("Review", id="silence-review", variant="primary", compact=True)
                yield Button("Cancel", id="silence-cancel-button", compact=True)

    def on_mount(self) -> None:
        self._update_matchers()
        self.query_one("#silence-comment", Input).focus()

    def _prefill(self, scope: str) -> str:
        labels = None if scope == "alert" else self.group_by
        return ", ".join(str(m) for m in silence_matchers_for(self.alert, labels, self.volatile))

    def _left_out(self) -> Text:
        """Which volatile labels "this alert" leaves out, so the user can add one back."""
        dropped = {n.casefold() for n in self.volatile}
        names = [n for n in sorted(self.alert.labels) if n.casefold() in dropped]
        if not names:
            return Text("")
        return Text("left out, they change when the pod restarts: "
                    + ", ".join(f"{clean_line(n, 40)}={clean_line(self.alert.labels[n], 60)}" for n in names))

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    # ----- live parts -----------------------------------------------------------------
    @property
    def scope(self) -> str:
        return "group" if self.query_one("#scope-group", RadioButton).value else "alert"

    @on(RadioSet.Changed, "#silence-scope")
    def _scope_changed(self, event: RadioSet.Changed) -> None:
        scope = "group" if event.pressed.id == "scope-group" else "alert"
        self.query_one("#silence-matchers", Input).value = self._prefill(scope)

    @on(Input.Changed, "#silence-matchers")
    def _matchers_changed(self) -> None:
        self._update_matchers()

    @on(Input.Changed, "#silence-custom")
    def _custom_typed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self.query_one("#duration-custom", RadioButton).value = True

    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _recheck(self) -> None:
        """An error shown after Review goes away (or changes) as soon as the form changes."""
        if self._error_shown:
            problem = self._problem()
            self._error_shown = problem is not None
            self.query_one("#silence-error", Static).update(Text(clean_line(problem or "", 200)))

    def _update_matchers(self) -> None:
        """Parse the matcher text; show the error inline or the preview count."""
        error = self.query_one("#silence-matchers-error", Static)
        preview = self.query_one("#silence-preview", Static)
        try:
            self.matchers = parse_matchers(self._value("silence-matchers"))
        except MatcherError as exc:
            self.matchers, self.matched = [], []
            error.update(Text(f"invalid matchers: {clean_line(str(exc), 200)}"))
            preview.update("")
            return
        error.update("")
        self.matched = matching_alerts(self.alerts, self.matchers)
        count = len(self.matched)
        preview.update(Text(f"would match {count} current alert{'s' if count != 1 else ''}"))

    def duration_s(self) -> float:
        """Seconds of the chosen duration; ValueError for a bad or empty custom one."""
        for text in DURATIONS:
            if self.query_one(f"#duration-{text}", RadioButton).value:
                return parse_duration(text)
        custom = self._value("silence-custom").strip()
        if not custom:
            raise ValueError("enter a custom duration such as 2h30m")
        seconds = parse_duration(custom)
        if seconds <= 0:
            raise ValueError("the duration must be longer than zero")
        return seconds

    def _problem(self) -> str | None:
        try:
            parse_matchers(self._value("silence-matchers"))
        except MatcherError as exc:
            return f"fix the matchers first: {exc}"
        if not self.matchers:
            return "a silence needs at least one matcher"
        if all(m.matches({}) for m in self.matchers):
            return "these matchers would match every alert; add one that needs a label"
        try:
            self.duration_s()
        except ValueError as exc:
            return str(exc)
        if not self._value("silence-comment").strip():
            return "a comment is required"
        if not self._value("silence-author").strip():
            return "an author is required"
        return None

    # ----- review and confirm ---------------------------------------------------------
    @on(Input.Submitted)
    @on(Button.Pressed, "#silence-review")
    def action_review(self) -> None:
        """Check the form; on success restate it in a confirmation dialog."""
        error = self.query_one("#silence-error", Static)
        problem = self._problem()
        self._error_shown = problem is not None
        if problem:
            error.update(Text(clean_line(problem, 200)))
            return
        error.update("")
        plan = SilencePlan(
            source=self.alert.source,
            matchers=tuple(self.matchers),
            duration_s=self.duration_s(),
            comment=self._value("silence-comment").strip(),
            author=self._value("silence-author").strip(),
            scope=self.scope,
            matched=len(self.matched),
        )

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.dismiss(plan)

        self.app.push_screen(ConfirmScreen("Create this silence?", plan.summary(), "Create silence"), confirmed)

    @on(Button.Pressed, "#silence-cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)


def start_silence(app: CockpitHost, alert: Alert) -> None:
    """The ``s`` key: refuse in read-only mode, else open the dialog; the write follows a yes."""
    if read_only_refusal(app, source=alert.source, details={"alert": alert.name, "fingerprint": alert.fingerprint}):
        return
    if not app.engine.can_silence(alert.source):
        app.notify(f"Source {clean_line(alert.source, 60)} cannot silence alerts", severity="warning",
                   markup=False)
        return
    alerts = [a for s in app.states if s.name == alert.source for a in s.items if isinstance(a, Alert)]
    dialog = SilenceScreen(alert, alerts=alerts, group_by=app.alert_group_by(), author=app.engine.user,
                           volatile=list(app.engine.setting("silence_volatile_labels", VOLATILE_LABELS)))

    def done(plan: SilencePlan | None) -> None:
        if plan is not None:
            app.run_worker(_send(app, alert, plan), name="silence-create", group="silence-write",
                           exit_on_error=False)

    app.push_screen(dialog, done)


def _offer_retry(app: CockpitHost, alert: Alert, plan: SilencePlan, exc: SourceOutcomeUnknown) -> None:
    """After a write whose outcome is unknown and whose silence was not found: ask before sending
    it again (a peer that answers late may still create the first one)."""
    body = plan.summary()
    body.append(f"\n\n{_error_line(exc)}\nSend it again? A peer that answers late may still create the first one.")

    def confirmed(answer: bool | None) -> None:
        if answer:
            app.run_worker(_send(app, alert, plan), name="silence-create", group="silence-write",
                           exit_on_error=False)

    app.push_screen(ConfirmScreen("Silence outcome unknown", body, "Send again"), confirmed)


async def _send(app: CockpitHost, alert: Alert, plan: SilencePlan) -> str | None:
    """Send the silence once, on the engine's loop; report the id or the one-line error."""
    try:
        silence_id = await app.engine.create_silence(
            plan.source, plan.matchers, duration_s=plan.duration_s, comment=plan.comment,
            author=plan.author, alert=alert, scope=plan.scope,
        )
    except SourceOutcomeUnknown as exc:  # sent, no answer, and not found when looked for
        app.notify("Silence outcome unknown: no answer in time, and not found yet; check before sending it again",
                   severity="warning", timeout=20, markup=False)
        _offer_retry(app, alert, plan, exc)
        return None
    except Exception as exc:  # noqa: BLE001 - every failure is shown, none retried
        app.notify(f"Silence not created: {_error_line(exc)}", severity="error", timeout=15, markup=False)
        return None
    app.notify(f"Silence {clean_line(silence_id, 80)} created ({plan.matched} alerts matched)",
               timeout=8, markup=False)
    app.engine.refresh(plan.source)
    return silence_id
