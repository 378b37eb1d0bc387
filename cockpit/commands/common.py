"""What every subcommand shares: the global options, the config they ask for, the output format.

The global options (``--config``, ``--demo``, ``--read-only``, ``--theme``, ``--low-bandwidth``,
``--log-level``) are declared once, in :func:`global_options`, and given to the top-level parser
and to every subcommand as an argparse parent with ``default=SUPPRESS``: a flag written before
the subcommand is not overwritten by the subcommand's default, and one written after it means the
same. Precedence: an explicit flag, then the environment (``COCKPIT_*``), then the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cockpit.core.textsafe import markdown_inert
from cockpit.engine.config import Config, ConfigError, load_config

__all__ = [
    "EPILOG",
    "GLOBAL_FLAGS",
    "LOG_LEVELS",
    "GlobalFlags",
    "Subcommands",
    "add_command",
    "add_format",
    "flags",
    "global_options",
    "load",
    "load_optional",
    "markdown_table",
    "print_json",
    "usage",
]

LOG_LEVELS = ("debug", "info", "warning", "error")
GLOBAL_FLAGS = ("config", "demo", "read_only", "theme", "low_bandwidth", "log_level")
"""The ``argparse`` destinations of the global options."""


EPILOG = """\
files:
  config   --config, else $COCKPIT_CONFIG, else $XDG_CONFIG_HOME/cockpit/config.toml
           (~/.config/cockpit/config.toml); `cockpit config init` writes a commented example
  cache    $COCKPIT_CACHE_DIR, else ~/.cache/cockpit: only what can be rebuilt (last poll
           of each source, runbook index); safe to delete
  state    $COCKPIT_STATE_DIR, else $XDG_STATE_HOME/cockpit (~/.local/state/cockpit): shift
           history, audit log of writes, triages, handoff notes, the log file cockpit.log;
           exports/ and reports/: what `e` exports in a triage and in the report

environment:
  COCKPIT_CONFIG, COCKPIT_CACHE_DIR, COCKPIT_STATE_DIR   the paths above
  COCKPIT_READ_ONLY, COCKPIT_THEME, COCKPIT_LOW_BANDWIDTH, COCKPIT_LOG_LEVEL
           override the file's [cockpit] table; a command-line flag overrides them
  NO_COLOR (non-empty)   the mono theme, unless --theme names one
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY, SSL_CERT_FILE, SSL_CERT_DIR
           used by every HTTP source unless it sets proxy = "..." or trust_env = false
  SSH_CONNECTION   when set, low-bandwidth mode is on by default

exit status:
  0 ok; 1 a source failed (snapshot, check) or nothing to act on; 2 bad usage or config;
  130 interrupted
"""
"""The end of every ``--help``: files, environment variables and exit status."""


def global_options() -> argparse.ArgumentParser:
    """A parent parser holding the global options, accepted before or after any subcommand."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("global options (before or after the subcommand)")
    keep = argparse.SUPPRESS
    group.add_argument("--config", metavar="FILE", default=keep,
                       help="config file (default: $COCKPIT_CONFIG, then $XDG_CONFIG_HOME/cockpit/config.toml)")
    group.add_argument("--demo", action="store_true", default=keep, help="use the embedded demo sources")
    group.add_argument("--read-only", action="store_true", default=keep, help="refuse every write (silences, actions)")
    group.add_argument("--theme", metavar="NAME", default=keep,
                       help="colour theme: dark, light, high-contrast, mono, or a Textual theme (nord, gruvbox, ...)")
    group.add_argument("--low-bandwidth", action="store_true", default=keep,
                       help="no animation, coarse ages, 16 colours")
    group.add_argument("--log-level", choices=LOG_LEVELS, default=keep,
                       help="what the log file keeps (default: warning)")
    return parent


@dataclass(frozen=True)
class GlobalFlags:
    """The global options as given on the command line (None: not given)."""

    config: str | None = None
    demo: bool = False
    read_only: bool | None = None
    theme: str | None = None
    low_bandwidth: bool | None = None
    log_level: str | None = None

    def overrides(self) -> dict[str, Any]:
        """The ``[cockpit]`` settings the flags set explicitly."""
        found = {"read_only": self.read_only, "theme": self.theme, "low_bandwidth": self.low_bandwidth,
                 "log_level": self.log_level}
        return {key: value for key, value in found.items() if value is not None}


_PARENT = global_options()


class Subcommands(Protocol):
    """What ``ArgumentParser.add_subparsers()`` returns, as the commands use it (argparse names
    its class only privately)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def add_command(subparsers: Subcommands, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand that takes the global options and whose help ends with :data:`EPILOG`."""
    return subparsers.add_parser(name, help=help_text, description=help_text, parents=[_PARENT], epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)


def flags(args: argparse.Namespace) -> GlobalFlags:
    """The global options of parsed arguments, wherever they stood."""
    return GlobalFlags(
        config=getattr(args, "config", None),
        demo=bool(getattr(args, "demo", False)),
        read_only=True if getattr(args, "read_only", False) else None,
        theme=getattr(args, "theme", None),
        low_bandwidth=True if getattr(args, "low_bandwidth", False) else None,
        log_level=getattr(args, "log_level", None),
    )


def load(args: argparse.Namespace) -> Config:
    """The config the arguments ask for, with the flags applied over environment and file.

    Raises :class:`ConfigError`.
    """
    given = flags(args)
    config = load_config(given.config, demo=given.demo)
    for key, value in given.overrides().items():
        setattr(config.cockpit, key, value)
    return config


def load_optional(args: argparse.Namespace) -> Config | None:
    """Like :func:`load`, but None when no config was asked for and none is found."""
    given = flags(args)
    try:
        return load(args)
    except ConfigError:
        if given.config is not None or given.demo:
            raise
        return None


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json", "markdown")) -> None:
    """``--format`` (default text) and ``--json``, its alias for ``--format json``."""
    parser.add_argument("--format", choices=list(choices), default="text", help="output format (default text)")
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="same as --format json")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; each cell inert (markup characters escaped), its line
    breaks kept as ``<br>`` (a table row is one line)."""

    def cell(value: Any) -> str:
        return "<br>".join(markdown_inert(line) for line in ("" if value is None else str(value)).splitlines() or [""])

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def usage(parser: argparse.ArgumentParser) -> int:
    """Print a command group's help on stderr; exit status 2 (bad usage)."""
    parser.print_help(sys.stderr)
    return 2
