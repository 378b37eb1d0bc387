"""Every binding with an id, on any screen, is in the key registry: remappable and in the help."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from textual.binding import Binding

import cockpit.ui.screens
from cockpit.ui.keys import DEFAULT_KEYS, KeymapError, keymap_from_config, keys_in_force

SHARED_IDS = {"back", "help", "quit"}  # the app-wide ones, reused by screens on purpose


def screen_bindings() -> list[tuple[str, Binding]]:
    found = []
    for module_info in pkgutil.iter_modules(cockpit.ui.screens.__path__):
        module = importlib.import_module(f"cockpit.ui.screens.{module_info.name}")
        for value in vars(module).values():
            for binding in getattr(value, "BINDINGS", []) if isinstance(value, type) else []:
                if isinstance(binding, Binding) and binding.id:
                    found.append((f"{module_info.name}.{value.__name__}", binding))
    return found


def test_every_screen_binding_id_is_registered_with_the_same_default_key() -> None:
    specs = {spec.id: spec for spec in DEFAULT_KEYS}
    missing = []
    for where, binding in screen_bindings():
        if binding.id in SHARED_IDS or binding.id.endswith("-back") or binding.id.endswith("-cancel"):
            continue
        spec = specs.get(binding.id)
        if spec is None or spec.keys != binding.key:
            missing.append(f"{where}: {binding.id} ({binding.key})")
    assert not missing, "bindings not in cockpit.ui.keys.DEFAULT_KEYS (or with another key): " + ", ".join(missing)


def test_screen_keys_can_be_remapped_and_are_listed() -> None:
    keymap = keymap_from_config({"triage-tick": "x", "detail-copy-runbook": ["C", "ctrl+c"]})
    rows = {row[0]: row[1] for row in keys_in_force(keymap)}
    assert rows["triage-tick"] == "x" and rows["detail-copy-runbook"] == "C ctrl+c"
    with pytest.raises(KeymapError, match="keys.nope"):
        keymap_from_config({"nope": "x"})
