"""The cockpit's key bindings: one table of defaults with stable ids, remappable from the config.

Every binding has an ``id`` so the config's ``[keys]`` table can rebind it, e.g.::

    [keys]
    help = "f1"
    silence = ["S", "ctrl+s"]

The remapping goes through Textual's keymap (``App.set_keymap``); :func:`keymap_from_config`
validates the table and :func:`keys_in_force` tells the help screen which keys are bound now.
Bindings are split by where they live: ``app`` (everywhere), ``main`` (the main screen) and
``panel`` (the focused table), so that e.g. ``j``/``k`` only act where there is a selection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from textual.binding import Binding
from textual.keys import format_key

from cockpit.widgets.panel import PanelTable

__all__ = [
    "DEFAULT_KEYS",
    "KeySpec",
    "KeymapError",
    "bindings_for",
    "check_action_keys",
    "keymap_from_config",
    "keys_in_force",
]

Scope = Literal["app", "main", "panel", "screen"]
"""``screen``: bound by the screen that owns it (detail, silences, triage...), listed here so it
can be remapped and shown in the help."""


@dataclass(frozen=True)
class KeySpec:
    """One remappable binding."""

    id: str
    """Stable name used in the config's ``[keys]`` table."""
    keys: str
    """Default key(s), comma separated, in Textual's key names."""
    action: str
    """The Textual action it runs."""
    description: str
    """What it does, as the help screen says it."""
    scope: Scope
    """Where the binding lives: the app, the main screen, or the focused panel's table."""
    show: bool = True
    priority: bool = False


DEFAULT_KEYS: tuple[KeySpec, ...] = (
    KeySpec("help", "question_mark", "app.help", "Show the keys in force", "app"),
    KeySpec("quit", "q", "app.quit", "Quit", "app"),
    KeySpec("command-palette", "ctrl+p", "app.command_palette", "Command palette", "app",
            priority=True),
    KeySpec("focus-alerts", "1", "focus_panel('alerts')", "Focus Alerts", "main"),
    KeySpec("focus-slos", "2", "focus_panel('slos')", "Focus SLOs", "main"),
    KeySpec("focus-deploys", "3", "focus_panel('deploys')", "Focus Deploys", "main"),
    KeySpec("focus-pipelines", "4", "focus_panel('pipelines')", "Focus Pipelines", "main"),
    KeySpec("focus-runbooks", "5", "focus_panel('runbooks')", "Focus Runbooks", "main"),
    KeySpec("next-panel", "tab", "next_panel(1)", "Next panel", "main"),
    KeySpec("previous-panel", "shift+tab", "next_panel(-1)", "Previous panel", "main"),
    KeySpec("filter", "slash", "filter", "Filter the focused panel", "main"),
    KeySpec("back", "escape", "back", "Back: close this screen; on the panels clear the filter, restore the layout", "main"),
    KeySpec("refresh", "r", "refresh", "Refresh every source now", "main"),
    KeySpec("maximize", "z", "toggle_maximize", "Maximise / restore the focused panel", "main"),
    KeySpec("silence", "s", "silence", "Silence the selected alert", "main"),
    KeySpec("hide-suppressed", "H", "toggle_suppressed", "Alerts: hide / show silenced and inhibited alerts", "main"),
    KeySpec("silences", "S", "silences", "List the silences: who, until when, why (x expires one)", "main"),
    KeySpec("open-runbook", "o", "open_runbook", "Open the selected alert's runbook", "main"),
    KeySpec("triage", "t", "triage", "Triage walkthrough for the selected alert", "main"),
    KeySpec("acknowledge", "a", "acknowledge",
            "Acknowledge the selected alert or group (PagerDuty: ack; Alertmanager: short silence)", "main"),
    KeySpec("resolve", "X", "resolve", "Resolve the selected PagerDuty incident(s)", "main"),
    KeySpec("note", "n", "note", "Add a note to the selected PagerDuty incident", "main"),
    KeySpec("report", "R", "app.show_report", "Shift report and handoff notes", "app"),
    KeySpec("timeline", "T", "app.show_timeline", "Timeline: alerts, deploys, failures, notes on one axis", "app"),
    KeySpec("command-line", "colon", "command_line", "Command line (:alerts, :timeline SERVICE, :theme NAME, :q)", "main"),
    KeySpec("sort", "O", "cycle_sort", "Sort the focused panel by the next column", "main"),
    # The focused panel's table declares its own (cockpit.widgets.panel.PanelTable.BINDINGS).
    *(KeySpec(b.id or b.action, b.key, b.action, b.description, "panel", b.show, b.priority)
      for b in PanelTable.BINDINGS if isinstance(b, Binding)),
    KeySpec("screen-down", "j", "scroll_down", "Screens: down (detail, help, runbook, triage)", "screen"),
    KeySpec("screen-up", "k", "scroll_up", "Screens: up", "screen"),
    KeySpec("screen-first", "g,home", "scroll_home", "Screens: first / top", "screen"),
    KeySpec("screen-last", "G,end", "scroll_end", "Screens: last / bottom", "screen"),
    # Bound by their own screens (their Binding ids match these; a test keeps them in step).
    KeySpec("detail-silence", "s", "act('silence')", "Detail: silence this alert", "screen"),
    KeySpec("detail-open-runbook", "o", "act('open-runbook')", "Detail: open this alert's runbook", "screen"),
    KeySpec("detail-triage", "t", "act('triage')", "Detail: triage this alert", "screen"),
    KeySpec("detail-silences", "S", "silences", "Detail: list the silences", "screen"),
    KeySpec("detail-copy-runbook", "c", "copy('runbook')", "Detail: copy the runbook URL (OSC 52)", "screen"),
    KeySpec("detail-copy-generator", "y", "copy('generator')", "Detail: copy the generator URL (OSC 52)", "screen"),
    KeySpec("runbook-contents", "i", "toggle_toc", "Runbook: show / hide the contents", "screen"),
    KeySpec("detail-acknowledge", "a", "act('acknowledge')", "Detail: acknowledge this alert", "screen"),
    KeySpec("detail-resolve", "X", "act('resolve')", "Detail: resolve this incident", "screen"),
    KeySpec("detail-note", "n", "act('note')", "Detail: add a note to this incident", "screen"),
    KeySpec("silences-expire", "x", "expire", "Silences: expire the selected silence", "screen"),
    KeySpec("silences-extend", "plus", "extend", "Silences: extend the selected silence by ack_duration", "screen"),
    KeySpec("silences-edit", "e", "edit", "Silences: edit the selected silence", "screen"),
    KeySpec("silences-reload", "r", "reload", "Silences: reload", "screen"),
    KeySpec("triage-tick", "space,enter", "toggle", "Triage: tick / untick the step", "screen"),
    KeySpec("triage-copy", "c", "copy", "Triage: copy the step's command (OSC 52)", "screen"),
    KeySpec("triage-note", "n", "note", "Triage: note on the step", "screen"),
    KeySpec("triage-note-all", "N", "note(True)", "Triage: note on the whole triage", "screen"),
    KeySpec("triage-export", "e", "export", "Triage: export the timeline", "screen"),
    KeySpec("triage-close", "x", "close_triage", "Triage: close (confirmed) / reopen the triage", "screen"),
    KeySpec("confirm-yes", "y", "answer(True)", "Confirmations: yes (n or esc: no)", "screen"),
    KeySpec("report-1h", "1", "window(1)", "Report: last hour", "screen"),
    KeySpec("report-12h", "2", "window(12)", "Report: last 12 hours", "screen"),
    KeySpec("report-24h", "3", "window(24)", "Report: last 24 hours", "screen"),
    KeySpec("report-recompute", "r", "recompute", "Report: recompute", "screen"),
    KeySpec("handoff-write", "w", "write_note", "Report: write a handoff note", "screen"),
    KeySpec("timeline-narrower", "left_square_bracket", "window(-1)", "Timeline: narrower window", "screen"),
    KeySpec("timeline-wider", "right_square_bracket", "window(1)", "Timeline: wider window", "screen"),
    KeySpec("handoff-dismiss", "d", "dismiss_notes", "Handoff notes: dismiss", "screen"),
    KeySpec("handoff-save", "ctrl+s", "save", "Handoff note: save", "screen"),
)
"""Every remappable binding, in the order the help screen lists them."""

_BY_ID = {spec.id: spec for spec in DEFAULT_KEYS}


class KeymapError(ValueError):
    """The config's ``[keys]`` table names an unknown binding or an unusable key."""


def bindings_for(scope: Scope) -> list[Binding]:
    """Textual ``Binding`` objects for one scope, each carrying its id."""
    return [
        Binding(
            spec.keys,
            spec.action,
            spec.description,
            show=spec.show,
            priority=spec.priority,
            id=spec.id,
        )
        for spec in DEFAULT_KEYS
        if spec.scope == scope
    ]


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


def keymap_from_config(table: Mapping[str, object] | None) -> dict[str, str]:
    """The config's ``[keys]`` table as a Textual keymap (binding id -> comma separated keys).

    Raises :class:`KeymapError` naming the offending entry for an unknown id or a bad value.
    """
    keymap: dict[str, str] = {}
    for binding_id, value in (table or {}).items():
        if binding_id not in _BY_ID:
            known = ", ".join(sorted(_BY_ID))
            raise KeymapError(f"keys.{binding_id}: unknown binding; known ids: {known}")
        keymap[binding_id] = ",".join(_key_list(value, binding_id))
    return keymap


def check_action_keys(actions: list[object], keymap: Mapping[str, str] | None = None) -> None:
    """Refuse an ``[[actions]]`` key that a built-in binding of the main screen already uses.

    Raises :class:`KeymapError` naming ``actions[N].key`` and the binding it would hide.
    """
    keymap = keymap or {}
    taken: dict[str, str] = {}
    for spec in DEFAULT_KEYS:
        if spec.scope in ("app", "main", "panel"):
            for key in keymap.get(spec.id, spec.keys).split(","):
                taken[key.strip()] = spec.id
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


def keys_in_force(keymap: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """``(id, keys as shown, description)`` for every binding, with ``keymap`` applied."""
    keymap = keymap or {}
    rows = []
    for spec in DEFAULT_KEYS:
        keys = keymap.get(spec.id, spec.keys)
        shown = " ".join(_display(k) for k in keys.split(",") if k.strip())
        rows.append((spec.id, shown, spec.description))
    return rows

