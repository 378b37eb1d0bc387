"""Issue 18, point 9: "what changed" by one documented rule (cockpit.core.related).

A staging deploy was flagged for a production alert; a deploy three minutes before an alert lost
its flag once the alert was silenced; the detail looked back 2h but the triage export 24h; a
failed deploy after the alert started was not shown. Now: same service, the same environment
when both name one, one look-back (2h) shown on screen, changes after the start listed apart,
silenced alerts included, and the deploy's detail says which alert made it suspect.
"""

from __future__ import annotations

from datetime import timedelta

from cockpit.core.models import Alert, Deploy, SourceKind, SourceState, SourceStatus
from cockpit.core.related import LOOK_BACK, same_environment, suspect_alert
from cockpit.engine.triage.export import export_markdown
from cockpit.engine.triage.store import TriageStore
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.detail import DetailScreen
from tests.app_fixtures import NOW, make_app

START = NOW - timedelta(minutes=10)


def alert(state: str = "firing") -> Alert:
    return Alert(source="am", fingerprint="f1", name="CheckoutHighErrorRate", severity="critical", state=state,
                 starts_at=START, labels={"alertname": "CheckoutHighErrorRate", "service": "checkout",
                                          "environment": "production"})


def deploy(id: str, minutes_before: float, env: str | None, status: str = "succeeded") -> Deploy:
    return Deploy(source="argocd", id=id, service="checkout", environment=env, version=f"v-{id}", status=status,
                  started_at=START - timedelta(minutes=minutes_before))


DEPLOYS = [deploy("prod", 3, "prod"), deploy("staging", 5, "staging"), deploy("noenv", 20, None),
           deploy("fix", -4, "production", status="failed")]


def states(state: str = "firing") -> list[SourceState]:
    return [SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, status=SourceStatus.OK,
                        fetched_at=NOW, items=[alert(state)]),
            SourceState(name="argocd", type="argocd", kind=SourceKind.DEPLOYS, status=SourceStatus.OK,
                        fetched_at=NOW, items=DEPLOYS)]


def app_with(state: str = "firing") -> CockpitApp:
    return make_app(states(state))


def test_the_environment_must_match_when_both_name_one():
    assert same_environment("production", "prod") and same_environment("production", None)
    assert not same_environment("production", "staging")
    assert suspect_alert(DEPLOYS[0], [alert()]) is not None
    assert suspect_alert(DEPLOYS[1], [alert()]) is None  # staging: not a production alert's cause
    assert suspect_alert(DEPLOYS[0], [alert("silenced")]) is not None  # silencing does not clear it
    assert suspect_alert(DEPLOYS[0], [alert("pending")]) is None


async def test_a_silenced_alert_keeps_its_deploy_suspect_and_the_detail_says_which_alert():
    app = app_with("silenced")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.main_screen.panel("deploys")
        marked = {d.id: panel.suspect_alert(d) for d in panel.items}
        assert marked["prod"] == "CheckoutHighErrorRate"
        assert marked["staging"] is None
        await pilot.press("3")
        assert panel.select_key(panel.item_key(DEPLOYS[0]))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        why = app.screen.query_one("#detail-suspect").content.plain
        assert why.startswith("⚑ Suspect: CheckoutHighErrorRate (silenced, checkout, production)")
        assert "started 3m after this deploy" in why


async def test_the_alert_detail_shows_the_look_back_the_environment_and_what_came_after():
    app = app_with()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        related = app.screen.query_one("#detail-related").content.plain
        before, _, since = related.partition("Since it started")
        assert "Changes to checkout (production) in the 2h before it started" in before
        assert "v-prod" in before and "v-noenv" in before and "v-staging" not in related
        assert "v-fix" in since and "failed" in since and "4m after" in since


def test_the_triage_export_uses_the_same_look_back(tmp_path):
    store = TriageStore.in_cache(tmp_path)
    old = deploy("old", 3 * 60, "production")  # 3h before: outside the 2h look-back
    triage = store.start(alert(), deploys=[DEPLOYS[0], old])
    text = export_markdown(triage, deploys=[old, DEPLOYS[1]])
    changes = text.split("## Changes before the alert")[1].split("## Timeline")[0]
    assert "v-prod" in changes and "v-old" not in changes and "v-staging" not in changes
    assert LOOK_BACK == timedelta(hours=2)
