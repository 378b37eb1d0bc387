"""Grouping, ordering and filtering of alerts for the Alerts panel, in plain Python.

No Textual here: the panel asks :class:`AlertView` for the rows to draw, so the work that
scales with the number of alerts (sorting, grouping, filtering 10,000 of them) is a few list
passes over precomputed keys, and only a window of rows (:data:`MAX_ROWS`) ever reaches the
table widget.

Order: groups by their most severe alert (critical, warning, info, none, then unknown), then
groups with a firing alert before pending-only ones, then the newest alert first; inside a
group the same key per alert. The filter is either free text (case-insensitive, over the
name, severity, state, summary and every label value) or Alertmanager matcher syntax
(``severity=critical, service=~"check.*"``), see :mod:`cockpit.core.matchers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress
from typing import Callable, Iterable, Literal, Sequence

from cockpit.core.models import Alert, AlertState
from cockpit.core.textsafe import clean_line
from cockpit.core.matchers import MatcherError, looks_like_matchers, matchers_match, parse_filter

__all__ = [
    "AlertView",
    "Filtered",
    "Group",
    "field_order",
    "MAX_ROWS",
    "ROW_LABELS",
    "Row",
    "STATE_ORDER",
    "SUPPRESSED",
    "alert_key",
    "alert_sort_key",
    "group_alerts",
    "is_critical_firing",
    "label_value",
    "layout_rows",
    "match_labels",
    "notification_text",
]

MAX_ROWS = 100
"""At most this many table rows are drawn; past it one line says how many more match."""

STATE_ORDER = {AlertState.FIRING: 0, AlertState.PENDING: 1, AlertState.INHIBITED: 2,
               AlertState.SILENCED: 3}

ROW_LABELS = frozenset({"severity", "alertname"})
"""Group-by labels already visible in an alert's row: a group of one alert needs no header."""


def alert_key(alert: Alert) -> str:
    """The key an alert keeps across refreshes: its source and fingerprint."""
    return f"{alert.source}/{alert.fingerprint}"


def label_value(alert: Alert, label: str) -> str:
    """The value an alert has for a group-by label (``severity`` and ``alertname`` included)."""
    if label == "severity":
        return alert.severity
    if label == "alertname":
        return alert.name
    return alert.labels.get(label, "")


SUPPRESSED = frozenset({AlertState.SILENCED, AlertState.INHIBITED})
"""States that sort after the firing and pending alerts, and that ``H`` hides."""


def match_labels(alert: Alert) -> dict[str, str]:
    """The labels a matcher filter sees: the alert's own plus ``alertname``, ``severity`` and,
    as karma's ``@state``, the alert's state (``@state=silenced``, ``@state!=inhibited``)."""
    return {"alertname": alert.name, "severity": alert.severity, **alert.labels,
            "@state": AlertState(alert.state).value}


def alert_sort_key(alert: Alert) -> tuple:
    """Firing and pending before silenced and inhibited (a silenced critical after a firing
    warning), then most severe first, firing before pending, newest first."""
    started = -alert.starts_at.timestamp() if alert.starts_at else 0.0
    return (AlertState(alert.state) in SUPPRESSED, alert.severity_rank, STATE_ORDER.get(alert.state, 9),
            started, alert.name, alert.fingerprint)


def is_critical_firing(alert: Alert) -> bool:
    return alert.state == AlertState.FIRING and alert.severity.lower() == "critical"


@dataclass
class Group:
    """Alerts sharing the values of the group-by labels, in display order."""

    key: tuple[str, ...]
    label: str
    """E.g. ``critical · HighErrorRate`` or ``cluster=eu-1`` (untrusted text, clean it to show)."""
    alerts: list[Alert]
    needs_header: bool = True
    """False for a group of one alert whose group labels are all in its row already."""
    texts: list[str] | None = field(default=None, repr=False, compare=False)
    """The free-text filter's search text of each alert, in order, once computed (see
    :meth:`AlertView.prepare`): a keystroke then tests substrings, no call per alert."""

    @property
    def row_key(self) -> str:
        return "group:" + "\x1f".join(self.key)


def _group_label(group_by: Sequence[str], values: Sequence[str]) -> str:
    parts = [(value or "-") if name in ROW_LABELS else f"{name}={value}"
             for name, value in zip(group_by, values)]
    return " · ".join(parts)


def group_alerts(alerts: Iterable[Alert], group_by: Sequence[str]) -> list[Group]:
    """Sort alerts and split them into groups by the labels in ``group_by`` (outermost first).

    An empty ``group_by`` gives one group without a header (a flat list).
    """
    ordered = sorted(alerts, key=alert_sort_key)
    if not group_by:
        return [Group((), "", ordered, needs_header=False)] if ordered else []
    groups: dict[tuple[str, ...], Group] = {}
    for alert in ordered:  # sorted input: each group's first alert is its most urgent
        values = tuple(label_value(alert, name) for name in group_by)
        group = groups.get(values)
        if group is None:
            groups[values] = Group(values, _group_label(group_by, values), [alert])
        else:
            group.alerts.append(alert)
    in_row = set(group_by) <= ROW_LABELS
    for group in groups.values():
        group.needs_header = not (in_row and len(group.alerts) == 1)
    # dicts keep insertion order, i.e. the order of each group's most urgent alert
    return list(groups.values())


@dataclass
class Filtered:
    """The groups after a filter: only matching alerts, empty groups left out."""

    groups: list[Group]
    count: int
    """Matching alerts in all."""
    error: str | None = None
    """Why the matcher text is invalid (then nothing matches)."""


Row = tuple[Literal["group", "alert", "more"], str, object]
"""(kind, table row key, Group | Alert | number of rows left out)."""


class AlertView:
    """One refresh's alerts, sorted and grouped once; filtered per keystroke from that.

    Typing narrows: when the new free text contains the previous one, only the previous
    result is searched; recent results are memoised, so erasing a character costs nothing.
    """

    MEMO = 64
    """How many recent filter results are kept."""

    def __init__(self, alerts: Sequence[Alert], group_by: Sequence[str] = ("severity", "alertname")):
        self.alerts = list(alerts)
        self.group_by = list(group_by)
        self.groups = group_alerts(self.alerts, self.group_by)
        self._in_row = set(self.group_by) <= ROW_LABELS
        self._search: dict[int, str] = {}
        self._labels: dict[int, dict[str, str]] = {}
        self._memo: dict[str, Filtered] = {}

    def search_text(self, alert: Alert) -> str:
        """What free text is searched in (casefolded, computed once per alert)."""
        text = self._search.get(id(alert))
        if text is None:
            parts = [alert.name, alert.severity, str(alert.state), alert.summary or "",
                     alert.service or "", *alert.labels.values()]
            text = self._search[id(alert)] = "\n".join(parts).casefold()
        return text

    def prepare(self) -> None:
        """Compute every alert's search text now (the app calls it when idle after a refresh),
        so the first filter keystroke does not pay for all of them (~20 ms for 10,000)."""
        for group in self.groups:
            self._texts(group)

    def _texts(self, group: Group) -> list[str]:
        """The search text of each of the group's alerts, in order (kept on the group)."""
        if group.texts is None:
            search = self.search_text
            group.texts = [search(alert) for alert in group.alerts]
        return group.texts

    def _match_labels(self, alert: Alert) -> dict[str, str]:
        labels = self._labels.get(id(alert))
        if labels is None:
            labels = self._labels[id(alert)] = match_labels(alert)
        return labels

    def filtered(self, text: str) -> Filtered:
        """The groups holding alerts that match ``text`` (free text or matchers)."""
        text = text.strip()
        result = self._memo.get(text)
        if result is not None:
            return result
        if not text:
            result = Filtered(self.groups, len(self.alerts))
        elif looks_like_matchers(text):
            try:
                matchers = parse_filter(text)
            except MatcherError as exc:
                result = Filtered([], 0, clean_line(exc, 120))
            else:
                labels = self._match_labels
                result = self._keep(self.groups, lambda g: [matchers_match(matchers, labels(a)) for a in g.alerts])
        else:
            needle = text.casefold()
            texts = self._texts
            result = self._keep(self._narrowest(needle), lambda g: [needle in t for t in texts(g)])
        if len(self._memo) >= self.MEMO:
            self._memo.pop(next(iter(self._memo)))
        self._memo[text] = result
        return result

    def _narrowest(self, needle: str) -> list[Group]:
        """The smallest memoised free-text result whose text the needle contains."""
        best = self.groups
        best_count = len(self.alerts)
        for text, result in self._memo.items():
            if (result.error is None and result.count < best_count and text
                    and not looks_like_matchers(text) and text.casefold() in needle):
                best, best_count = result.groups, result.count
        return best

    def unsuppressed(self, result: Filtered) -> Filtered:
        """``result`` without its silenced and inhibited alerts (the ``H`` key)."""
        return self._keep(result.groups, lambda g: [AlertState(a.state) not in SUPPRESSED for a in g.alerts])

    def _keep(self, groups: list[Group], flags_of: Callable[[Group], list[bool]]) -> Filtered:
        """The groups' alerts whose flag (one per alert, from ``flags_of``) is true."""
        kept_groups, count = [], 0
        for group in groups:
            flags = flags_of(group)
            if not any(flags):
                continue
            kept = list(compress(group.alerts, flags))
            texts = list(compress(group.texts, flags)) if group.texts is not None else None
            count += len(kept)
            headed = bool(self.group_by) and not (self._in_row and len(kept) == 1)
            kept_groups.append(Group(group.key, group.label, kept, headed, texts))
        return Filtered(kept_groups, count)


def layout_rows(result: Filtered, collapsed: set[str] | frozenset[str] = frozenset(),
                limit: int = MAX_ROWS) -> list[Row]:
    """Table rows: a header per group (when it needs one), its alerts unless collapsed, and
    past ``limit`` rows a single ``more`` row counting the matching alerts left out."""
    rows: list[Row] = []
    shown = 0
    for group in result.groups:
        if len(rows) >= limit:
            break
        if group.needs_header:
            rows.append(("group", group.row_key, group))
            if group.row_key in collapsed:
                shown += len(group.alerts)  # folded away on purpose: not "left out"
                continue
        room = limit - len(rows)
        for alert in group.alerts[:room]:
            rows.append(("alert", alert_key(alert), alert))
        shown += min(room, len(group.alerts))
    left = result.count - shown
    if left > 0:
        rows.append(("more", "more", left))
    return rows


def notification_text(alerts: Sequence[Alert], max_len: int = 160) -> str:
    """One clean line for a desktop notification about new critical alerts (no ESC, no BEL).

    It starts with ``cockpit:`` so that no terminal reads it as a numbered OSC 9 sub-command.
    """
    first = alerts[0]
    text = f"cockpit: CRITICAL {first.name}"
    if first.service:
        text += f" ({first.service})"
    summary = first.summary or first.annotations.get("summary")
    if summary:
        text += f": {summary}"
    if len(alerts) > 1:
        text += f" (+{len(alerts) - 1} more)"
    return clean_line(text, max_len)


def field_order(alert: Alert, column: str | None) -> tuple | None:
    """The sort key of an alert for a column of the Alerts panel (severity, state, name,
    service, summary), from its fields; None for any other column (the age: the panel's)."""
    if column == "severity":
        return (0, float(alert.severity_rank), "")
    if column == "state":
        return (0, float(STATE_ORDER.get(alert.state, 9)), "")
    if column in ("name", "service", "summary"):
        value = {"name": alert.name, "service": alert.service,
                 "summary": alert.summary or alert.annotations.get("summary")}[column]
        return (1, 0.0, value.casefold()) if value else (2, 0.0, "")
    return None
