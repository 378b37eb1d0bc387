"""The TOML config file, validated with pydantic, and its one clear error message.

Lookup order and keys are in CONTRACT.md. Environment variables override the file's
``[cockpit]`` section: ``COCKPIT_<KEY>`` for any of its keys, read by pydantic-settings
(:mod:`cockpit.engine.config_env`, imported only when such a variable is set: it costs the
first frame about 10 ms); command-line flags override both (cockpit.commands.common).
Each ``[[sources]]`` table is checked against its adapter's own ``Options`` model, so a typo in
an adapter key is refused with the source's name and the key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cockpit.engine.cockpit_section import CockpitSection, settings_in_environment
from cockpit.engine.paths import config_path
from cockpit.engine.user_actions import ActionSpec
from cockpit.sources import DEMO_RUNBOOKS_DIR
from cockpit.sources.base import SourceOptions

__all__ = ["CockpitSection", "Config", "ConfigError", "SourceEntry", "demo_config", "load_config", "resolve_session",
           "running_over_ssh", "settings_in_environment"]

DEMO_SOURCES = [
    {"name": "demo", "type": "demo"},
    {"name": "demo-runbooks", "type": "runbooks",
     "paths": [str(DEMO_RUNBOOKS_DIR)],
     "url_prefixes": ["https://runbooks.demo.invalid/"]},
]
"""What ``--demo`` runs: the embedded demo source and its runbooks, through the real adapters."""

class ConfigError(Exception):
    """A config that cannot be used. ``message`` names the file, the key and what was expected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SourceEntry(BaseModel):
    """One ``[[sources]]`` table: name and type, the rest validated by the adapter's Options."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    type: str
    options: SourceOptions
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)
    """The table as written, minus name and type (for adapters that re-read it)."""


@dataclass
class Config:
    """A validated config."""

    cockpit: CockpitSection
    sources: list[SourceEntry]
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    actions: list[ActionSpec] = field(default_factory=list)
    """The ``[[actions]]`` tables: your own commands and links on the selected item."""

    @property
    def config_dir(self) -> Path | None:
        return self.path.parent if self.path else None


def running_over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    """True in an SSH session (``SSH_CONNECTION`` set): low-bandwidth mode's default."""
    env = os.environ if environ is None else environ
    return bool(env.get("SSH_CONNECTION"))


def resolve_session(section: CockpitSection, environ: Mapping[str, str] | None = None) -> CockpitSection:
    """Fill in the settings whose default depends on the session, once, before the app reads
    them: ``low_bandwidth`` unset is on over SSH. Returns ``section``, changed in place."""
    if section.low_bandwidth is None:
        section.low_bandwidth = running_over_ssh(environ)
    return section


def load_config(path: str | Path | None = None, *, demo: bool = False) -> Config:
    """Read and validate the config found by the CONTRACT lookup order.

    With ``demo`` the sources are replaced by the embedded demo source and a missing file is
    fine. Raises :class:`ConfigError` with a message for the user; never anything else.
    """
    explicit = path is not None
    file = config_path(path)
    data: dict[str, Any] = {}
    if file.is_file():
        data = _read_toml(file)
    elif explicit or not demo:
        hint = "" if explicit else " (give --config FILE, set COCKPIT_CONFIG, or try --demo)"
        raise ConfigError(f"{file}: no config file there{hint}")
    else:
        file = None  # type: ignore[assignment]
    return _validate(data, file, demo=demo)


def demo_config() -> Config:
    """The config ``--demo`` runs on when no file exists: one embedded demo source."""
    return _validate({}, None, demo=True)


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read: {exc.strerror}") from None


def _validate(data: dict[str, Any], file: Path | None, *, demo: bool) -> Config:
    where = str(file) if file else "<demo>"
    unknown = set(data) - {"cockpit", "sources", "keys", "actions"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(f"{where}: unknown key {key!r} (expected [cockpit], [[sources]], [[actions]] or [keys])")
    section_data = data.get("cockpit", {})
    if not isinstance(section_data, dict):
        raise ConfigError(f"{where}: key 'cockpit': expected a table [cockpit]")
    try:
        section = _section(section_data)
    except ValidationError as exc:
        raise ConfigError(_from_env(exc) or _explain(where, "cockpit", exc)) from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(f"{where}: key 'keys': expected a table of binding id = \"key,key\" strings")
    raw_sources = data.get("sources", [])
    if demo:
        raw_sources = DEMO_SOURCES
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{where}: key 'sources': expected an array of tables [[sources]]")
    entries = [_source_entry(where, i, raw) for i, raw in enumerate(raw_sources)]
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry.name in seen:
            raise ConfigError(f"{where}: key 'sources[{i}].name': {entry.name!r} is used twice; names must be unique")
        seen.add(entry.name)
    return Config(cockpit=section, sources=entries, keys=dict(keys), path=file, actions=_actions(where, data))


def _section(table: dict[str, Any]) -> CockpitSection:
    """The ``[cockpit]`` table, with the ``COCKPIT_<KEY>`` variables over it when one is set."""
    if not settings_in_environment():
        return CockpitSection(**table)
    from cockpit.engine.config_env import UnparsableVariable, section_with_environment

    try:
        return section_with_environment(table)
    except UnparsableVariable as exc:
        raise ConfigError(str(exc)) from None


def _actions(where: str, data: dict[str, Any]) -> list[ActionSpec]:
    raw = data.get("actions", [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ConfigError(f"{where}: key 'actions': expected an array of tables [[actions]]")
    actions = []
    for index, table in enumerate(raw):
        try:
            actions.append(ActionSpec.model_validate(table))
        except ValidationError as exc:
            raise ConfigError(_explain(where, f"actions[{index}]", exc, label=table.get("name"))) from None
    return actions


def _source_entry(where: str, index: int, raw: Any) -> SourceEntry:
    from cockpit.engine.registry import UnknownSourceType, load_source_class

    loc = f"sources[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: key '{loc}': expected a table [[sources]]")
    name, type_name = raw.get("name"), raw.get("type")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: key '{loc}.name': expected a non-empty string naming the source")
    if not isinstance(type_name, str):
        raise ConfigError(f"{where}: key '{loc}.type' ({name}): expected a source type name")
    try:
        source_class = load_source_class(type_name)
    except UnknownSourceType as exc:
        raise ConfigError(f"{where}: key '{loc}.type' ({name}): {exc}") from None
    rest = {k: v for k, v in raw.items() if k not in ("name", "type")}
    try:
        options = source_class.Options.model_validate(rest)
    except ValidationError as exc:
        raise ConfigError(_explain(where, f"{loc}", exc, label=name)) from None
    return SourceEntry(name=name, type=type_name, options=options, raw=rest)


def _from_env(exc: ValidationError) -> str | None:
    """The error as the environment variable's, when that variable set the bad value (the
    environment overrides the file: blaming the file's key would send the user to the wrong place)."""
    error = exc.errors(include_url=False)[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    variable = f"COCKPIT_{field.upper()}"
    if not field or variable not in os.environ:
        return None
    message = error["msg"].replace("Input should be", "expected").replace("Value error, ", "")
    return f"environment variable {variable}={os.environ[variable]!r}: {message}"


def _explain(where: str, prefix: str, exc: ValidationError, label: str | None = None) -> str:
    """The first validation error as 'file: key 'a.b' (name): what was expected'."""
    errors = exc.errors(include_url=False)
    # A misspelt key also makes the right one "missing": name the misspelling first.
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    parts = [prefix]
    for piece in error["loc"]:
        if isinstance(piece, int):
            parts[-1] += f"[{piece}]"
        else:
            parts.append(str(piece))
    key = ".".join(parts)
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key (not an option of this section or source type)"
    elif error["type"] == "missing":
        message = "required key is missing"
    elif error["type"] == "literal_error":
        message = f"expected {message.removeprefix('Input should be ')}"
    else:
        message = message.replace("Input should be", "expected").replace("Value error, ", "")
    who = f" ({label})" if label else ""
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{where}: key '{key}'{who}: {message}{tail}"
