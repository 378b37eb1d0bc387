"""The ``cockpit`` command's first line: start-up runs without the cyclic garbage collector
(:mod:`cockpit.core.startup`), then :func:`cockpit.cli.main` runs."""

from __future__ import annotations

from cockpit.core.startup import hold_collector

__all__ = ["main"]


def main() -> int:
    hold_collector()
    from cockpit.cli import main as cli_main

    return cli_main()
