"""The multiwindow, multi-burn-rate rules an SLO is judged by (the SRE Workbook's by default).

Apart from :mod:`cockpit.core.slo_math` so that an :class:`cockpit.core.models.Slo` can carry the
rules its source judged it by (the panel and the detail then mark windows by the same rules as
the status), while the maths imports the models.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["WINDOWS", "BurnRule", "Thresholds"]

WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
"""The windows every SLO reports a burn rate for, shortest first (the keys of ``burn_rates``)."""


class BurnRule(BaseModel):
    """One multiwindow rule: both windows burning faster than ``factor``."""

    model_config = ConfigDict(extra="forbid")

    long: str
    """The long window, one of 5m, 30m, 1h, 2h, 6h, 1d, 3d."""
    short: str
    """The short window (it makes the rule stop soon after the burn stops)."""
    factor: float
    """The burn rate both windows must exceed."""

    @field_validator("long", "short")
    @classmethod
    def _known_window(cls, value: str) -> str:
        if value not in WINDOWS:
            raise ValueError(f"window must be one of {', '.join(WINDOWS)}, got {value!r}")
        return value


def _rules(*triples: tuple[str, str, float]) -> list[BurnRule]:
    return [BurnRule(long=l, short=s, factor=f) for l, s, f in triples]


class Thresholds(BaseModel):
    """The burn-rate rules that make an SLO page or ticket (defaults: the SRE Workbook's)."""

    model_config = ConfigDict(extra="forbid")

    page: list[BurnRule] = _rules(("1h", "5m", 14.4), ("6h", "30m", 6.0))
    """Rules that page: 2% of a 30d budget in 1h, or 5% in 6h."""
    ticket: list[BurnRule] = _rules(("1d", "2h", 3.0), ("3d", "6h", 1.0))
    """Rules that open a ticket: 10% of the budget in 1d, or 10% in 3d."""
