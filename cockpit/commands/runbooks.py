"""``cockpit runbooks search QUERY`` and ``cockpit runbooks index``.

Both read the config's ``runbooks`` sources (with ``--demo`` and no such source: the bundled demo
runbooks), bring the index in the cache dir up to date (incremental, cheap when nothing changed)
and then search or report. Exit status: 0 (also when nothing matches); 2 bad usage or config,
including a config without any ``runbooks`` source or whose runbook folders all do not exist.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from cockpit.commands.common import Subcommands, add_command, add_format, flags, load, markdown_table, print_json, usage
from cockpit.engine.config import ConfigError
from cockpit.engine.paths import cache_dir
from cockpit.core.textsafe import clean_line

if TYPE_CHECKING:  # every ``cockpit`` run imports this module; the index only when used
    from cockpit.engine.runbooks.index import RunbookIndex

__all__ = ["open_index", "register"]


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("expected 1 or more")
    return number


def register(subparsers: Subcommands) -> None:
    """Add ``runbooks search`` and ``runbooks index`` to the ``cockpit`` parser."""
    runbooks = add_command(subparsers, "runbooks", "search the configured runbooks")
    runbooks.set_defaults(handler=lambda args: usage(runbooks))
    sub = runbooks.add_subparsers(dest="runbooks_command", metavar="ACTION")

    search = add_command(sub, "search", "full-text search, best match first")
    search.add_argument("query", nargs="+", metavar="QUERY", help="words to look for (all of them, else any)")
    add_format(search)
    search.add_argument("--limit", type=_positive, default=10, metavar="N", help="at most N hits (default 10)")
    search.set_defaults(handler=run_search)

    index = add_command(sub, "index", "(re)build the index now and report what changed")
    index.set_defaults(handler=run_index)


def open_index(args: argparse.Namespace) -> RunbookIndex:
    """The index over the runbooks the arguments' config names (raises ConfigError)."""
    from cockpit.engine.runbooks.index import RunbookIndex, default_db_path, index_for_config
    from cockpit.sources import DEMO_RUNBOOKS_DIR

    demo = flags(args).demo
    config = load(args)
    index = index_for_config(config, cache_dir())
    if index is None and demo:
        index = RunbookIndex(default_db_path(cache_dir()), [DEMO_RUNBOOKS_DIR])
    if index is None:
        where = config.path or "the config"
        raise ConfigError(f'{where}: no [[sources]] with type = "runbooks" (add one with paths = [...])')
    return index


def _update(index: RunbookIndex):  # -> UpdateStats
    stats = index.update()
    for root in stats.missing_roots:
        print(f"cockpit: warning: runbook folder not found: {root}", file=sys.stderr)
    for problem in stats.errors:
        print(f"cockpit: warning: {problem}", file=sys.stderr)
    if index.roots and len(stats.missing_roots) == len(index.roots):
        raise ConfigError("no runbook folder of the config exists: " + ", ".join(stats.missing_roots))
    return stats


def run_search(args: argparse.Namespace) -> int:
    try:
        with open_index(args) as index:
            _update(index)
            hits = index.search(" ".join(args.query), limit=args.limit)
    except ConfigError as exc:
        print(f"cockpit: {exc.message}", file=sys.stderr)
        return 2
    if args.format == "json":
        print_json([hit.to_dict() for hit in hits])
        return 0
    if args.format == "markdown":
        rows = [(f"{hit.score:.2f}", clean_line(hit.path), clean_line(hit.title), clean_line(hit.snippet or "", max_len=200))
                for hit in hits]
        sys.stdout.write(markdown_table(("score", "path", "title", "snippet"), rows))
        return 0
    if not hits:
        print("no runbook matches", file=sys.stderr)
    for hit in hits:
        print(f"{hit.score:7.2f}  {clean_line(hit.path)}  {clean_line(hit.title)}")
        if hit.snippet:
            print(f"         {clean_line(hit.snippet, max_len=200)}")
    return 0


def run_index(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        with open_index(args) as index:
            stats = _update(index)
            db_path = index.db_path
    except ConfigError as exc:
        print(f"cockpit: {exc.message}", file=sys.stderr)
        return 2
    took = time.perf_counter() - started
    print(
        f"indexed {stats.total} runbook(s) in {took:.2f}s: {stats.added} added, {stats.updated} updated, "
        f"{stats.removed} removed, {stats.unchanged} unchanged ({db_path})"
    )
    return 0
