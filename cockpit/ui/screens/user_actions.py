"""Your own ``[[actions]]`` in the TUI: their keys, a one-line preview, ``y``, the output in a pane.

A command action shows the exact argv it will run (each argument quoted as a shell would need,
for reading only: nothing goes through a shell), runs after ``y`` with its timeout through the
engine facade, and opens :class:`ActionOutputScreen`, a scrollable pane of its (inert) output. A
URL action shows the link (OSC 8) and copies it (OSC 52). ``writes = true`` is refused at once in
read-only mode. A value the action refuses (an option-like or control-character label) is said
in one line and nothing runs.
"""

from __future__ import annotations

import asyncio
import shlex
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from cockpit.core.osc import copy_to_clipboard, link_style
from cockpit.core.textsafe import clean, clean_line
from cockpit.engine.facade import ActionError, ActionResult, ActionSpec, render_command, render_url
from cockpit.ui.screens.acknowledge import confirm_line
from cockpit.ui.screens.silence import read_only_refusal

__all__ = ["ActionOutputScreen", "action_for_key", "configured_actions", "start_user_action"]

_PANEL_OF_SCOPE = {"alert": "alerts", "deploy": "deploys", "pipeline": "pipelines", "slo": "slos"}


def configured_actions(app: Any) -> list[ActionSpec]:
    """The engine's ``[[actions]]`` (none for an engine without them)."""
    return list(getattr(app.engine, "actions", []) or [])


def action_for_key(app: Any, key: str, focused_scope: str | None) -> ActionSpec | None:
    """The action bound to ``key``: the one for the focused panel's items first, else the only one."""
    bound = [a for a in configured_actions(app) if a.key == key]
    for action in bound:
        if action.scope == focused_scope:
            return action
    return bound[0] if len(bound) == 1 else None


def selected_for(app: Any, spec: ActionSpec) -> Any:
    """The item of the action's scope selected in its panel (None when nothing is)."""
    try:
        return app.main_screen.panel(_PANEL_OF_SCOPE[spec.scope]).selected_item
    except Exception:  # noqa: BLE001 - no main screen (a test app)
        return None


class ActionOutputScreen(Screen[None]):
    """A command's output, scrollable; ``esc`` goes back."""

    BINDINGS = [Binding("escape", "back", "Action output: back", id="action-output-back")]
    DEFAULT_CSS = """
    #action-title { height: auto; padding: 0 1; background: $primary; color: $text; }
    #action-output { height: 1fr; padding: 0 1; }
    """

    def __init__(self, spec: ActionSpec, result: ActionResult | None = None, url: str | None = None) -> None:
        super().__init__(id="action-output-screen")
        self.spec, self.result, self.url = spec, result, url

    def compose(self) -> ComposeResult:
        title = Text(clean_line(self.spec.name, 80), style="bold")
        body = Text()
        if self.result is not None:
            result = self.result
            if result.timed_out:
                ended = f"killed after {self.spec.timeout:g}s"
            else:
                ended = "exit status ?" if result.exit_status is None else f"exit status {result.exit_status}"
            title.append(f"  {ended}   esc back", style="dim")
            body.append("$ " + clean_line(shlex.join(result.argv), 2000) + "\n", style="dim")
            body.append(clean(result.output, 200_000) or "(no output)")
            if result.truncated:
                body.append("\n… output cut at 1 MiB", style="dim")
        elif self.url:
            title.append("   esc back", style="dim")
            body.append(self.url, style=link_style(self.url, underline=True))
            body.append("\ncopied to the clipboard (OSC 52)", style="dim")
        yield Static(title, id="action-title", markup=False)
        with VerticalScroll(id="action-output"):
            yield Static(body, id="action-output-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#action-output").focus()

    def action_back(self) -> None:
        self.dismiss()


def start_user_action(app: Any, spec: ActionSpec, item: Any) -> None:
    """Preview, confirm and run one action on ``item``."""
    if item is None or getattr(item, "item_type", None) != spec.scope:
        app.notify(f"{spec.name}: select {'an' if spec.scope[0] in 'aeiou' else 'a'} {spec.scope} first",
                   severity="warning", markup=False)
        return
    if spec.writes and read_only_refusal(app, f"the action {clean_line(spec.name, 60)!r}", action=f"action:{spec.name}",
                                         source=str(getattr(item, "source", "")), details={"scope": spec.scope}):
        return
    try:
        if spec.url is not None:
            url = render_url(spec, item)
            copy_to_clipboard(app, url)
            app.push_screen(ActionOutputScreen(spec, url=url))
            return
        argv = render_command(spec, item)
    except ActionError as exc:
        app.notify(f"{clean_line(spec.name, 60)}: {clean_line(str(exc), 200)}", severity="error", timeout=10,
                   markup=False)
        return
    writes = " · writes" if spec.writes else ""
    line = f"Run {spec.name}: {shlex.join(argv)}{writes}?  y: yes · any other key: no"
    confirm_line(app, line, lambda: app.run_worker(_run(app, spec, item), name="user-action", group="actions",
                                                   exit_on_error=False))


async def _run(app: Any, spec: ActionSpec, item: Any) -> None:
    try:
        result = await asyncio.wrap_future(app.engine.run_action(spec, item))
    except Exception as exc:  # noqa: BLE001 - refused, or the engine could not run it
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        app.notify(f"{clean_line(spec.name, 60)} not run: {clean_line(message, 200)}", severity="error",
                   timeout=10, markup=False)
        return
    app.push_screen(ActionOutputScreen(spec, result))
