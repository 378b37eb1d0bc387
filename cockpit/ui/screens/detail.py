"""The detail screen: every field of one item, times with their age, links as OSC 8.

For an alert it also shows its two links (``generatorURL`` and ``runbook_url``) with keys to copy
them (OSC 52), the deploys and pipeline failures of its service in the two hours before it started
(:mod:`cockpit.ui.screens.related`), and the alert actions: ``s`` silence, ``o`` runbook, ``t`` triage, ``S`` list silences.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cockpit.core.durations import format_age, format_duration
from cockpit.core.failed_jobs import failed_jobs_block, failed_jobs_line
from cockpit.core.models import Alert, Deploy, Pipeline, SourceState, utcnow
from cockpit.core.osc import copy_to_clipboard, link_style
from cockpit.ui.host import host_of
from cockpit.ui.navigation import KeyScroll
from cockpit.ui.screens.intents import ItemScreen
from cockpit.core.related import LOOK_BACK, alert_environment, suspect_alert
from cockpit.ui.screens.related import RELATED_WINDOW, related_changes
from cockpit.core.textsafe import clean, clean_line, safe_url

__all__ = ["DetailScreen", "alert_links", "render_alert_links", "render_item", "render_related"]

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


def duration_words(seconds: float) -> str:
    """``6 minutes``, ``1 hour 5 minutes``, ``45 seconds``: a duration as a sentence says it."""
    s = int(round(max(0.0, seconds)))
    parts = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        count, s = divmod(s, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"


def _append_field(out: Text, label: str, value: Any, now: datetime, indent: int = 0) -> None:
    pad = " " * indent
    if label.endswith("_s") and isinstance(value, (int, float)) and not isinstance(value, bool):
        label, value = label[:-2], duration_words(value)  # duration_s: 360 -> duration: 6 minutes
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
        if name in ("item_type", "failed_jobs"):  # failed_jobs: said in a sentence above the fields
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


def alert_links(alert: Alert) -> dict[str, str | None]:
    """The alert's two links, each a safe http(s) URL or None: ``runbook`` and ``generator``."""
    runbook = (alert.runbook.url if alert.runbook else None) or alert.annotations.get("runbook_url")
    return {"runbook": safe_url(runbook), "generator": safe_url(alert.generator_url)}


def render_alert_links(alert: Alert) -> Text:
    """The runbook and generator links (OSC 8 via ``Style(link=...)``) with their copy keys."""
    out = Text()
    links = alert_links(alert)
    for label, key, url in (("runbook", "c", links["runbook"]), ("generator", "y", links["generator"])):
        out.append(f"{label:<10}", style="bold")
        if url:
            out.append(url, style=link_style(url, underline=True))
            out.append(f"  ({key} copy)", style="dim")
        else:
            out.append("-", style="dim")
        out.append("\n")
    if alert.runbook and alert.runbook.path:
        out.append(f"{'local':<10}", style="bold")
        out.append(clean_line(alert.runbook.path, 300))
        out.append("\n")
    out.rstrip()
    return out


def _when_before(started: datetime | None, start: datetime) -> str:
    if started is None:
        return "-"
    gap = (started - start).total_seconds()
    side = "after" if gap > 0 else "before"
    return f"{started.strftime('%H:%M')} ({format_duration(abs(gap))} {side})"


_CHANGE_PAD = 11
"""Where a change's text starts, after its kind (``  pipeline ``)."""


def _run_line(out: Text, kind: str, when: str, what: str, status: str, author: str | None,
              url: str | None) -> None:
    out.append(f"  {kind:<{_CHANGE_PAD - 2}}", style="bold")
    out.append(f"{when}  ")
    out.append(clean_line(what, 120))
    out.append(f"  {status}")
    if author:
        out.append(f"  {clean_line(author, 40)}")
    style = link_style(url, underline=True)
    if style is not None:
        out.append("  ")
        out.append("link", style=style)
    out.append("\n")


def _failed_line(out: Text, run: Deploy | Pipeline) -> None:
    """Under a failed change, where it failed (one line), when its upstream says."""
    line = failed_jobs_line(run.failed_jobs)
    if line is not None:
        out.append(" " * _CHANGE_PAD)
        out.append_text(line)
        out.append("\n")


def render_related(alert: Alert, states: list[SourceState], now: datetime | None = None) -> Text:
    """Deploys and pipeline failures of the alert's service and environment in the look-back
    before it started, then those since it started (:mod:`cockpit.core.related`'s rule)."""
    related = related_changes(alert, states, now=now)
    hours = format_duration(RELATED_WINDOW.total_seconds()).replace("h00m", "h")
    out = Text()
    if not related.service or alert.starts_at is None:
        out.append("Changes before it started: ", style="bold")
        out.append("unknown (no service label or no start time)", style="dim")
        return out
    where = clean_line(related.service, 80) + (f" ({clean_line(related.environment, 40)})"
                                               if related.environment else "")
    out.append(f"Changes to {where} in the {hours} before it started", style="bold")
    out.append(" (look-back; same service, same environment when both name one)", style="dim")
    out.append("\n")
    _changes(out, alert.starts_at, related.deploys, related.pipelines)
    if not related.deploys and not related.pipelines:
        out.append("  none: no deploy and no failed pipeline\n", style="dim")
    if related.after_deploys or related.after_pipelines:
        out.append("Since it started (not its cause: what was done after)", style="bold")
        out.append("\n")
        _changes(out, alert.starts_at, related.after_deploys, related.after_pipelines)
    out.rstrip()
    return out


def _changes(out: Text, start: datetime, deploys: list[Deploy], pipelines: list[Pipeline]) -> None:
    for deploy in deploys:
        what = deploy.service + (f" {deploy.version[:12]}" if deploy.version else "")
        if deploy.environment:
            what += f" -> {deploy.environment}"
        _run_line(out, "deploy", _when_before(deploy.started_at, start), what, deploy.status.value,
                  deploy.author, deploy.url)
        _failed_line(out, deploy)
    for run in pipelines:
        what = f"{run.repo} {run.name}" + (f" @{run.branch}" if run.branch else "")
        _run_line(out, "pipeline", _when_before(run.started_at, start), what, run.status.value,
                  run.author, run.url)
        _failed_line(out, run)


def render_suspicion(deploy: Deploy, states: list[SourceState]) -> Text | None:
    """Why a deploy is marked suspect: the alert that started after it, or None."""
    alerts = [i for s in states for i in s.items if isinstance(i, Alert)]
    alert = suspect_alert(deploy, alerts)
    if alert is None or alert.starts_at is None or deploy.started_at is None:
        return None
    out = Text("⚑ Suspect: ", style="bold")
    out.append(f"{clean_line(alert.name, 80)} ({alert.state.value}, {clean_line(alert.service or '-', 60)}")
    env = alert_environment(alert)
    out.append(f", {clean_line(env, 40)})" if env else ")")
    gap = format_duration((alert.starts_at - deploy.started_at).total_seconds())
    out.append(f" started {gap} after this deploy (look-back {format_duration(LOOK_BACK.total_seconds())})")
    return out


class DetailScreen(ItemScreen):
    """Shows one item; ``esc`` goes back to the panels. For an alert: copy keys and actions."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("S", "silences", "Detail: list the silences", id="detail-silences"),
        Binding("c", "copy('runbook')", "Detail: copy the runbook URL (OSC 52)", id="detail-copy-runbook"),
        Binding("y", "copy('generator')", "Detail: copy the generator URL (OSC 52)", id="detail-copy-generator"),
    ]
    DEFAULT_CSS = """
    #detail-links, #detail-related, #detail-silenced, #detail-suspect, #detail-link, #detail-failed {
        margin: 0 0 1 0;
    }
    """

    def __init__(self, item: BaseModel, now: datetime | None = None) -> None:
        super().__init__(id="detail")
        self.item = item
        self.KIND_TITLE = _TITLES.get(getattr(item, "item_type", ""), "Item")
        self._now = now

    def compose(self) -> ComposeResult:
        kind = getattr(self.item, "item_type", "item")
        headline = getattr(self.item, _HEADLINE.get(kind, "name"), "")
        title = Text(f"{_TITLES.get(kind, 'Item')}: ", style="bold")
        title.append(clean_line(headline, 120))
        title.append("   esc back · j/k g/G move", style="dim")
        if isinstance(self.item, Alert):
            title.append(" · a ack · s silence · o runbook · t triage · S silences · c/y copy", style="dim")
        elif self._url():
            title.append(" · c copy the link", style="dim")
        yield Static(title, id="detail-title", markup=False)
        with KeyScroll(id="detail-body"):
            if isinstance(self.item, Alert):
                yield Static(render_alert_links(self.item), id="detail-links", markup=False)
                if self.item.silenced_by:
                    yield Static(Text("Silenced by: looking it up…", style="dim"), id="detail-silenced",
                                 markup=False)
                states = host_of(self).states
                yield Static(render_related(self.item, states, self._now), id="detail-related", markup=False)
            failed = failed_jobs_block(self.item.failed_jobs) if isinstance(self.item, (Deploy, Pipeline)) else None
            if failed is not None:
                yield Static(failed, id="detail-failed", markup=False)
            if self._url():
                link = Text(f"{'link':<10}", style="bold")
                link.append(self._url() or "", style=link_style(self._url(), underline=True))
                link.append("  (c copy)", style="dim")
                yield Static(link, id="detail-link", markup=False)
            if isinstance(self.item, Deploy):
                why = render_suspicion(self.item, host_of(self).states)
                if why is not None:
                    yield Static(why, id="detail-suspect", markup=False)
            yield Static(render_item(self.item, self._now), id="detail-fields", markup=False)

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        if isinstance(self.item, Alert) and self.item.silenced_by:
            self._name_silences(self.item)

    @work(exclusive=True, group="detail-silences", exit_on_error=False)
    async def _name_silences(self, alert: Alert) -> None:
        """The alert's silences by who made them, until when and why, not by their ids."""
        from cockpit.ui.screens.silences import silenced_by_text

        text = await silenced_by_text(host_of(self), alert, max(40, self.size.width - 6))
        if self.is_attached:
            self.query_one("#detail-silenced", Static).update(text)

    def _url(self) -> str | None:
        """A deploy's or a pipeline's link (safe http(s)), else None."""
        if isinstance(self.item, (Deploy, Pipeline)):
            return safe_url(self.item.url)
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "silences":
            return isinstance(self.item, Alert)
        if action == "copy":
            return isinstance(self.item, Alert) or bool(self._url())
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_copy(self, which: str) -> None:
        """Copy one of the alert's links, or a deploy's or pipeline's, to the clipboard (OSC 52)."""
        if not isinstance(self.item, Alert):
            url = self._url()
            if url and copy_to_clipboard(self.app, url):
                self.notify(f"copied the {getattr(self.item, 'item_type', 'item')} link", timeout=3, markup=False)
            return
        url = alert_links(self.item).get(which)
        label = "runbook URL" if which == "runbook" else "generator URL"
        if url and copy_to_clipboard(self.app, url):
            self.notify(f"copied the {label}", timeout=3, markup=False)
        else:
            self.notify(f"this alert has no {label} to copy", severity="warning", markup=False)

    def shown_item(self) -> object:
        return self.item

    def action_silences(self) -> None:
        if isinstance(self.item, Alert):
            from cockpit.ui.screens.silences import show_silences

            show_silences(host_of(self), self.item.source)
