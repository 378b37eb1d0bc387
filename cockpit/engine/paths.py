"""Where cockpit finds its config and keeps its cache, per CONTRACT.md."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from cockpit.core.errors import StorageError

__all__ = ["cache_dir", "config_path"]


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $COCKPIT_CONFIG, else $XDG_CONFIG_HOME/cockpit/config.toml (~/.config/...)."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("COCKPIT_CONFIG"):
        return Path(os.environ["COCKPIT_CONFIG"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "cockpit" / "config.toml"


def cache_dir(create: bool = True) -> Path:
    """$COCKPIT_CACHE_DIR, else the platform's user cache dir; created private (0700)."""
    if os.environ.get("COCKPIT_CACHE_DIR"):
        path = Path(os.environ["COCKPIT_CACHE_DIR"]).expanduser()
    else:
        path = Path(platformdirs.user_cache_dir("cockpit", appauthor=False))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:  # a file in the way, a read-only parent
            raise StorageError(f"cache dir {path} is unusable: {exc.strerror or exc}") from exc
        try:
            path.chmod(0o700)
        except OSError:
            pass
    return path
