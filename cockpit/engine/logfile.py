"""The log file: the poller's and the app's warnings and errors, in the state dir, rotated.

``<state_dir>/cockpit.log`` (0600), rotated at 1 MiB, three old files kept (``cockpit.log.1``
...). Its level is ``--log-level``, else ``COCKPIT_LOG_LEVEL``, else ``[cockpit] log_level``,
default ``warning``. Only the ``cockpit`` loggers write there; nothing goes to the terminal the
TUI draws on.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

__all__ = ["LOG_FILE_NAME", "start_logging"]

LOG_FILE_NAME = "cockpit.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating handler whose files are created 0600."""

    def _open(self):  # type: ignore[override]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


def start_logging(state_dir: Path, level: str = "warning") -> Path:
    """Send the ``cockpit`` loggers at ``level`` and above to the log file; returns its path.

    Called once per process; a second call only changes the level.
    """
    path = Path(state_dir) / LOG_FILE_NAME
    logger = logging.getLogger("cockpit")
    logger.setLevel(getattr(logging, level.upper(), logging.WARNING))
    if not any(isinstance(h, _PrivateRotatingFileHandler) for h in logger.handlers):
        handler = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
                                              delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    return path
