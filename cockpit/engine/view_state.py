"""What the main screen looked like when the cockpit stopped, so a restart puts it back.

One small JSON file in the state dir, ``view.json`` (0600, replaced atomically)::

    {"version": 1, "focus": "alerts", "maximized": "alerts", "hide_suppressed": true,
     "panels": {"alerts": {"filter": "service=checkout", "selected": "am/3f2a…", "sort": "age"}}}

``maximized`` (the panel shown alone, ``z``) and ``hide_suppressed`` (``H``) are present only
when set.

``selected`` is the row's stable key (an alert's source and fingerprint, a deploy's source and
id...), never a row number. A missing file is an empty view; an unreadable or malformed one is
ignored with a warning in the log, never an error: the view is a convenience.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from cockpit.core.files import atomic_write_text

__all__ = ["VIEW_FILE", "PanelView", "View", "load_view", "save_view"]

VIEW_FILE = "view.json"
VERSION = 1
_LIMITS = {"filter": 500, "selected": 1000, "sort": 60}
"""The longest value kept per field (a longer one is dropped as malformed)."""

PanelView = dict[str, str]
"""One panel's ``filter``, ``selected`` and ``sort`` (each present only when set)."""
View = dict[str, Any]
"""``{"focus": panel id, "maximized": panel id, "hide_suppressed": True, "panels": {panel id:
PanelView}}``, the first three present only when set."""

log = logging.getLogger(__name__)


def _panel(value: object) -> PanelView:
    if not isinstance(value, dict):
        raise ValueError("a panel's entry is not an object")
    out: PanelView = {}
    for field, limit in _LIMITS.items():
        item = value.get(field)
        if item is None or item == "":
            continue
        if not isinstance(item, str) or len(item) > limit or "\x00" in item:
            raise ValueError(f"panels.*.{field}: expected a string of at most {limit} characters")
        out[field] = item
    return out


def parse_view(data: object) -> View:
    """The view in ``data`` (the decoded JSON). Raises ValueError naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if data.get("version") != VERSION:
        raise ValueError(f"version: expected {VERSION}, got {data.get('version')!r}")
    for key in ("focus", "maximized"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > 40):
            raise ValueError(f"{key}: expected a panel id")
    if data.get("hide_suppressed") not in (None, True, False):
        raise ValueError("hide_suppressed: expected true or false")
    panels = data.get("panels", {})
    if not isinstance(panels, dict) or not all(isinstance(k, str) and len(k) <= 40 for k in panels):
        raise ValueError("panels: expected an object keyed by panel id")
    view: View = {"panels": {name: _panel(entry) for name, entry in panels.items()}}
    for key in ("focus", "maximized", "hide_suppressed"):
        if data.get(key):
            view[key] = data[key]
    return view


def load_view(state_dir: Path) -> View:
    """The view kept in ``state_dir``; empty when there is none or it cannot be read (logged)."""
    path = Path(state_dir) / VIEW_FILE
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"panels": {}}
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("view state: %s ignored (cannot read it: %s)", path, getattr(exc, "strerror", None) or exc)
        return {"panels": {}}
    try:
        return parse_view(json.loads(raw))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        log.warning("view state: %s ignored (%s); the panels start as configured", path, exc)
        return {"panels": {}}


def save_view(state_dir: Path, view: View) -> None:
    """Keep ``view`` in ``state_dir`` (0600, atomic). Raises OSError when the disk refuses;
    ValueError when ``view`` would not load back."""
    checked = parse_view({"version": VERSION, **view})
    atomic_write_text(Path(state_dir) / VIEW_FILE,
                      json.dumps({"version": VERSION, **checked}, indent=1, sort_keys=True) + "\n", mode=0o600)
