"""Each binding is declared once, with its id, where it is used; the help and [keys] read them there."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from textual.binding import Binding

import cockpit.ui
import cockpit.widgets
from cockpit.ui.app import binding_owners
from cockpit.ui.keys import KeymapError, declared_bindings, keymap_from_config, keys_in_force

SHARED_IDS = {"back", "help", "quit", "screen-down", "screen-up", "screen-first", "screen-last"}
"""Reused on purpose: a modal screen cuts off the app's bindings, so it binds them again; the
moving keys are bound by each scrolling view and table of the screens."""


def every_binding() -> list[tuple[str, Binding]]:
    """Every Binding in a BINDINGS list of any class of the UI and the widgets."""
    found = []
    for package in (cockpit.ui, cockpit.widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__:
                    for binding in vars(value).get("BINDINGS", ()):
                        found.append((f"{value.__module__}.{value.__name__}", binding))
    return found


def test_every_binding_has_an_id_and_its_class_is_read_by_the_help() -> None:
    owners = set(binding_owners())
    for where, binding in every_binding():
        assert isinstance(binding, Binding) and binding.id, f"{where}: {binding!r} has no id (it cannot be remapped)"
    classes = {where for where, _binding in every_binding()}
    missing = classes - {f"{o.__module__}.{o.__name__}" for o in owners}
    assert not missing, f"classes with bindings the help and [keys] do not read: {sorted(missing)}"


def test_an_id_means_one_key_wherever_it_is_declared() -> None:
    keys: dict[str, set[str]] = {}
    for _where, binding in every_binding():
        keys.setdefault(binding.id, set()).add(binding.key)
    differing = {i: k for i, k in keys.items() if len(k) > 1}
    assert not differing, f"one id, several default keys: {differing}"
    declared_twice = [i for i in keys if sum(b.id == i for _w, b in every_binding()) > 1]
    assert set(declared_twice) <= SHARED_IDS, f"declared in two places: {set(declared_twice) - SHARED_IDS}"


def test_screen_keys_can_be_remapped_and_are_listed() -> None:
    keymap = keymap_from_config({"triage-tick": "x", "detail-copy-runbook": ["C", "ctrl+c"]}, binding_owners)
    rows = {row[0]: row[1] for row in keys_in_force(keymap, binding_owners())}
    assert rows["triage-tick"] == "x" and rows["detail-copy-runbook"] == "C ctrl+c"
    assert rows["focus-runbooks"] == "5" and rows["help"] == "?"
    with pytest.raises(KeymapError, match="keys.nope: unknown binding; known ids: .*triage-tick"):
        keymap_from_config({"nope": "x"}, binding_owners)


def test_help_lists_each_id_once_in_the_order_of_the_screens() -> None:
    ids = [binding.id for binding in declared_bindings(binding_owners())]
    assert len(ids) == len(set(ids))
    assert ids[:4] == ["help", "quit", "command-palette", "report"]
    assert ids.index("focus-alerts") < ids.index("cursor-down") < ids.index("detail-silence") < ids.index("triage-tick")
