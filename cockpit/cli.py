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

from cockpit import __version__
from cockpit.engine.config import Config, ConfigError, load_config
from cockpit.engine.paths import cache_dir

__all__ = ["main"]

COMMAND_MODULES = ("cockpit.commands.runbooks", "cockpit.commands.triage", "cockpit.commands.report")
"""Modules adding subcommands; each has ``register(subparsers)`` setting ``handler``."""


def _common(parser: argparse.ArgumentParser, demo: bool = True) -> None:
    parser.add_argument("--config", metavar="FILE", help="config file (default: $COCKPIT_CONFIG, then ~/.config/cockpit/config.toml)")
    if demo:
        parser.add_argument("--demo", action="store_true", help="use the embedded demo sources")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cockpit", description="A terminal cockpit for on-call engineers.")
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    _common(parser)
    parser.add_argument("--read-only", action="store_true", help="refuse every write (silences)")
    parser.add_argument("--theme", choices=["dark", "light", "high-contrast", "mono"], help="colour theme")
    parser.add_argument("--low-bandwidth", action="store_true", help="no animation, coarse ages, 16 colours")
    parser.set_defaults(handler=run_tui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    snap = sub.add_parser("snapshot", help="poll every source once, print, exit")
    _common(snap)
    snap.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    snap.set_defaults(handler=run_snapshot)

    check = sub.add_parser("check", help="validate the config and reach every source")
    _common(check, demo=False)
    check.set_defaults(handler=run_check, demo=False)

    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        module.register(sub)
    return parser


def load(args: argparse.Namespace) -> Config:
    """The config the arguments ask for (raises ConfigError)."""
    return load_config(getattr(args, "config", None), demo=getattr(args, "demo", False))


def run_snapshot(args: argparse.Namespace) -> int:
    from cockpit.engine.facade import Engine
    from cockpit.engine.snapshot import render_json, render_markdown, render_text

    config = load(args)
    engine = Engine(config, cache_dir(), share=False)
    states = engine.poll_all_once()
    engine.store.close()
    render = {"json": render_json, "markdown": render_markdown, "text": render_text}[args.format]
    sys.stdout.write(render(states) if args.format != "json" else render(states) + "\n")
    return 1 if any(s.error for s in states) else 0


def run_check(args: argparse.Namespace) -> int:
    from cockpit.engine.facade import Engine

    config = load(args)
    print(f"config {config.path}: ok, {len(config.sources)} source(s)")
    for warning in secret_file_warnings(config):
        print(f"warning: {warning}")
    engine = Engine(config, cache_dir(), share=False)
    states = engine.poll_all_once()
    engine.store.close()
    for state in states:
        count = len(state.items)
        if state.error:
            print(f"FAIL {state.name} ({state.type}): {state.error}")
        else:
            extra = f"; degraded: {state.degraded}" if state.degraded else ""
            print(f"ok   {state.name} ({state.type}): {count} {state.kind.value}{extra}")
    return 1 if any(s.error for s in states) else 0


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


def run_tui(args: argparse.Namespace) -> int:
    config = load(args)
    if args.read_only:
        config.cockpit.read_only = True
    if args.theme:
        config.cockpit.theme = args.theme
    if args.low_bandwidth:
        config.cockpit.low_bandwidth = True
    elif config.cockpit.low_bandwidth is None:
        config.cockpit.low_bandwidth = bool(os.environ.get("SSH_CONNECTION"))
    if os.environ.get("NO_COLOR"):
        config.cockpit.theme = "mono"
    if config.cockpit.low_bandwidth:
        # Textual reads this once, when it is first imported: the 16 ANSI colours only.
        os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "standard")

    from cockpit.engine.facade import Engine
    from cockpit.ui.keys import KeymapError, keymap_from_config
    from cockpit.ui.tui import run_app

    try:
        keymap_from_config(config.keys)
    except KeymapError as exc:
        key, _, why = str(exc).partition(": ")
        raise ConfigError(f"{config.path or '<demo>'}: key '{key}': {why}") from None
    engine = Engine(config, cache_dir())
    return run_app(engine, config)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"cockpit: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
