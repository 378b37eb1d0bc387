"""The detail screen: every field of one item, times with their age, links as OSC 8."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from cockpit.durations import format_age
from cockpit.models import utcnow
from cockpit.textsafe import clean, clean_line, safe_url

__all__ = ["DetailScreen", "render_item"]

_TITLES = {"alert": "Alert", "slo": "SLO", "deploy": "Deploy", "pipeline": "Pipeline",
           "runbook": "Runbook"}
_HEADLINE = {"alert": "name", "slo": "name", "deploy": "service", "pipeline": "name",
             "runbook": "title"}


def _value_text(value: Any, now: datetime, indent: int) -> Text:
    """One value as inert text: URLs become links, times get their age."""
    if isinstance(value, datetime):
        stamp = value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
        return Text(f"{stamp} ({format_age((now - value).total_seconds())})")
    if isinstance(value, float):
        return Text(f"{value:g}")
    if value is None:
        return Text("-", style="dim")
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return Text(value.value)
    text = clean(value, max_len=4000)
    url = safe_url(text) if "\n" not in text else None
    if url:
        return Text(url, style=Style(link=url, underline=True))
    if "\n" in text:
        pad = " " * (indent + 2)
        return Text("\n" + "\n".join(pad + line for line in text.splitlines()))
    return Text(text)


def _append_field(out: Text, label: str, value: Any, now: datetime, indent: int = 0) -> None:
    pad = " " * indent
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        out.append(f"{pad}{clean_line(label, 80)}:", style="bold")
        if not value:
            out.append(" -\n", style="dim")
            return
        out.append("\n")
        for key in sorted(value, key=str):
            _append_field(out, str(key), value[key], now, indent + 2)
        return
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (str, int, float)) or v is None for v in value):
            out.append(f"{pad}{clean_line(label, 80)}: ", style="bold")
            for index, entry in enumerate(value):
                if index:
                    out.append(", ")
                out.append_text(_value_text(entry, now, indent))
            out.append("\n")
            return
        if not value:
            out.append(f"{pad}{clean_line(label, 80)}: ", style="bold")
            out.append("-\n", style="dim")
            return
        for index, entry in enumerate(value):
            _append_field(out, f"{label}[{index}]", entry, now, indent)
        return
    out.append(f"{pad}{clean_line(label, 80)}: ", style="bold")
    out.append_text(_value_text(value, now, indent))
    out.append("\n")


def render_item(item: BaseModel, now: datetime | None = None) -> Text:
    """Every field of a model, one per line, nested dicts indented; all text inert."""
    now = now or utcnow()
    out = Text()
    for name in type(item).model_fields:
        if name == "item_type":
            continue
        value = getattr(item, name)
        _append_field(out, name, value, now)
    for extra in ("service", "duration_s"):  # computed properties worth seeing
        if extra not in type(item).model_fields and hasattr(item, extra):
            value = getattr(item, extra)
            if value is not None:
                _append_field(out, extra, value, now)
    out.rstrip()
    return out


class DetailScreen(Screen[None]):
    """Shows one item; ``esc`` goes back to the panels."""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, item: BaseModel, now: datetime | None = None) -> None:
        super().__init__(id="detail")
        self.item = item
        self._now = now

    def compose(self) -> ComposeResult:
        kind = getattr(self.item, "item_type", "item")
        headline = getattr(self.item, _HEADLINE.get(kind, "name"), "")
        title = Text(f"{_TITLES.get(kind, 'Item')}: ", style="bold")
        title.append(clean_line(headline, 120))
        title.append("   esc back", style="dim")
        yield Static(title, id="detail-title", markup=False)
        with VerticalScroll(id="detail-body"):
            yield Static(render_item(self.item, self._now), id="detail-fields", markup=False)

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()

    def action_back(self) -> None:
        self.dismiss()
