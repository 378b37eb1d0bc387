"""The ``[cockpit]`` table of the config: settings of the whole app, and whether the
environment overrides any of them (``COCKPIT_<KEY>``, read by :mod:`cockpit.engine.config_env`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cockpit.core.durations import Duration, parse_duration

__all__ = ["CockpitSection", "LogLevel", "settings_in_environment"]

LogLevel = Literal["debug", "info", "warning", "error"]


class CockpitSection(BaseModel):
    """The ``[cockpit]`` table: settings of the whole app.

    ``COCKPIT_<KEY>`` environment variables override it (:mod:`cockpit.engine.config_env`
    subclasses it with pydantic-settings). Defaults are validated too, as pydantic-settings
    does, so the two read a table alike."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    read_only: bool = False
    """Refuse every write (silences), from every source."""
    theme: str = Field(default="dark", pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Colour theme: dark, light, high-contrast, mono, or one of Textual's built-in themes by name
    (nord, gruvbox, ...; the command line checks the name). NO_COLOR (non-empty) means mono
    unless --theme is given."""
    log_level: LogLevel = "warning"
    """What the log file in the state dir keeps: debug, info, warning or error."""
    low_bandwidth: bool | None = None
    """No animation, coarse age updates, 16 colours. Default: on when SSH_CONNECTION is set."""
    alert_group_by: list[str] = Field(default_factory=lambda: ["severity", "alertname"])
    """Labels the Alerts panel groups by, outermost first."""
    bell_on_critical: bool = True
    """Ring the terminal bell and send an OSC 9 notification when a new critical alert fires."""
    notify_cooldown: str = "5m"
    """Least time between two bells/notifications (a duration string)."""
    user: str | None = None
    """Author name for silences and the audit log; default: the login name."""
    silence_volatile_labels: list[str] = Field(
        default_factory=lambda: ["pod", "pod_name", "pod_ip", "instance", "container_id", "uid"])
    """Labels a "this alert" silence leaves out by default: they change when a pod restarts or
    moves, and a silence that names them dies with the pod."""
    ack_duration: Duration = 3600.0
    """How long the ``a`` key's silence lasts on an Alertmanager alert ("1h"); ``+`` on the
    silences screen extends a silence by this much too."""
    ack_comment: str = "ACK! {user} via cockpit"
    """The comment of that silence; ``{user}`` is replaced by the author."""
    silence_ending_soon: Duration = 1800.0
    """Silences ending within this time ("30m") are listed first and counted in the status bar."""

    @field_validator("notify_cooldown")
    @classmethod
    def _a_duration(cls, value: str) -> str:
        parse_duration(value)  # raises ValueError naming what was expected
        return value


def settings_in_environment(environ: Mapping[str, str] | None = None) -> bool:
    """True when a ``COCKPIT_<KEY>`` variable names a key of ``[cockpit]`` (any case, as
    pydantic-settings matches them)."""
    env = os.environ if environ is None else environ
    names = {f"cockpit_{key}" for key in CockpitSection.model_fields}
    return any(name.lower() in names for name in env)
