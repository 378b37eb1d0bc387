"""Issue 18, point 8: silenced alerts no longer crowd out firing ones.

A silenced critical sorted above a firing warning and counted in "Alerts 6". Now silenced and
inhibited alerts sort after the firing ones, the header counts them apart (``1 firing ·
1 silenced``), ``H`` hides them, and the filter takes ``@state`` as karma's does.
"""

from __future__ import annotations

from tests.app_fixtures import NOW, make_app
from cockpit.core.models import Alert, SourceKind, SourceState, SourceStatus
from cockpit.ui.app import CockpitApp
from cockpit.widgets.alert_groups import group_alerts

SIZE = (120, 40)


def alert(fp: str, name: str, severity: str, state: str) -> Alert:
    return Alert(source="am", fingerprint=fp, name=name, severity=severity, state=state, starts_at=NOW,
                 labels={"alertname": name, "severity": severity, "service": "checkout"})


ALERTS = [
    alert("s1", "CheckoutDown", "critical", "silenced"),
    alert("i1", "CheckoutSlow", "critical", "inhibited"),
    alert("f1", "CheckoutErrors", "warning", "firing"),
    alert("p1", "CheckoutLatency", "warning", "pending"),
]


def alerts_app() -> CockpitApp:
    state = SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, status=SourceStatus.OK,
                        fetched_at=NOW, items=ALERTS)
    return make_app([state])


def test_a_silenced_critical_sorts_after_a_firing_warning():
    names = [a.name for g in group_alerts(ALERTS, ["severity", "alertname"]) for a in g.alerts]
    assert names == ["CheckoutErrors", "CheckoutLatency", "CheckoutSlow", "CheckoutDown"]


async def test_header_counts_states_apart_H_hides_suppressed_and_state_filters():
    app = alerts_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main_screen.panel("alerts")
        assert [a.name for a in panel.visible_items] == [
            "CheckoutErrors", "CheckoutLatency", "CheckoutSlow", "CheckoutDown"]
        header = panel.header_text().plain
        assert header.startswith("1 Alerts 1 firing · 1 pending · 1 inhibited · 1 silenced")
        await pilot.press("H")
        await pilot.pause()
        assert [a.name for a in panel.visible_items] == ["CheckoutErrors", "CheckoutLatency"]
        assert "2 silenced/inhibited hidden (H)" in panel.header_text().plain
        await pilot.press("H")
        await pilot.pause()
        assert len(panel.visible_items) == 4
        await pilot.press("slash", *"@state=silenced", "enter")
        await pilot.pause()
        assert [a.name for a in panel.visible_items] == ["CheckoutDown"]
        panel.filter_text = '@state=~"firing|pending"'
        await pilot.pause()
        assert [a.name for a in panel.visible_items] == ["CheckoutErrors", "CheckoutLatency"]
