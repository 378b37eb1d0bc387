"""Finds source adapters by type name through the ``cockpit.sources`` entry-point group.

Built-in adapters are registered by cockpit's own package metadata exactly as a third-party
package registers its own, so there is one lookup path for both.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points

from cockpit.sources.base import Source, SourceContext

__all__ = ["ENTRY_POINT_GROUP", "UnknownSourceType", "available_types", "build_source", "load_source_class"]

ENTRY_POINT_GROUP = "cockpit.sources"


class UnknownSourceType(LookupError):
    """No adapter is registered under that name, or it failed to load."""


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, EntryPoint]:
    """The group's entry points, read once per process (the scan walks every installed
    distribution's metadata; the config and the engine each ask once per source)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_types() -> list[str]:
    """Every registered type name, sorted."""
    return sorted(_entry_points())


def load_source_class(type_name: str) -> type[Source]:
    """The adapter class registered as ``type_name``. Raises UnknownSourceType."""
    found = _entry_points().get(type_name)
    if found is None:
        known = ", ".join(available_types()) or "none"
        raise UnknownSourceType(f"unknown source type {type_name!r} (known: {known})")
    try:
        source_class = found.load()
    except Exception as exc:  # a broken plugin must not take the app down
        raise UnknownSourceType(
            f"source type {type_name!r} could not be loaded: {type(exc).__name__}: {exc}"
        ) from exc
    if not (isinstance(source_class, type) and issubclass(source_class, Source)):
        raise UnknownSourceType(f"source type {type_name!r} is not a cockpit Source subclass")
    source_class.entry_point_name = type_name  # type: ignore[attr-defined]
    return source_class


def build_source(name: str, type_name: str, options: object, context: SourceContext) -> Source:
    """An instance of the adapter for one config entry."""
    source_class = load_source_class(type_name)
    return source_class(name, options, context)  # type: ignore[arg-type]
