"""The Alerts panel: severity, state (a symbol and a word), name, service, summary, age."""

from __future__ import annotations

import importlib
import re
from datetime import datetime

from rich.text import Text

from cockpit.models import Alert, AlertState, SourceKind
from widgets.panel import Panel, age_text, plain

__all__ = ["STATE_MARKS", "AlertsPanel", "looks_like_matcher", "matcher_filter"]

STATE_MARKS: dict[AlertState, str] = {
    AlertState.FIRING: "●",
    AlertState.PENDING: "◌",
    AlertState.SILENCED: "⊘",
    AlertState.INHIBITED: "⇣",
}
"""A symbol per state, shown beside the state's name (never colour alone)."""

_STATE_ORDER = {AlertState.FIRING: 0, AlertState.PENDING: 1, AlertState.INHIBITED: 2,
                AlertState.SILENCED: 3}
_MATCHER_START = re.compile(r"^\s*\{?\s*[A-Za-z_][A-Za-z0-9_]*\s*(=~|!~|!=|=)")


def looks_like_matcher(text: str) -> bool:
    """``severity=critical``, ``service=~"check.*"``, ``{a!="b"}``: Alertmanager matcher syntax."""
    return bool(_MATCHER_START.match(text))


def matcher_filter(text: str):
    """A predicate over label dicts from ``sources.matchers`` when that module is present and
    the text parses; None otherwise (the caller then falls back to a substring search)."""
    if not looks_like_matcher(text):
        return None
    try:
        module = importlib.import_module("sources.matchers")
        matchers = module.parse_matchers(text)
    except Exception:  # module absent, or text not (yet) a valid matcher while typing
        return None
    if not isinstance(matchers, (list, tuple)):
        matchers = [matchers]
    return lambda labels: all(m.matches(labels) for m in matchers)


class AlertsPanel(Panel[Alert]):
    """Every alert of every alerts source, most severe first, then newest first."""

    KIND = SourceKind.ALERTS
    ITEM_TYPE = "alert"
    TITLE = "Alerts"
    NUMBER = 1
    AGE_COLUMN = ("age", "starts_at")
    COLUMNS = (
        ("severity", "Sev", None),
        ("state", "State", None),
        ("name", "Alert", None),
        ("service", "Service", None),
        ("age", "Age", None),
        ("summary", "Summary", None),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._matcher_cache: tuple[str, object] = ("", None)

    def item_key(self, item: Alert) -> str:
        return f"{item.source}/{item.fingerprint}"

    def sort_items(self, items: list[Alert]) -> list[Alert]:
        def newest_first(alert: Alert) -> float:
            return -(alert.starts_at.timestamp()) if alert.starts_at else 0.0

        return sorted(
            items,
            key=lambda a: (a.severity_rank, _STATE_ORDER.get(a.state, 9), newest_first(a), a.name),
        )

    def severity_style(self, alert: Alert):
        rank = alert.severity_rank
        if rank <= 1:
            return self.cell_style("error")
        if rank == 2:
            return self.cell_style("warning")
        return self.cell_style("info")

    def row_cells(self, item: Alert, now: datetime) -> list[Text]:
        state = AlertState(item.state)
        state_style = self.cell_style("muted") if state in (
            AlertState.SILENCED, AlertState.INHIBITED) else ""
        if state == AlertState.FIRING:
            state_style = self.severity_style(item)
        return [
            plain(item.severity, 12, self.severity_style(item)),
            Text(f"{STATE_MARKS.get(state, '?')} {state.value}", style=state_style),
            plain(item.name, 60, "bold"),
            plain(item.service or "-", 40),
            Text(age_text(item.starts_at, now)),
            plain(item.summary or item.annotations.get("summary") or "", 200),
        ]

    def matches_filter(self, item: Alert, cells: list[Text], text: str) -> bool:
        cached_text, predicate = self._matcher_cache
        if cached_text != text:
            predicate = matcher_filter(text)
            self._matcher_cache = (text, predicate)
        if predicate is not None:
            labels = {"alertname": item.name, "severity": item.severity, **item.labels}
            try:
                return bool(predicate(labels))
            except Exception:
                return False
        return super().matches_filter(item, cells, text)
