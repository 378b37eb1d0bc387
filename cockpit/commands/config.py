"""``cockpit config init [--path FILE]`` and ``cockpit config show``.

``init`` writes a commented example (every source type, each line commented out; uncommented it
is a valid config) to ``--path``, else where ``--config``/``$COCKPIT_CONFIG``/the default
lookup points, created 0600 in a 0700 folder; it never overwrites a file. ``show`` prints the
effective config, secrets masked, each value with its origin: ``flag``, ``env`` (the variable),
``file`` or ``default``, and where the cache, the state and the log file are.
Exit status: 0; 1 the file exists already (init); 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from cockpit.commands.common import Subcommands, add_command, add_format, flags, load, print_json, usage
from cockpit.engine.config import Config
from cockpit.engine.logfile import LOG_FILE_NAME
from cockpit.engine.paths import cache_dir, config_path, state_dir

__all__ = ["example_config", "mask", "path_rows", "register", "show_rows"]

MASK = "********"
_SECRET_NAME = re.compile(r"authorization|token|secret|password|cookie|api[-_]?key", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@/\s]+@")


def example_config() -> str:
    """The commented example ``config init`` writes."""
    return resources.files("cockpit.commands").joinpath("config_example.toml").read_text(encoding="utf-8")


def register(subparsers: Subcommands) -> None:
    """Add ``config init`` and ``config show`` to the ``cockpit`` parser."""
    config = add_command(subparsers, "config", "write an example config, or show the one in force")
    config.set_defaults(handler=lambda args: usage(config))
    sub = config.add_subparsers(dest="config_command", metavar="ACTION")
    init = add_command(sub, "init", "write a commented example config (never overwrites)")
    init.add_argument("--path", metavar="FILE", help="where to write it (default: the config location)")
    init.set_defaults(handler=run_init)
    show = add_command(sub, "show", "the effective config, secrets masked, with each value's origin")
    add_format(show, ("text", "json"))
    show.set_defaults(handler=run_show)


def run_init(args: argparse.Namespace) -> int:
    target = Path(args.path).expanduser() if args.path else config_path(flags(args).config)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: never overwrite, even when another process writes the file meanwhile.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"cockpit: {target} exists already; not overwritten (remove it or give --path)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cockpit: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return 2
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(example_config())
    print(f"wrote {target}: uncomment what you use, then run: cockpit check")
    return 0


def mask(key: str, value: Any) -> Any:
    """``value`` with secrets hidden: secret-looking keys, header values, URL passwords."""
    if isinstance(value, dict):
        return {k: (MASK if _SECRET_NAME.search(str(k)) and v else mask(str(k), v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(key, v) for v in value]
    if isinstance(value, str):
        if _SECRET_NAME.search(key) and not key.endswith(("_env", "_file")) and value:
            return MASK
        return _URL_PASSWORD.sub(rf"\g<1>{MASK}@", value)
    return value


def _file_data(config: Config) -> dict[str, Any]:
    if config.path is None:
        return {}
    try:
        with config.path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):  # load() read it a moment ago
        return {}


def show_rows(config: Config, given_flags: dict[str, Any], environ: dict[str, str] | None = None,
              *, demo: bool = False) -> list[dict[str, Any]]:
    """One row per setting: ``section``, ``key``, ``value`` (masked) and ``origin``."""
    env = os.environ if environ is None else environ
    file_section = _file_data(config).get("cockpit", {})
    rows: list[dict[str, Any]] = []
    values = config.cockpit.model_dump(mode="json")
    for key, value in values.items():
        variable = f"COCKPIT_{key.upper()}"
        if key in given_flags:
            origin = "flag --" + key.replace("_", "-")
        elif variable in env:
            origin = f"env {variable}"
        elif key in file_section:
            origin = "file"
        else:
            origin = "default"
        rows.append({"section": "cockpit", "key": key, "value": mask(key, value), "origin": origin})
    for key, value in sorted(config.keys.items()):
        rows.append({"section": "keys", "key": key, "value": value, "origin": "file"})
    for entry in config.sources:
        section = f"sources.{entry.name}"
        where = "flag --demo" if demo else "file"
        rows.append({"section": section, "key": "type", "value": entry.type, "origin": where})
        for key, value in entry.options.model_dump(mode="json").items():
            origin = where if key in entry.raw else "default"
            rows.append({"section": section, "key": key, "value": mask(key, value), "origin": origin})
    return rows


def path_rows(environ: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Where the cache and the state are kept, and the log file (not created by asking)."""
    env = os.environ if environ is None else environ
    state = state_dir(create=False)
    rows = []
    for key, path, variable in (("cache_dir", cache_dir(create=False), "COCKPIT_CACHE_DIR"),
                                ("state_dir", state, "COCKPIT_STATE_DIR")):
        origin = f"env {variable}" if env.get(variable) else "default"
        if key == "state_dir" and not env.get(variable) and env.get("XDG_STATE_HOME"):
            origin = "env XDG_STATE_HOME"
        rows.append({"section": "paths", "key": key, "value": str(path), "origin": origin})
    rows.append({"section": "paths", "key": "log_file", "value": str(state / LOG_FILE_NAME), "origin": "state_dir"})
    return rows


def run_show(args: argparse.Namespace) -> int:
    given = flags(args)
    config = load(args)
    if given.config:
        whence = "--config"
    elif os.environ.get("COCKPIT_CONFIG"):
        whence = "$COCKPIT_CONFIG"
    else:
        whence = "default location"
    file_text = f"{config.path} ({whence})" if config.path else "none"
    rows = path_rows() + show_rows(config, given.overrides(), demo=given.demo)
    if args.format == "json":
        print_json({"file": str(config.path) if config.path else None, "settings": rows})
        return 0
    print(f"# config file: {file_text}")
    section = None
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            print(f"\n[{section}]")
        print(f"{row['key']} = {json.dumps(row['value'])}  # {row['origin']}")
    return 0
