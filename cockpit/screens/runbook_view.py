"""Opening the selected alert's runbook (placeholder until the runbook viewer lands)."""

from __future__ import annotations

from typing import Any

from cockpit.models import Alert


def open_runbook(app: Any, alert: Alert) -> None:
    from cockpit.screens.detail import DetailScreen

    if alert.runbook and alert.runbook.url:
        app.push_screen(DetailScreen(alert.runbook, app.clock()))
    else:
        app.notify("No runbook for this alert", severity="warning")
