"""The silence flow for the selected alert (placeholder until the silence dialog lands)."""

from __future__ import annotations

from typing import Any

from cockpit.models import Alert


def start_silence(app: Any, alert: Alert) -> None:
    if app.read_only:
        app.notify("Read-only mode: silences are disabled", severity="warning", markup=False)
    else:
        app.notify("Silencing is not available for this source yet", markup=False)
