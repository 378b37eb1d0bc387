"""``cockpit report`` (the shift's on-call KPIs) and ``cockpit handoff write|list|dismiss``.

The report is rebuilt from the upstreams that keep history (``prometheus-alerts``: range queries
of ``ALERTS`` and ``ALERTS_FOR_STATE``; ``pagerduty``: log entries) and merged with what this
cockpit recorded (``<state_dir>/history.sqlite``, triage files, the audit log, handoff notes: the state dir).
The window is ``--since`` back from now, or ``--from``/``--until`` (RFC 3339 or ``now-24h``).
A configured source that recorded nothing is reported as a hole.
Exit status: 0; 1 an upstream could not answer (its part is shown as a hole) or ``handoff
dismiss`` found nothing to dismiss; 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timedelta, timezone

from cockpit.commands.common import Subcommands, add_command, add_format, load_optional, markdown_table, print_json, usage
from cockpit.engine.paths import state_dir
from cockpit.core.textsafe import clean_line, clean_lines

# Every ``cockpit`` run imports this module to register the subcommands (the TUI included, before
# its first paint): what only the handlers need is imported inside them.

__all__ = ["register", "run_handoff_dismiss", "run_handoff_list", "run_handoff_write", "run_report"]


def register(subparsers: Subcommands) -> None:
    """Add ``report`` and ``handoff`` to the ``cockpit`` parser."""
    report = add_command(subparsers, "report", "on-call KPIs of the last shift, from the local history")
    report.add_argument("--since", metavar="DURATION", help="window length back from now (default 12h)")
    report.add_argument("--from", dest="start", metavar="TIME", help="window start: RFC 3339 or now-24h (instead of --since)")
    report.add_argument("--until", metavar="TIME", help="window end: RFC 3339 or now-1h (default now)")
    add_format(report)
    report.add_argument("--noise-minutes", type=float, default=5.0, metavar="N",
                        help="an alert resolved within N minutes with no action counts as noise (default 5)")
    report.add_argument("--flap-count", type=int, default=3, metavar="K", help="fired K times or more = flapping (default 3)")
    report.add_argument("--business-hours", default="09:00-18:00", metavar="HH:MM-HH:MM",
                        help="on weekdays; pages outside are after hours (default 09:00-18:00)")
    report.add_argument("--tz", metavar="ZONE", help="time zone of business hours and times shown (default: local)")
    report.set_defaults(handler=run_report)

    handoff = add_command(subparsers, "handoff", "handoff notes for the next shift")
    handoff.set_defaults(handler=lambda args: usage(handoff))
    sub = handoff.add_subparsers(dest="handoff_command", metavar="ACTION")
    write = add_command(sub, "write", "add a note (shown at the next cockpit start until dismissed)")
    write.add_argument("text", nargs="+", metavar="TEXT")
    write.add_argument("--author", help="who writes it (default: the login name)")
    write.set_defaults(handler=run_handoff_write)
    listing = add_command(sub, "list", "notes not dismissed yet (--all: every note)")
    listing.add_argument("--all", action="store_true")
    add_format(listing)
    listing.set_defaults(handler=run_handoff_list)
    drop = add_command(sub, "dismiss", "dismiss one note by id (prefix), or every pending note")
    drop.add_argument("id", nargs="?", metavar="ID")
    drop.set_defaults(handler=run_handoff_dismiss)


def _hours(text: str) -> tuple[time, time]:
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _window(args: argparse.Namespace, now: datetime) -> tuple[datetime, datetime]:
    """--since back from --until (default now), or --from to --until."""
    from cockpit.core.durations import parse_duration
    from cockpit.core.times import parse_moment

    if args.since and args.start:
        raise ValueError("give --since or --from, not both")
    until = parse_moment(args.until, now) if args.until else now
    if args.start:
        return parse_moment(args.start, now), until
    window = parse_duration(args.since or "12h")
    if window <= 0:
        raise ValueError("--since must be positive")
    return until - timedelta(seconds=window), until


def run_report(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from cockpit.engine.history import History
    from cockpit.engine.report.build import rebuild_report, report_options
    from cockpit.engine.report.render import render_report

    try:
        since, until = _window(args, datetime.now(timezone.utc))
        start, end = _hours(args.business_hours)
        zone = ZoneInfo(args.tz) if args.tz else None
    except (ValueError, ZoneInfoNotFoundError) as exc:
        print(f"cockpit report: {exc or 'bad argument'}", file=sys.stderr)
        return 2
    if since >= until or start >= end:
        print("cockpit report: the window must start before it ends and business hours must start before they end",
              file=sys.stderr)
        return 2
    config = load_optional(args)
    opts = report_options(config, since, until, noise_minutes=args.noise_minutes, flap_count=args.flap_count,
                          business_start=start, business_end=end, tz=zone)
    directory = state_dir()
    history = History(directory)
    try:
        report, failed = rebuild_report(config, history, directory, opts)
    finally:
        history.close()
    for name, reason in sorted(failed.items()):
        print(f"cockpit report: {clean_line(name, 80)}: {clean_line(reason, 300)} (its part is a hole)", file=sys.stderr)
    sys.stdout.write(render_report(report, args.format, opts.zone))  # Markdown ends with the window's timeline
    return 1 if failed else 0


def run_handoff_write(args: argparse.Namespace) -> int:
    from cockpit.engine.actions import default_author
    from cockpit.engine.handoff import HandoffStore

    with HandoffStore(state_dir()) as store:
        if store.notice:  # an unreadable notes file was kept aside, not overwritten
            print(f"cockpit handoff: {store.notice}", file=sys.stderr)
        try:
            note = store.write(" ".join(args.text), author=args.author or default_author())
        except ValueError as exc:
            print(f"cockpit handoff: {exc}", file=sys.stderr)
            return 2
    print(f"note {note.id} saved; the next cockpit start shows it until dismissed")
    return 0


def run_handoff_list(args: argparse.Namespace) -> int:
    from cockpit.engine.handoff import list_notes

    notes = [n for n in list_notes(state_dir()) if args.all or n.dismissed_at is None]
    if args.format == "json":
        print_json([n.to_json() for n in notes])
        return 0
    if args.format == "markdown":
        rows = [(n.id, n.at.astimezone().strftime("%Y-%m-%d %H:%M"), clean_line(n.author or "", 40),
                 "\n".join(clean_lines(n.text)), "dismissed" if n.dismissed_at else "pending") for n in notes]
        sys.stdout.write(markdown_table(("id", "at", "author", "note", "status"), rows))
        return 0
    if not notes:
        print("no handoff notes" if args.all else "no pending handoff notes")
    for note in notes:  # a header line, then the note's lines indented under it, each inert
        when = note.at.astimezone().strftime("%Y-%m-%d %H:%M")
        who = f" {clean_line(note.author, 40)}" if note.author else ""
        flag = " (dismissed)" if note.dismissed_at else ""
        print(f"{note.id}  {when}{who}{flag}")
        for line in clean_lines(note.text, max_len=4000):
            print(f"    {line}")
    return 0


def run_handoff_dismiss(args: argparse.Namespace) -> int:
    from cockpit.engine.handoff import dismiss

    count = dismiss(state_dir(), args.id)
    if not count:
        print("nothing to dismiss" if args.id is None else f"no pending note {clean_line(args.id, 40)}", file=sys.stderr)
        return 1
    print(f"dismissed {count} note{'s' if count > 1 else ''}")
    return 0
