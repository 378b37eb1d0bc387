"""The app's commands: the command palette's (``ctrl+p``), each named "area: verb" (focus or
filter a panel, refresh, the alert actions, the config's ``[[actions]]``, the triage list, the
report, help, quit, maximise, themes), and the ``:`` commands the main screen passes on
(``:theme NAME``, ``:timeline [SERVICE]``, ``:report``, ``:silences``, ``:help``, ``:q``), and
``q``, which asks first outside the main screen."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterable

from rich.text import Text
from textual.app import SystemCommand

from cockpit.core.textsafe import clean_line
from cockpit.themes import selectable_themes
from cockpit.ui.screens.intents import act_on
from cockpit.ui.screens.main import PANEL_ORDER, MainScreen

__all__ = ["open_details", "quit_or_ask", "run_command", "system_commands", "toggle_help"]


def system_commands(app: Any) -> Iterable[SystemCommand]:
    """Commands named "area: verb", for ``app`` (the :class:`cockpit.ui.app.CockpitApp`: not
    imported here, which it imports)."""
    main = app.main_screen
    for number, panel_id in enumerate(PANEL_ORDER, 1):
        yield SystemCommand(f"{panel_id}: focus", f"Focus the {panel_id} panel (key {number})",
                            partial(main.action_focus_panel, panel_id))
        yield SystemCommand(f"{panel_id}: filter", f"Filter the {panel_id} panel",
                            partial(_filter, app, panel_id))
    yield SystemCommand("app: refresh all", "Poll every source now", main.action_refresh)
    yield SystemCommand("alerts: silences", "List the silences; x expires, + extends, e edits",
                        app.show_silence_list)
    for verb, what in (("acknowledge", "the selected alert (a)"), ("resolve", "the selected incident (X)"),
                       ("note", "on the selected incident (n)")):
        yield SystemCommand(f"alerts: {verb}", f"{verb.capitalize()} {what}", partial(_act, app, verb))
    from cockpit.ui.screens.user_actions import configured_actions, selected_for, start_user_action

    for spec in configured_actions(app):
        shown = clean_line(spec.name, 60)
        yield SystemCommand(f"action: {shown}", f"Your [[actions]] on the selected {spec.scope} (key {spec.key})",
                            lambda spec=spec: start_user_action(app, spec, selected_for(app, spec)))
    yield SystemCommand("triage: list", "Every triage, open and closed: read the notes, reopen",
                        partial(_triages, app))
    from cockpit.ui.screens.report import report_commands

    yield from report_commands(app)  # "report: show", "handoff: write note"
    yield SystemCommand("app: help", "Show the keys in force", app.action_help)
    yield SystemCommand("app: quit", "Quit the cockpit", app.action_quit)
    yield SystemCommand("panel: maximise", "Maximise or restore the focused panel", main.action_toggle_maximize)
    for name in selectable_themes() + ("ansi",):
        yield SystemCommand(f"theme: {name}", f"Switch to the {name} theme", partial(setattr, app, "theme", name))


def _act(app: Any, action: str) -> None:
    act_on(app, action, app.main_screen.panel("alerts").selected_alerts(), "Alerts")  # type: ignore[attr-defined]


def _triages(app: Any) -> None:
    from cockpit.ui.screens.triages import show_triages

    show_triages(app)


def _filter(app: Any, panel_id: str) -> None:
    app.main_screen.action_focus_panel(panel_id)
    app.main_screen.action_filter()


def run_command(app: Any, name: str, argument: str) -> None:
    """A ``:`` command the main screen does not handle itself."""
    if name == "theme":
        known = (*selectable_themes(), "ansi")
        if argument in known:
            app.theme = argument
        else:
            app.notify(f":theme {clean_line(argument, 40)}: known themes are {', '.join(known)}",
                       severity="error", markup=False)
    elif name == "timeline":
        app.action_show_timeline(argument)
    elif name == "report":
        app.action_show_report()
    elif name == "silences":
        app.show_silence_list()
    elif name == "help":
        app.action_help()
    elif name == "q":
        app.exit()


def quit_or_ask(app: Any) -> None:
    """``q``: quit at once from the main screen; from any other screen ask first."""
    from cockpit.ui.screens.confirm import ConfirmScreen

    if isinstance(app.screen, MainScreen):
        app.exit()
        return
    if isinstance(app.screen, ConfirmScreen):
        return  # already asking something: answer that first
    where = clean_line(type(app.screen).__name__.removesuffix("Screen").lower() or "this", 40)
    body = Text(f"You are in the {where} screen. Open triages stay open and are offered at the "
                "next start.\ny quits · n or esc stays")

    def answered(yes: bool | None) -> None:
        if yes:
            app.exit()

    app.push_screen(ConfirmScreen("Quit cockpit?", body, "Quit"), answered)


def toggle_help(app: Any, binding_owners: Callable[[], tuple[type, ...]]) -> None:
    """``?``: the keys in force over the current screen (declared by ``binding_owners()``), or
    back from them."""
    from cockpit.ui.screens.help import HelpScreen
    from cockpit.ui.screens.user_actions import configured_actions

    if isinstance(app.screen, HelpScreen):
        app.screen.dismiss()
    else:
        app.push_screen(HelpScreen(app.keymap, app.screen, configured_actions(app), binding_owners()))


def open_details(app: Any, item: Any) -> None:
    """An item's detail: an SLO's burn chart and pairs, any other item's fields and links."""
    if getattr(item, "item_type", None) == "slo":
        from cockpit.ui.screens.slo_detail import SloDetailScreen

        app.push_screen(SloDetailScreen(item))
        return
    from cockpit.ui.screens.detail import DetailScreen

    app.push_screen(DetailScreen(item, app.clock()))
