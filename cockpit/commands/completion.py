"""``cockpit completion bash|zsh|fish``: the shell completion script, from argcomplete.

argcomplete, not shtab: shtab has no fish, and argcomplete costs nothing at start-up here, since
it is imported only when a shell asks for completions (``_ARGCOMPLETE`` set) or by this command.
Install: ``eval "$(cockpit completion bash)"`` in ~/.bashrc (zsh: ~/.zshrc), or
``cockpit completion fish > ~/.config/fish/completions/cockpit.fish``.
"""

from __future__ import annotations

import argparse
import os
import sys

from cockpit.commands.common import Subcommands, add_command

__all__ = ["autocomplete", "register"]

SHELLS = ("bash", "zsh", "fish")


def register(subparsers: Subcommands) -> None:
    """Add ``completion SHELL`` to the ``cockpit`` parser."""
    completion = add_command(subparsers, "completion", "print the shell completion script (bash, zsh or fish)")
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    completion.set_defaults(handler=run_completion)


def autocomplete(parser: argparse.ArgumentParser) -> None:
    """Answer a shell's completion request and exit; return at once otherwise."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    argcomplete.autocomplete(parser)


def run_completion(args: argparse.Namespace) -> int:
    import argcomplete

    sys.stdout.write(argcomplete.shellcode(["cockpit"], shell=args.shell))
    return 0
