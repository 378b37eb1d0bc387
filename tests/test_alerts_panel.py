"""The Alerts panel: groups and counts, order, filters, selection, bell, scale ("new" markers:
tests/test_new_rows.py).

Unit tests of the pure helpers (:mod:`cockpit.widgets.alert_groups`) and Pilot tests of the panel in
the app with a fake engine and a fixed clock. No timed assertions: the 10,000-alert test only
checks what is shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cockpit.ui.app import CockpitApp
from cockpit.core.models import Alert, SourceKind, SourceState, SourceStatus
from tests.app_fixtures import NOW, make_app
from cockpit.widgets.alert_groups import AlertView, group_alerts, layout_rows, notification_text
from cockpit.widgets.alerts import AlertsPanel

SIZE = (120, 40)


def alert(fp: str, name: str, severity: str = "warning", state: str = "firing",
          minutes: float = 10, **labels: str) -> Alert:
    return Alert(source="am", fingerprint=fp, name=name, severity=severity, state=state,
                 starts_at=NOW - timedelta(minutes=minutes),
                 labels={"alertname": name, "severity": severity, **labels},
                 summary=f"{name} on {labels.get('instance', '?')}")


def source(alerts: list[Alert], name: str = "am", fetched_at: datetime | None = NOW) -> SourceState:
    return SourceState(name=name, type="alertmanager", kind=SourceKind.ALERTS,
                       status=SourceStatus.OK, fetched_at=fetched_at, items=alerts)


def sample() -> list[Alert]:
    return [
        alert("w1", "DiskFull", "warning", minutes=50, instance="db-1", service="db"),
        alert("c1", "HighErrorRate", "critical", minutes=30, instance="web-1", service="checkout"),
        alert("i1", "TargetDown", "info", minutes=5, instance="s-1", service="search"),
        alert("c2", "HighErrorRate", "critical", minutes=3, instance="web-2", service="checkout"),
        alert("n1", "Watchdog", "none", "inhibited", minutes=600),
        alert("c3", "HighErrorRate", "critical", "pending", minutes=1, instance="web-3",
              service="checkout"),
        alert("w2", "DiskFull", "warning", "silenced", minutes=20, instance="db-2", service="db"),
    ]


class SeenList:
    """The fingerprints of each NewCritical message, compared as a list of lists."""

    def __init__(self, messages: list) -> None:
        self.messages = messages

    def __eq__(self, other: object) -> bool:
        return [[a.fingerprint for a in m.alerts] for m in self.messages] == other

    def __repr__(self) -> str:
        return repr([[a.fingerprint for a in m.alerts] for m in self.messages])


def panel_of(app: CockpitApp) -> AlertsPanel:
    return app.main_screen.query_one(AlertsPanel)


def table_text(panel: AlertsPanel) -> list[str]:
    table = panel.table
    return [" | ".join(c.plain for c in table.get_row_at(i)) for i in range(table.row_count)]


def name_cell(panel: AlertsPanel, row: int) -> str:
    """What the Alert column shows on a row (a group's label, an alert's name)."""
    return panel.table.get_cell(f"r{row}", "name").plain


# ----- pure helpers ---------------------------------------------------------------------
def test_groups_by_severity_then_alertname_with_counts_in_urgency_order():
    groups = group_alerts(sample(), ["severity", "alertname"])
    assert [(g.label, len(g.alerts)) for g in groups] == [
        ("critical · HighErrorRate", 3), ("warning · DiskFull", 2),
        ("info · TargetDown", 1), ("none · Watchdog", 1)]
    # inside a group: firing before pending, newest first
    assert [a.fingerprint for a in groups[0].alerts] == ["c2", "c1", "c3"]
    # a lone alert whose group labels are columns of its row needs no header
    assert [g.needs_header for g in groups] == [True, True, False, False]


def test_custom_group_labels_and_flat_list():
    groups = group_alerts(sample(), ["service"])
    assert [g.label for g in groups][:2] == ["service=checkout", "service=db"]
    assert all(g.needs_header for g in groups)  # "service=search" is not in the row
    flat = group_alerts(sample(), [])
    assert len(flat) == 1 and not flat[0].needs_header and len(flat[0].alerts) == 7


def test_text_and_matcher_filters_and_an_invalid_matcher():
    view = AlertView(sample())
    assert view.filtered("WEB-2").count == 1  # label values are searched, case-insensitively
    result = view.filtered('severity=critical, instance=~"web-[12]"')
    assert result.count == 2 and result.error is None
    assert [a.fingerprint for g in result.groups for a in g.alerts] == ["c2", "c1"]
    assert view.filtered('alertname!~"Disk.*|High.*"').count == 2
    assert view.filtered("service!=db").count == 5
    bad = view.filtered('service=~"check')
    assert bad.count == 0 and bad.error and "unescaped double quote" in bad.error
    bad_regex = view.filtered('service=~"(x"')
    assert bad_regex.count == 0 and "error parsing regexp" in bad_regex.error
    # narrowing by typing and erasing gives the same answers as filtering from scratch
    for text in ("d", "di", "disk", "di", "d", ""):
        assert view.filtered(text).count == AlertView(sample()).filtered(text).count


def test_narrowing_a_prepared_view_finds_the_same_alerts_as_a_fresh_one():
    """Search texts computed ahead (prepare) travel with the narrowed results: each keystroke
    of a longer text searches the previous result and must still match the right alerts."""
    alerts = [alert(f"f{i}", f"A{i % 3}", instance=f"host-{i:03d}", minutes=i) for i in range(300)]

    def shown(result) -> list[str]:
        return [a.fingerprint for g in result.groups for a in g.alerts]

    view = AlertView(alerts)
    view.prepare()
    for text in ("h", "host-0", "host-01", "host-012", "host-01", "a1", "a1 on host-1", "", "host-2"):
        assert shown(view.filtered(text)) == shown(AlertView(alerts).filtered(text)), text
    assert shown(view.unsuppressed(view.filtered("host-02"))) == shown(AlertView(alerts).filtered("host-02"))


def test_layout_caps_the_rows_and_counts_the_rest():
    alerts = [alert(f"f{i}", f"A{i % 3}", minutes=i) for i in range(50)]
    result = AlertView(alerts).filtered("")
    rows = layout_rows(result, limit=20)
    assert len(rows) == 21 and rows[-1][0] == "more"
    shown = sum(1 for kind, _k, _o in rows if kind == "alert")
    assert rows[-1][2] == 50 - shown
    collapsed = {rows[0][1]}
    rows = layout_rows(result, collapsed, limit=100)
    assert rows[1][0] == "group" and "more" not in [r[0] for r in rows]


def test_notification_text_is_one_clean_line():
    hostile = alert("x", "Boom\x1b]8;;http://evil\x07\x07", "critical", instance="a")
    hostile.summary = "line1\nline2 \x1b[2J\x9d0;title\x07"
    text = notification_text([hostile, alert("y", "Other", "critical")])
    assert "\x1b" not in text and "\x07" not in text and "\x9d" not in text and "\n" not in text
    assert text.startswith("cockpit: CRITICAL Boom") and text.endswith("(+1 more)")


# ----- the panel in the app -------------------------------------------------------------
async def test_panel_shows_group_headers_with_counts_and_skips_them_with_j_k():
    app = make_app([source(sample())])
    async with app.run_test(size=SIZE) as pilot:
        panel = panel_of(app)
        rows = table_text(panel)
        assert name_cell(panel, 0) == "▼ critical · HighErrorRate (3)"
        assert "●2 ◌1" in rows[0]  # the group's states, without colour
        assert "● firing" in rows[1] and "◌ pending" in rows[3]
        assert "⊘ silenced" in table_text(panel)[6] and "⇣ inhibited" in rows[-1]
        assert panel.selected_item.fingerprint == "c2"  # the cursor starts on an alert
        await pilot.press("j", "j", "j")
        assert panel.selected_item.fingerprint == "w1"  # the warning header was stepped over
        await pilot.press("k", "k", "k", "k", "k")
        assert panel.selected_item.fingerprint == "c2"
        # enter on a header folds the group; the header stays, its alerts go
        panel.table.move_cursor(row=0)
        await pilot.press("enter")
        assert table_text(panel)[0].startswith(" |  | ●2 ◌1 | ")
        assert name_cell(panel, 0) == "▶ critical · HighErrorRate (3)"
        assert "c1" not in [a.fingerprint for a in panel.visible_items]
        assert isinstance(app.screen, type(app.main_screen))  # no detail screen for a header
        await pilot.press("enter")
        assert len(panel.visible_items) == 7


async def test_matcher_filter_and_invalid_matcher_in_the_header():
    app = make_app([source(sample())])
    async with app.run_test(size=SIZE) as pilot:
        panel = panel_of(app)
        await pilot.press("slash", *'severity=critical')
        assert [a.fingerprint for a in panel.visible_items] == ["c2", "c1", "c3"]
        assert "3/7" in panel.header_text().plain
        await pilot.press(*',service=~"chec')  # unterminated while typing
        header = panel.header_text().plain
        assert "bad matcher: matcher value contains unescaped double quote" in header
        assert panel.visible_items == []
        await pilot.press("k", "full_stop", "asterisk", "quotation_mark")
        assert "bad matcher" not in panel.header_text().plain
        assert len(panel.visible_items) == 3


async def test_selection_stays_on_the_alert_when_groups_reorder():
    app = make_app([source(sample())])
    async with app.run_test(size=SIZE) as pilot:
        panel = panel_of(app)
        await pilot.press("j", "j", "j", "j")
        assert panel.selected_item.fingerprint == "w2"
        # the critical group resolves and a new info group arrives: every row moves
        remaining = [a for a in sample() if a.severity != "critical"]
        extra = [alert(f"e{i}", "CertExpiring", "info", minutes=i, instance=f"h{i}")
                 for i in range(4)]
        app.apply_states([source(extra + remaining)])
        await pilot.pause()
        assert panel.selected_item.fingerprint == "w2"
        assert name_cell(panel, 0) == "▼ warning · DiskFull (2)"


async def test_new_critical_posts_once_per_alert_and_respects_the_cooldown():
    app = make_app([source(sample())], settings={"notify_cooldown": "5m"})
    messages: list[AlertsPanel.NewCritical] = []
    rung: list[int] = []

    def hook(message: object) -> None:  # a message is seen at every node it bubbles through
        if isinstance(message, AlertsPanel.NewCritical) and message not in messages:
            messages.append(message)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        seen = SeenList(messages)
        app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
        panel = panel_of(app)
        await pilot.pause()
        assert seen == []  # the first data (cache) never rings
        crit = alert("k1", "NodeDown", "critical", minutes=0, instance="n1")
        panel.set_states([source([*sample(), crit])], NOW + timedelta(seconds=10))
        await pilot.pause()
        assert seen == [["k1"]] and rung == [1]
        # the same alert again, and a pending critical: nothing new
        pend = alert("k2", "NodeDown", "critical", "pending", minutes=0, instance="n2")
        panel.set_states([source([*sample(), crit, pend])], NOW + timedelta(seconds=20))
        await pilot.pause()
        assert seen == [["k1"]]
        # k2 starts firing within the cooldown: no message (and never later for k2)
        fired = pend.model_copy(update={"state": "firing"})
        panel.set_states([source([*sample(), crit, fired])], NOW + timedelta(minutes=2))
        await pilot.pause()
        assert seen == [["k1"]]
        k3 = alert("k3", "NodeDown", "critical", minutes=0, instance="n3")
        panel.set_states([source([*sample(), crit, fired, k3])], NOW + timedelta(minutes=6))
        await pilot.pause()
        assert seen == [["k1"], ["k3"]] and rung == [1, 1]


async def test_bell_can_be_turned_off_and_groups_configured():
    settings = {"bell_on_critical": False, "alert_group_by": ["service"]}
    app = make_app([source(sample())], settings=settings)
    seen: list[object] = []
    async with app.run_test(size=SIZE, message_hook=lambda m: seen.append(m)
                            if isinstance(m, AlertsPanel.NewCritical) else None) as pilot:
        panel = panel_of(app)
        assert name_cell(panel, 0) == "▼ service=checkout (3)"
        crit = alert("k1", "NodeDown", "critical", minutes=0)
        panel.set_states([source([*sample(), crit])], NOW + timedelta(minutes=1))
        await pilot.pause()
        assert seen == []


@pytest.mark.parametrize("count", [10_000])
async def test_ten_thousand_alerts_render_capped_and_filter(count):
    severities = ["critical", "warning", "info"]
    alerts = [alert(f"{i:08x}", f"ScaleAlert{i % 100:02d}", severities[i % 3], minutes=i % 600,
                    instance=f"host-{i:05d}") for i in range(count)]
    app = make_app([source(alerts)])
    async with app.run_test(size=SIZE) as pilot:
        panel = panel_of(app)
        assert panel.header_text().plain.startswith(f"1 Alerts {count:,}".replace(",", ""))
        rows = table_text(panel)
        assert len(rows) == panel.max_rows + 1
        assert name_cell(panel, len(rows) - 1).startswith("… ") and "more, refine the filter" in rows[-1]
        await pilot.press("slash", *"host-0123")
        shown = sorted(a.labels["instance"] for a in panel.visible_items)
        assert shown == [f"host-0123{d}" for d in range(10)]
        assert f"10/{count}" in panel.header_text().plain
        assert not any("more, refine" in row for row in table_text(panel))
        for _ in range(len("0123")):
            await pilot.press("backspace")
        assert panel.shown_count() == count  # "host-" matches every alert
        await pilot.press("escape")
        assert len(table_text(panel)) == panel.max_rows + 1
