"""``COCKPIT_<KEY>`` environment variables over the ``[cockpit]`` table, read by pydantic-settings."""

from __future__ import annotations

import os
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from cockpit.engine.cockpit_section import CockpitSection

__all__ = ["EnvironmentSection", "UnparsableVariable", "section_with_environment"]


class UnparsableVariable(ValueError):
    """A ``COCKPIT_<KEY>`` list that is not JSON; the message names the variable."""


class EnvironmentSection(BaseSettings, CockpitSection):
    """The ``[cockpit]`` table with the environment over it."""

    model_config = SettingsConfigDict(env_prefix="COCKPIT_", extra="forbid")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file (which arrives as init kwargs).
        return (env_settings, init_settings)


def section_with_environment(section_data: dict[str, Any]) -> CockpitSection:
    """The file's ``[cockpit]`` table with the environment over it (raises ValidationError, or
    :class:`UnparsableVariable`)."""
    try:
        return EnvironmentSection(**section_data)
    except SettingsError as exc:  # a COCKPIT_<KEY> list that is not JSON: pydantic-settings' own error
        raise UnparsableVariable(_unparsable_env(exc)) from None


def _unparsable_env(exc: SettingsError) -> str:
    """pydantic-settings' "error parsing value for field "x"" as the variable and what it takes:
    a list is written as JSON (``COCKPIT_ALERT_GROUP_BY='["service"]'``)."""
    field = str(exc).split('field "', 1)[-1].split('"', 1)[0]
    variable = f"COCKPIT_{field.upper()}"
    value = next((v for k, v in os.environ.items() if k.upper() == variable), "")
    return (f"environment variable {variable}={value!r}: expected a JSON list, "
            f"such as '[\"severity\", \"alertname\"]'")
