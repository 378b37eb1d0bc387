"""The ``:`` command line (k9s style): ``:alerts``, ``:timeline checkout``, ``:theme mono``, ``:q``.

:func:`complete` and :func:`parse` are pure (a test can ask what ``:ti`` completes to);
:class:`CommandInput` is the one-line input the main screen opens, with the completion shown
after the cursor (``tab`` or the right arrow takes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input

__all__ = ["COMMANDS", "Command", "CommandInput", "CommandSuggester", "complete", "parse"]

COMMANDS: dict[str, str] = {
    "alerts": "focus the Alerts panel",
    "slos": "focus the SLOs panel",
    "deploys": "focus the Deploys panel",
    "pipelines": "focus the Pipelines panel",
    "runbooks": "focus the Runbooks panel",
    "silences": "list the silences",
    "report": "the shift report",
    "timeline": "the timeline (of one SERVICE, or all)",
    "triage": "triage the selected alert",
    "theme": "switch to the theme NAME",
    "help": "the keys in force",
    "q": "quit",
}
"""Every command and what it does (the help screen lists them)."""

_ALIASES = {"quit": "q", "slo": "slos", "alert": "alerts", "deploy": "deploys", "pipeline": "pipelines",
            "runbook": "runbooks", "silence": "silences"}


@dataclass(frozen=True)
class Command:
    """A parsed command line."""

    name: str
    """One of :data:`COMMANDS`."""
    argument: str = ""
    """The rest of the line (a service, a theme name), stripped."""


def parse(line: str) -> Command:
    """``:timeline checkout`` -> Command("timeline", "checkout"). Raises ValueError naming an
    unknown command (a unique prefix is enough: ``:tim`` is ``:timeline``)."""
    text = line.strip().removeprefix(":").strip()
    word, _, rest = text.partition(" ")
    word = word.casefold()
    if not word:
        raise ValueError("type a command, e.g. :alerts, :timeline SERVICE, :theme NAME, :q")
    name = _ALIASES.get(word, word)
    if name not in COMMANDS:
        matches = [c for c in COMMANDS if c.startswith(word)]
        if len(matches) != 1:
            known = " ".join(f":{c}" for c in COMMANDS)
            raise ValueError(f"unknown command :{word}; known: {known}")
        name = matches[0]
    return Command(name, rest.strip())


def complete(line: str, services: Sequence[str] = (), themes: Sequence[str] = ()) -> str | None:
    """The whole line completed (first match in list order), or None: a command name, then
    for ``timeline`` a service and for ``theme`` a theme name."""
    text = line.lstrip()
    colon = text.startswith(":")
    body = text[1:] if colon else text
    prefix = ":" if colon else ""
    word, space, rest = body.partition(" ")
    if not space:
        if not word:
            return None
        match = next((c for c in COMMANDS if c.startswith(word.casefold()) and c != word), None)
        return prefix + match if match else None
    choices = {"timeline": services, "theme": themes}.get(_ALIASES.get(word, word), ())
    if not rest:
        return None
    match = next((c for c in choices if c.casefold().startswith(rest.casefold()) and c != rest), None)
    return f"{prefix}{word} {match}" if match else None


class CommandSuggester(Suggester):
    """Completions from :func:`complete`, with the services and themes known now."""

    def __init__(self, services: Callable[[], Sequence[str]], themes: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._services = services
        self._themes = themes

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self._services(), self._themes)


class CommandInput(Input):
    """The command line; ``tab`` takes the completion shown after the cursor."""

    BINDINGS = [Binding("tab", "cursor_right", "Command line: complete the word", show=False, id="command-complete")]
