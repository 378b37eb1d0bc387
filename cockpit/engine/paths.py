"""Where cockpit finds its config and keeps its cache and its state, per CONTRACT.md.

* cache (``$COCKPIT_CACHE_DIR``, else ``~/.cache/cockpit``): only what can be rebuilt, the
  last poll of each source and the runbook index; deleting it loses nothing.
* state (``$COCKPIT_STATE_DIR``, else ``$XDG_STATE_HOME/cockpit``, ``~/.local/state/cockpit``):
  what cannot be rebuilt: the shift history, the audit log of writes, triages, handoff notes
  and the log file.

Directories are created 0700. The first time the state dir is asked for in a process, files of
the old layout (everything in the cache dir) are moved over: nothing is overwritten, a file
already present in both places keeps the state dir's copy and the cache's is kept beside it as
``NAME.from-cache``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import platformdirs

from cockpit.core.errors import StorageError

__all__ = ["STATE_NAMES", "cache_dir", "config_path", "migrate_state", "state_dir"]

STATE_NAMES = ("history.sqlite", "history.sqlite-wal", "history.sqlite-shm", "audit.jsonl", "handoff.json",
               "handoff.sqlite", "handoff.sqlite-wal", "handoff.sqlite-shm", "triages")
"""What the old layout kept in the cache dir that is state (moved by :func:`migrate_state`)."""

_migrated: set[tuple[Path, Path]] = set()


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $COCKPIT_CONFIG, else $XDG_CONFIG_HOME/cockpit/config.toml (~/.config/...)."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("COCKPIT_CONFIG"):
        return Path(os.environ["COCKPIT_CONFIG"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "cockpit" / "config.toml"


def _private_dir(path: Path, what: str = "state dir") -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:  # a file in the way, a read-only parent
        raise StorageError(f"{what} {path} is unusable: {exc.strerror or exc}") from exc
    try:
        path.chmod(0o700)
    except OSError:
        pass
    return path


def cache_dir(create: bool = True) -> Path:
    """$COCKPIT_CACHE_DIR, else the platform's user cache dir; created private (0700)."""
    if os.environ.get("COCKPIT_CACHE_DIR"):
        path = Path(os.environ["COCKPIT_CACHE_DIR"]).expanduser()
    else:
        path = Path(platformdirs.user_cache_dir("cockpit", appauthor=False))
    return _private_dir(path, "cache dir") if create else path


def state_dir(create: bool = True) -> Path:
    """$COCKPIT_STATE_DIR, else $XDG_STATE_HOME/cockpit (~/.local/state/cockpit); created private
    (0700), with the old layout's state moved over from the cache dir on first use."""
    if os.environ.get("COCKPIT_STATE_DIR"):
        path = Path(os.environ["COCKPIT_STATE_DIR"]).expanduser()
    else:
        path = Path(platformdirs.user_state_dir("cockpit", appauthor=False))
    if not create:
        return path
    _private_dir(path)
    old = cache_dir(create=False)
    try:
        migrate_state(old, path)
    except OSError as exc:  # the old files stay where they were: nothing is lost
        raise StorageError(f"cannot move the state kept in {old} to {path}: {exc.strerror or exc}") from exc
    return path


def migrate_state(old: Path, new: Path) -> list[str]:
    """Move the state files of the old layout from ``old`` (the cache dir) to ``new``.

    Returns what was moved (names). Never overwrites; never loses a file. Once per pair of
    directories per process.
    """
    key = (old.resolve() if old.exists() else old, new.resolve())
    if key in _migrated or key[0] == key[1] or not old.is_dir():
        _migrated.add(key)
        return []
    moved: list[str] = []
    for name in STATE_NAMES:
        source = old / name
        if not source.exists():
            continue
        if source.is_dir():
            moved += [f"{name}/{n}" for n in _merge_dir(source, _private_dir(new / name))]
            continue
        target = new / name
        if target.exists():
            target = new / f"{name}.from-cache"
            if target.exists():
                continue  # moved before; leave the rest where it is
        shutil.move(str(source), str(target))
        target.chmod(0o600)
        moved.append(name)
    _migrated.add(key)
    return moved


def _merge_dir(source: Path, target: Path) -> list[str]:
    moved = []
    for child in sorted(source.iterdir()):
        if not child.is_file():
            continue
        destination = target / child.name
        if destination.exists():
            destination = target / f"{child.name}.from-cache"
            if destination.exists():
                continue
        shutil.move(str(child), str(destination))
        destination.chmod(0o600)
        moved.append(child.name)
    try:
        source.rmdir()
    except OSError:
        pass  # something we do not know is left: keep it
    return moved
