"""The triage walkthrough for the selected alert (placeholder until the triage screen lands)."""

from __future__ import annotations

from typing import Any

from cockpit.models import Alert


def start_triage(app: Any, alert: Alert) -> None:
    app.notify("Triage walkthroughs are not available yet", markup=False)
