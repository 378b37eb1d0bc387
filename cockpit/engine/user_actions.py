"""Your own actions on the selected item (``[[actions]]`` in the config, like k9s plugins).

::

    [[actions]]
    name = "pod logs"
    key = "L"
    scope = "alert"                      # alert | deploy | pipeline | slo
    command = ["kubectl", "-n", "{labels.namespace}", "logs", "{labels.pod}", "--tail", "200"]
    # or: url = "https://grafana.example/d/abc?var-service={service}"
    writes = false                       # true: refused in read-only mode, recorded in the audit log
    timeout = "30s"

Templates are checked when the config loads: an unknown placeholder or a stray brace is refused
naming the key (``actions[0].command[4]``). ``{{`` and ``}}`` are literal braces.

Safety, because label values come from outside:

* a ``command`` is an argv list run without a shell; each element is rendered on its own, so a
  value becomes part of exactly one argument and can never add one;
* a rendered argument that starts with ``-`` where the template's element did not is refused (a
  label ``--kubeconfig=/tmp/x`` must not turn into an option), as is any value holding a control
  character or NUL;
* in a ``url`` each value is percent-encoded, and the result must be an http(s) URL;
* the output is made inert (:func:`cockpit.core.textsafe.clean`) before it reaches a screen.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from cockpit.core.durations import Duration
from cockpit.core.models import Alert, Deploy, Pipeline, Slo
from cockpit.core.textsafe import clean, safe_url

__all__ = [
    "ActionError",
    "ActionResult",
    "ActionSpec",
    "MAX_OUTPUT_BYTES",
    "PLACEHOLDERS",
    "UNKNOWN_RUN",
    "render_command",
    "render_url",
    "run_command",
]

Scope = Literal["alert", "deploy", "pipeline", "slo"]

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "alert": ("source", "fingerprint", "name", "severity", "state", "service", "summary", "generator_url"),
    "deploy": ("source", "id", "service", "environment", "version", "status", "author", "url"),
    "pipeline": ("source", "id", "repo", "name", "branch", "commit", "status", "author", "url"),
    "slo": ("source", "id", "service", "name", "objective", "period", "status"),
}
"""Plain placeholders per scope; alerts also take ``{labels.NAME}`` and ``{annotations.NAME}``."""

UNKNOWN_RUN = "killed at its timeout: what it changed before that is unknown; check before running it again"

MAX_OUTPUT_BYTES = 1024 * 1024
"""At most this much of a command's output is kept (the rest is cut, and the pane says so)."""

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_DOTTED = re.compile(r"^(labels|annotations)\.[A-Za-z_][A-Za-z0-9_.\-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ActionError(ValueError):
    """An action that cannot run for this item (a hostile or missing value); the message says why."""


def _fields(template: str) -> list[str]:
    """The placeholders of a template; ValueError for a stray brace."""
    found = []
    for match in _FIELD.finditer(template):
        text = match.group(0)
        if text in ("{{", "}}"):
            continue
        if match.group(1) is None:
            raise ValueError(f"stray {text!r} in {template!r} (write {text * 2} for a literal brace)")
        found.append(match.group(1))
    return found


def _check_template(template: str, scope: str) -> None:
    for name in _fields(template):
        if name in PLACEHOLDERS[scope] or (scope == "alert" and _DOTTED.match(name)):
            continue
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS[scope])
        extra = ", {labels.NAME}, {annotations.NAME}" if scope == "alert" else ""
        raise ValueError(f"unknown placeholder {{{name}}} for scope {scope}; expected one of {known}{extra}")


class ActionSpec(BaseModel):
    """One ``[[actions]]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    """What the help, the palette and the confirmation call it."""
    key: str
    """The key that runs it where its scope's items are selected (Textual key name: ``L``, ``ctrl+l``)."""
    scope: Scope
    """Which items it acts on: alert, deploy, pipeline or slo."""
    command: list[str] | None = None
    """An argv template, run without a shell; each element becomes exactly one argument."""
    url: str | None = None
    """A URL template: shown as a link (OSC 8) and copied (OSC 52)."""
    writes: bool = False
    """True when it changes something: refused in read-only mode, recorded in the audit log."""
    timeout: Duration = 30.0
    """A command still running after this long is killed."""

    @field_validator("name", "key")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip() or _CONTROL.search(value):
            raise ValueError("expected a non-empty, printable string")
        return value.strip()

    @field_validator("command")
    @classmethod
    def _argv(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return None
        if not value or not value[0].strip():
            raise ValueError("expected a non-empty argv list whose first element names the program")
        if _fields(value[0]):
            raise ValueError("element 0: the program must not come from a placeholder")
        scope = info.data.get("scope")
        for index, element in enumerate(value):
            try:
                _check_template(element, scope) if scope else _fields(element)
            except ValueError as exc:
                raise ValueError(f"element {index}: {exc}") from None
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://", value):
            raise ValueError("expected an http:// or https:// URL template")
        scope = info.data.get("scope")
        _check_template(value, scope) if scope else _fields(value)
        return value

    @field_validator("timeout")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("expected a duration longer than zero")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> "ActionSpec":
        if (self.command is None) == (self.url is None):
            raise ValueError("give either command (an argv list) or url, not both and not neither")
        return self


def _value(item: Any, name: str) -> str:
    if "." in name and isinstance(item, Alert):
        table, _, key = name.partition(".")
        value = (item.labels if table == "labels" else item.annotations).get(key)
        if value is None:
            raise ActionError(f"the selected alert has no {table[:-1]} {key!r}")
        return value
    value = getattr(item, name, None)
    if value is None:
        raise ActionError(f"the selected {getattr(item, 'item_type', 'item')} has no {name}")
    return str(getattr(value, "value", value))


def _render(template: str, item: Any, encode: bool) -> str:
    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in ("{{", "}}"):
            return text[0]
        value = _value(item, match.group(1))
        if _CONTROL.search(value):
            raise ActionError(f"{{{match.group(1)}}} holds a control character; not run")
        return quote(value, safe="") if encode else value

    return _FIELD.sub(one, template)


def render_command(spec: ActionSpec, item: Alert | Deploy | Pipeline | Slo) -> list[str]:
    """The argv for ``item``: one argument per template element. Raises :class:`ActionError`."""
    argv = []
    for element in spec.command or []:
        rendered = _render(element, item, encode=False)
        if rendered.startswith("-") and not element.startswith("-"):
            raise ActionError(f"a value would start an option ({clean(rendered, 60)!r}); not run")
        argv.append(rendered)
    return argv


def render_url(spec: ActionSpec, item: Alert | Deploy | Pipeline | Slo) -> str:
    """The URL for ``item``, each value percent-encoded. Raises :class:`ActionError`."""
    url = safe_url(_render(spec.url or "", item, encode=True))
    if url is None:
        raise ActionError("the rendered URL is not a plain http(s) URL; not opened")
    return url


@dataclass(frozen=True)
class ActionResult:
    """How a command ended: its exit status (None when killed at the timeout) and its output, inert."""

    argv: list[str]
    exit_status: int | None
    output: str
    timed_out: bool = False
    truncated: bool = False


async def run_command(argv: list[str], timeout_s: float) -> ActionResult:
    """Run ``argv`` without a shell (stdin closed, stderr with stdout); kill its process group at the timeout."""
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True,
        )
    except OSError as exc:
        return ActionResult(argv, None, f"cannot start {clean(argv[0], 200)}: {exc.strerror or exc}")
    assert process.stdout is not None
    chunks: list[bytes] = []
    size, truncated, timed_out = 0, False, False

    async def read() -> None:
        nonlocal size, truncated
        while chunk := await process.stdout.read(65536):  # type: ignore[union-attr]
            if size < MAX_OUTPUT_BYTES:
                chunks.append(chunk[: MAX_OUTPUT_BYTES - size])
            truncated = truncated or size + len(chunk) > MAX_OUTPUT_BYTES
            size += len(chunk)
        await process.wait()

    try:
        await asyncio.wait_for(read(), timeout_s)
    except asyncio.TimeoutError:
        timed_out = True
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        await process.wait()
    output = clean(b"".join(chunks).decode("utf-8", "replace"), max_len=MAX_OUTPUT_BYTES)
    return ActionResult(argv, None if timed_out else process.returncode, output, timed_out, truncated)
