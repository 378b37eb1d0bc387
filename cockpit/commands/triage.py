"""``cockpit triage list`` and ``cockpit triage export ID``.

Triages are started from the TUI (``t`` on an alert) and kept in ``<state_dir>/triages``. The
export merges the deploys and pipelines captured when the triage started with those the cache
holds now (when a config is found), keeping only the alert's service before the alert.
``e`` in a triage writes the same export to the state dir's ``exports/triage-<id>.md``; here it
goes to stdout, or to ``--output PATH`` (a file or a folder), whose path is said on stderr.
Exit status: 0; 1 no such triage, or the output cannot be written; 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cockpit.commands.common import Subcommands, add_command, add_format, load_optional, markdown_table, print_json, usage
from cockpit.engine.config import ConfigError
from cockpit.core.models import Deploy, Pipeline
from cockpit.engine.paths import cache_dir, state_dir
from cockpit.core.files import atomic_write_text
from cockpit.core.textsafe import clean_line

# Every ``cockpit`` run imports this module to register the subcommands (the TUI included, before
# its first paint): the triage store is imported by the handlers that use it.

__all__ = ["cached_changes", "register"]


def register(subparsers: Subcommands) -> None:
    """Add ``triage list`` and ``triage export`` to the ``cockpit`` parser."""
    triage = add_command(subparsers, "triage", "list or export triage walkthroughs")
    triage.set_defaults(handler=lambda args: usage(triage))
    sub = triage.add_subparsers(dest="triage_command", metavar="ACTION")

    listing = add_command(sub, "list", "open triages, most recent first")
    listing.add_argument("--all", action="store_true", help="closed ones too")
    add_format(listing)
    listing.set_defaults(handler=run_list)

    export = add_command(sub, "export", "print a triage as a Markdown incident timeline")
    export.add_argument("id", metavar="ID", help="the triage id (see: cockpit triage list)")
    export.add_argument("--output", "-o", metavar="PATH",
                        help="write to PATH (a file, or a folder: PATH/triage-ID.md; 0600) instead of stdout; "
                             "the path is said on stderr")
    export.set_defaults(handler=run_export)


def cached_changes(args: argparse.Namespace) -> tuple[list[Deploy], list[Pipeline]]:
    """Every deploy and pipeline in the cache for the config's sources.

    Raises ConfigError only when a config was asked for explicitly (--config, --demo); with no
    config found, there is simply nothing to add.
    """
    config = load_optional(args)
    if config is None:
        return [], []
    from cockpit.engine.cache import CacheStore

    deploys: list[Deploy] = []
    pipelines: list[Pipeline] = []
    store = CacheStore(cache_dir())
    try:
        for entry in config.sources:
            state = store.load(entry.name)
            for item in state.items if state else []:
                if isinstance(item, Deploy):
                    deploys.append(item)
                elif isinstance(item, Pipeline):
                    pipelines.append(item)
    finally:
        store.close()
    return deploys, pipelines


def run_list(args: argparse.Namespace) -> int:
    from cockpit.engine.triage.store import TriageStore

    triages = TriageStore.in_cache(state_dir()).list(include_closed=args.all)
    if args.format != "text":
        rows = [
            {
                "id": t.id, "status": t.status, "alert": t.alert.name, "source": t.alert.source,
                "steps_done": t.progress[0], "steps": t.progress[1],
                "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat(),
            }
            for t in triages
        ]
        if args.format == "json":
            print_json(rows)
        else:
            sys.stdout.write(markdown_table(list(rows[0]) if rows else ["id"],
                                            [[clean_line(str(v), 200) for v in r.values()] for r in rows]))
        return 0
    if not triages:
        print("no open triages" if not args.all else "no triages", file=sys.stderr)
    for t in triages:
        done, total = t.progress
        updated = t.updated_at.strftime("%Y-%m-%d %H:%M")
        print(f"{t.id}  {t.status:<6} {done:>3}/{total:<3} {updated}  {clean_line(t.alert.name, 80)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from cockpit.engine.triage.export import export_file_name, export_markdown
    from cockpit.engine.triage.store import TriageError, TriageStore

    store = TriageStore.in_cache(state_dir())
    try:
        triage = store.load(args.id)
    except TriageError as exc:
        print(f"cockpit: {exc.message}", file=sys.stderr)
        return 1
    try:
        deploys, pipelines = cached_changes(args)
    except ConfigError as exc:
        print(f"cockpit: {exc.message}", file=sys.stderr)
        return 2
    text = export_markdown(triage, deploys, pipelines)
    if not args.output:
        sys.stdout.write(text)
        return 0
    target = Path(args.output).expanduser()
    if target.is_dir():
        target = target / export_file_name(triage.id)
    try:
        atomic_write_text(target, text, mode=0o600)
    except OSError as exc:
        print(f"cockpit: --output {clean_line(target, 300)}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"triage {triage.id} exported to {clean_line(target.resolve(), 1000)}", file=sys.stderr)
    return 0
