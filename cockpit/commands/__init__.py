"""Subcommands of the ``cockpit`` command line, one module each with ``register(subparsers)``."""
