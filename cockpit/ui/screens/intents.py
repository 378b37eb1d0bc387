"""What the action keys (``s``, ``o``, ``t``, ``a``, ``X``, ``n``) do with the item they were pressed on.

One rule for every screen: an action acts on the selection of the panel (or detail screen)
that has the focus, or says why it cannot ("silence: select an alert"). It never reaches for
another panel's selected row, however dimly that row is still highlighted.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from cockpit.core.models import Alert
from cockpit.ui.host import CockpitHost, host_of

__all__ = ["ALERT_ACTIONS", "ItemScreen", "act_on", "refusal"]

ALERT_ACTIONS = {"silence": "silence", "open-runbook": "runbook", "triage": "triage",
                 "acknowledge": "acknowledge", "resolve": "resolve", "note": "note"}
"""Action id -> the word its refusal starts with."""


def refusal(action: str, item: object | None, where: str) -> str:
    """Why ``action`` cannot act on ``item`` (the selection in ``where``)."""
    verb = ALERT_ACTIONS.get(action, action)
    if item is None:
        return f"{verb}: select an alert" + ("" if where == "Alerts" else f" ({where} has no selection)")
    return f"{verb}: select an alert; {where} has no alerts (1 focuses Alerts)"


def act_on(app: CockpitHost, action: str, item: object | None, where: str) -> bool:
    """Run ``action`` on ``item`` (the focused selection in ``where``, a panel's or a screen's
    title); False, with a warning that says why, when it cannot. ``acknowledge``, ``resolve`` and
    ``note`` also take a list of alerts (a group, from the header the cursor is on)."""
    if action in ("acknowledge", "resolve", "note"):
        alerts = [a for a in item if isinstance(a, Alert)] if isinstance(item, list) else [item]
        if not alerts or not isinstance(alerts[0], Alert):
            app.notify(refusal(action, None if not alerts else item, where), severity="warning", markup=False)
            return False
        from cockpit.ui.screens.acknowledge import start_ack, start_note, start_resolve

        if action == "acknowledge":
            start_ack(app, alerts)
        elif action == "resolve":
            start_resolve(app, alerts)
        else:
            start_note(app, alerts[0])
        return True
    if not isinstance(item, Alert):
        app.notify(refusal(action, item, where), severity="warning", markup=False)
        return False
    # Each action lives in its own module; this only routes to it.
    if action == "silence":
        from cockpit.ui.screens.silence import start_silence

        start_silence(app, item)
    elif action == "open-runbook":
        from cockpit.ui.screens.runbook_view import open_runbook

        open_runbook(app, item)
    elif action == "triage":
        from cockpit.ui.screens.triage import start_triage

        start_triage(app, item)
    else:
        return False
    return True


class ItemScreen(Screen[None]):
    """Base of the screens that show one item (alert, SLO, deploy...): ``s``/``o``/``t`` act on
    that item when it is an alert, and say why not otherwise."""

    BINDINGS = [
        Binding("s", "act('silence')", "Detail: silence this alert", id="detail-silence"),
        Binding("o", "act('open-runbook')", "Detail: open this alert's runbook", id="detail-open-runbook"),
        Binding("t", "act('triage')", "Detail: triage this alert", id="detail-triage"),
        Binding("a", "act('acknowledge')", "Detail: acknowledge this alert", id="detail-acknowledge"),
        Binding("X", "act('resolve')", "Detail: resolve this incident", id="detail-resolve"),
        Binding("n", "act('note')", "Detail: add a note to this incident", id="detail-note"),
    ]
    KIND_TITLE = "Item"
    """What the screen shows, for the refusal ("SLO detail has no alerts")."""

    def shown_item(self) -> object:
        """The item the action keys act on."""
        raise NotImplementedError

    def action_act(self, action: str) -> None:
        act_on(host_of(self), action, self.shown_item(), f"{self.KIND_TITLE} detail")
