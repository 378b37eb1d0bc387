"""The cockpit's key bindings: each declared once, with its id, in the class that uses it.

Every ``Binding`` in a ``BINDINGS`` list of the app, a screen or a widget carries an ``id``, so
the config's ``[keys]`` table can rebind it, e.g.::

    [keys]
    help = "f1"
    silence = ["S", "ctrl+s"]

The remapping goes through Textual's keymap (``App.set_keymap``). This module only reads the
bindings where they are declared, in the classes it is given (the app's
:func:`cockpit.ui.app.binding_owners`): :func:`keymap_from_config` checks the table against the
ids found there, and :func:`keys_in_force` lists them, as remapped, for the help screen. The
``back``, ``help`` and ``quit`` ids are reused on purpose by several screens (a modal screen
cuts off the app's bindings), and the moving keys ``screen-*`` by the scrolling views and the
tables of the screens: one id, one key, remapped everywhere at once.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from textual.binding import Binding
from textual.keys import format_key

__all__ = ["KeymapError", "check_action_keys", "declared_bindings", "keymap_from_config", "keys_in_force"]


class KeymapError(ValueError):
    """The config's ``[keys]`` table names an unknown binding or an unusable key."""


def declared_bindings(owners: Iterable[type]) -> list[Binding]:
    """The bindings with an id of the classes ``owners`` (in that order), each id once: where
    an id is reused (``back``, ``help``, ``quit``), its first declaration."""
    seen: set[str] = set()
    found: list[Binding] = []
    for owner in owners:
        for binding in vars(owner).get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id and binding.id not in seen:
                seen.add(binding.id)
                found.append(binding)
    return found


def _key_list(value: object, binding_id: str) -> list[str]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        items = list(value)
    else:
        raise KeymapError(f"keys.{binding_id}: expected a key or a list of keys, got {value!r}")
    keys = [item.strip() for item in items if item.strip()]
    if not keys:
        raise KeymapError(f"keys.{binding_id}: expected at least one key")
    return keys


def keymap_from_config(table: Mapping[str, object] | None, owners: Callable[[], Iterable[type]]) -> dict[str, str]:
    """The config's ``[keys]`` table as a Textual keymap (binding id -> comma separated keys).

    ``owners`` gives the classes that declare bindings (called only when there is a table).
    Raises :class:`KeymapError` naming the offending entry for an unknown id or a bad value.
    """
    if not table:
        return {}
    known = {binding.id for binding in declared_bindings(owners())}
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        if binding_id not in known:
            raise KeymapError(f"keys.{binding_id}: unknown binding; known ids: {', '.join(sorted(known))}")  # type: ignore[arg-type]
        keymap[binding_id] = ",".join(_key_list(value, binding_id))
    return keymap


def check_action_keys(actions: list[object], keymap: Mapping[str, str] | None, owners: Iterable[type]) -> None:
    """Refuse an ``[[actions]]`` key that a built-in binding of the main screen (declared by
    ``owners``: the app, the main screen, the panels' table) already uses.

    Raises :class:`KeymapError` naming ``actions[N].key`` and the binding it would hide.
    """
    keymap = keymap or {}
    taken: dict[str, str] = {}
    for binding in declared_bindings(owners):
        for key in keymap.get(binding.id, binding.key).split(","):  # type: ignore[arg-type]
            taken[key.strip()] = binding.id  # type: ignore[assignment]
    for index, action in enumerate(actions):
        key = str(getattr(action, "key", ""))
        if key in taken:
            raise KeymapError(f"actions[{index}].key: {key!r} is already bound to {taken[key]}; "
                              "choose another key (or rebind that one in [keys])")


def _display(key: str) -> str:
    key = key.strip()
    if key == "escape":
        return "esc"
    if key in ("question_mark", "?"):
        return "?"
    if key in ("slash", "/"):
        return "/"
    if key in ("plus", "+"):
        return "+"
    return format_key(key)


def keys_in_force(keymap: Mapping[str, str] | None, owners: Iterable[type]) -> list[tuple[str, str, str]]:
    """``(id, keys as shown, description)`` for every declared binding, ``keymap`` applied."""
    keymap = keymap or {}
    rows = []
    for binding in declared_bindings(owners):
        keys = keymap.get(binding.id, binding.key)  # type: ignore[arg-type]
        shown = " ".join(_display(k) for k in keys.split(",") if k.strip())
        rows.append((binding.id, shown, binding.description))
    return rows
