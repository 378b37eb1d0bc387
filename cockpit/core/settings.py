"""Reading one setting of the config's ``[cockpit]`` section, whatever shape it was given in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["section_value"]


def section_value(section: Any, name: str, default: Any = None) -> Any:
    """One ``[cockpit]`` setting from a :class:`cockpit.engine.config.CockpitSection`, a plain
    mapping (tests) or None; ``default`` when the section lacks it or holds None."""
    if section is None:
        return default
    value = section.get(name) if isinstance(section, Mapping) else getattr(section, name, None)
    return default if value is None else value
