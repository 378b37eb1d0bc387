"""The ``cockpit`` command line: the TUI, ``snapshot``, ``check`` and the subcommand modules.

Exit status: 0 ok; 1 some source failed (snapshot, check); 2 bad usage or config. A config
problem prints one line naming the file and key, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from cockpit import __version__
from cockpit.core.errors import StorageError
from cockpit.core.startup import release_collector
from cockpit.core.textsafe import clean_line
from cockpit.commands.common import EPILOG, add_command, add_format, flags, global_options, load, print_json
from cockpit.commands.completion import autocomplete
from cockpit.engine.config import Config, ConfigError, resolve_session
from cockpit.engine.logfile import start_logging
from cockpit.engine.paths import cache_dir, state_dir

__all__ = ["build_parser", "main"]

COMMAND_MODULES = (
    "cockpit.commands.runbooks",
    "cockpit.commands.triage",
    "cockpit.commands.report",
    "cockpit.commands.config",
    "cockpit.commands.completion",
)
"""Modules adding subcommands; each has ``register(subparsers)`` setting ``handler``."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit", description="A terminal cockpit for on-call engineers. Without a command: the full-screen TUI.",
        parents=[global_options()], epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    parser.set_defaults(handler=run_tui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    snap = add_command(sub, "snapshot", "poll every source once, print, exit")
    add_format(snap)
    snap.set_defaults(handler=run_snapshot)

    check = add_command(sub, "check", "validate the config and reach every source")
    add_format(check, ("text", "json"))
    check.set_defaults(handler=run_check)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def run_snapshot(args: argparse.Namespace) -> int:
    from cockpit.engine.facade import Engine
    from cockpit.engine.snapshot import render_json, render_markdown, render_text

    config = load(args)
    engine = Engine(config, cache_dir(), state_dir=started(config), share=False)
    states = engine.poll_all_once()
    engine.store.close()
    render = {"json": render_json, "markdown": render_markdown, "text": render_text}[args.format]
    sys.stdout.write(render(states) if args.format != "json" else render(states) + "\n")
    return 1 if any(s.error for s in states) else 0


def run_check(args: argparse.Namespace) -> int:
    from cockpit.engine.facade import Engine

    config = load(args)
    check_keys(config)  # what the TUI would refuse at start, refused here too
    warnings = secret_file_warnings(config)
    engine = Engine(config, cache_dir(), state_dir=started(config), share=False)
    states = engine.poll_all_once()
    engine.store.close()
    if args.format == "json":
        print_json({
            "config": str(config.path) if config.path else None,
            "warnings": warnings,
            "sources": [{"name": s.name, "type": s.type, "kind": s.kind.value, "ok": not s.error,
                         "items": len(s.items), "error": s.error, "degraded": s.degraded} for s in states],
        })
        return 1 if any(s.error for s in states) else 0
    print(f"config {config.path or '<demo>'}: ok, {len(config.sources)} source(s)")
    for warning in warnings:
        print(f"warning: {warning}")
    for state in states:  # errors carry upstream text: printed inert, like the TUI shows them
        count, name = len(state.items), f"{clean_line(state.name, 80)} ({clean_line(state.type, 40)})"
        if state.error:
            print(f"FAIL {name}: {clean_line(state.error, 1000)}")
        else:
            extra = f"; degraded: {clean_line(state.degraded, 1000)}" if state.degraded else ""
            print(f"ok   {name}: {count} {state.kind.value}{extra}")
    return 1 if any(s.error for s in states) else 0


def check_keys(config: Config) -> None:
    """Refuse a ``[keys]`` entry the app does not know, or an ``[[actions]]`` key that a key of
    the main screen (``g``/``G`` included) already takes: a ConfigError naming the key."""
    if not config.keys and not config.actions:
        return  # nothing to check: Textual is not imported for it
    from cockpit.ui.app import binding_owners, main_binding_owners
    from cockpit.ui.keys import KeymapError, check_action_keys, keymap_from_config

    try:
        check_action_keys(list(config.actions), keymap_from_config(config.keys, binding_owners), main_binding_owners())
    except KeymapError as exc:
        key, _, why = str(exc).partition(": ")
        raise ConfigError(f"{config.path or '<demo>'}: key '{key}': {why}") from None


def started(config: Config) -> Path:
    """The state dir (the old layout's files moved over), with the log file open at the
    config's level; returned for the engine."""
    directory = state_dir()
    start_logging(directory, config.cockpit.log_level)
    return directory


def secret_file_warnings(config: Config) -> list[str]:
    """Warn when a config file that holds a secret can be read by other users."""
    if config.path is None:
        return []
    holds_secret = any(
        getattr(entry.options, field, None) is not None for entry in config.sources for field in ("token", "password")
    )
    mode = config.path.stat().st_mode
    if holds_secret and mode & (stat.S_IRGRP | stat.S_IROTH):
        return [f"{config.path} holds a token or password and is readable by others (chmod 600 it, or use token_env/token_file)"]
    return []


def check_theme(config: Config) -> None:
    """Refuse a theme name that is neither ours nor one of Textual's (raises ConfigError)."""
    from cockpit.themes import THEME_NAMES, selectable_themes

    name = config.cockpit.theme
    if name in THEME_NAMES:
        return
    known = selectable_themes()
    if name not in known:
        raise ConfigError(f"{config.path or '<demo>'}: key 'cockpit.theme' (or --theme): unknown theme {name!r}; "
                          f"expected one of {', '.join(known)}")


def run_tui(args: argparse.Namespace) -> int:
    config = load(args)
    resolve_session(config.cockpit)
    if config.cockpit.low_bandwidth:
        # Textual reads this once, when it is first imported: the 16 ANSI colours only.
        os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "standard")
    check_theme(config)  # imports Textual: only after TEXTUAL_COLOR_SYSTEM is set

    from cockpit.engine.facade import Engine
    from cockpit.ui.tui import run_app

    check_keys(config)
    engine = Engine(config, cache_dir(), state_dir=started(config))
    return run_app(engine, theme=flags(args).theme)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    autocomplete(parser)
    args = parser.parse_args(argv)
    if args.handler is not run_tui:
        release_collector()  # the TUI releases it once its first frame is drawn
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"cockpit: {exc.message}", file=sys.stderr)
        return 2
    except StorageError as exc:  # an unusable cache or state dir: one line naming it
        print(f"cockpit: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
