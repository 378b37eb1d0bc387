"""The ``prometheus-slo`` source's options: SLOs declared by hand and the source's settings.

Kept apart from :mod:`cockpit.sources.prometheus_slo` (the polling) so that reading a config
needs only these models.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from cockpit.core.durations import parse_duration
from cockpit.core.slo_math import Thresholds, normalise_objective
from cockpit.sources.prom_api import PromApiOptions

__all__ = ["DeclaredSlo", "PrometheusSloOptions"]


class DeclaredSlo(BaseModel):
    """An SLO written in the config (``[[sources.slos]]``)."""

    model_config = ConfigDict(extra="forbid")

    service: str
    """The service the SLO belongs to."""
    name: str
    """The SLO's name within the service."""
    objective: float
    """Target as a fraction (0.999); a value above 1 is read as a percentage (99.9)."""
    period: str = "30d"
    """The period the error budget covers."""
    error_query: str
    """PromQL for the rate of bad events, with ``{{window}}`` where the range goes."""
    total_query: str
    """PromQL for the rate of all events, with ``{{window}}`` where the range goes."""

    @field_validator("objective")
    @classmethod
    def _fraction(cls, value: float) -> float:
        return normalise_objective(value)

    @field_validator("period")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("error_query", "total_query")
    @classmethod
    def _placeholder(cls, value: str) -> str:
        if "{{window}}" not in value.replace(" ", ""):
            raise ValueError("the query needs a {{window}} placeholder, e.g. rate(x[{{window}}])")
        return value

    @property
    def id(self) -> str:
        return f"{self.service}-{self.name}"

    def ratio_query(self, window: str) -> str:
        """The error ratio over ``window`` (``{{ window }}`` with spaces is accepted too)."""
        error = re.sub(r"\{\{\s*window\s*\}\}", window, self.error_query)
        total = re.sub(r"\{\{\s*window\s*\}\}", window, self.total_query)
        return f"({error}) / ({total})"


class PrometheusSloOptions(PromApiOptions):
    """Options of the prometheus-slo source."""
    slos: list[DeclaredSlo] = []
    """SLOs declared by hand, beside the discovered ones."""
    thresholds: Thresholds = Thresholds()
    """Burn-rate rules for the page and ticket status."""
    discover_sloth: bool = True
    """Find SLOs from Sloth's recording rules (sloth_slo_info)."""
    discover_pyrra: bool = True
    """Find SLOs from Pyrra's recording rules (pyrra_objective, *:burnrate<W>)."""
    history: bool = True
    """Fetch the 1h burn over the last 24 hours for the sparkline (one range query)."""
    evaluation_time: datetime | None = None
    """Evaluate as of this moment instead of now (replaying recorded or backfilled data)."""


