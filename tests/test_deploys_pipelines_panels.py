"""The Deploys and Pipelines panels through Pilot: rows, order, suspect marks (new-failure marks:
tests/test_new_rows.py)."""

from __future__ import annotations

from datetime import timedelta

from cockpit.ui.app import CockpitApp
from cockpit.core.models import Alert, Deploy, Pipeline, SourceKind, SourceState, SourceStatus
from cockpit.ui.screens.detail import DetailScreen
from cockpit.ui.screens.main import MainScreen
from tests.app_fixtures import FakeEngine, ago, make_app
from cockpit.widgets.deploys import firing_by_service, short_version, suspect_for

SIZE = (240, 50)
SHA = "0123456789abcdef0123456789abcdef01234567"


def firing(name: str, service: str, minutes_ago: float, state: str = "firing") -> Alert:
    return Alert(source="am", fingerprint=f"fp-{name}", name=name, severity="critical", state=state,
                 starts_at=ago(minutes=minutes_ago), labels={"alertname": name, "service": service})


def deploys() -> list[Deploy]:
    return [
        Deploy(source="argocd", id="old", service="checkout", environment="prod", version="v2.13.0",
               started_at=ago(hours=5), finished_at=ago(hours=5) + timedelta(minutes=4),
               author="ada"),
        Deploy(source="argocd", id="suspect", service="checkout", environment="prod", version=SHA,
               started_at=ago(minutes=40), finished_at=ago(minutes=37), author="grace",
               url="https://argocd.example.org/applications/checkout"),
        Deploy(source="argocd", id="other", service="search", environment="staging", version="v1.9.0",
               status="running", started_at=ago(minutes=5), author="linus"),
    ]


def alert_state(*alerts: Alert) -> SourceState:
    return SourceState(name="am", type="alertmanager", kind=SourceKind.ALERTS, status=SourceStatus.OK,
                       fetched_at=ago(seconds=5), items=list(alerts))


def deploy_state() -> SourceState:
    return SourceState(name="argocd", type="argocd", kind=SourceKind.DEPLOYS, status=SourceStatus.OK,
                       fetched_at=ago(seconds=5), items=deploys())


def pipeline(ident: str, repo: str, status: str, minutes_ago: float, **extra) -> Pipeline:
    return Pipeline(source="github", id=ident, repo=repo, name=extra.pop("name", "ci"), branch="main",
                    commit=f"{ident:a<40}"[:40].replace("p", "f"), status=status,
                    started_at=ago(minutes=minutes_ago), author="ada", **extra)


def pipeline_state(*extra: Pipeline) -> SourceState:
    items = [
        pipeline("p1", "shop/payments", "running", 3),
        pipeline("p2", "shop/checkout", "running", 2),
        pipeline("p3", "shop/checkout", "failed", 30, duration_s=312.0),
        pipeline("p4", "shop/checkout", "succeeded", 10),
        pipeline("p5", "shop/checkout", "failed", 60, name="lint", duration_s=45.0),
        *extra,
    ]
    return SourceState(name="github", type="github", kind=SourceKind.PIPELINES, status=SourceStatus.OK,
                       fetched_at=ago(seconds=5), items=items)


def app_and_engine(*states: SourceState) -> tuple[CockpitApp, FakeEngine]:
    engine = FakeEngine(list(states))
    return make_app(engine), engine


def rows(app: CockpitApp, panel_id: str) -> list[list[str]]:
    table = app.main_screen.panel(panel_id).table
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


# ----- deploys -------------------------------------------------------------------------------

async def test_deploys_newest_first_with_short_sha_duration_and_suspect_mark():
    app, _ = app_and_engine(deploy_state(), alert_state(firing("CheckoutErrors", "checkout", 10)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = rows(app, "deploys")
        assert [r[0] for r in shown] == ["search", "checkout", "checkout"]
        search, recent, old = shown
        assert recent[3] == SHA[:7] and old[3] == "v2.13.0"
        assert recent[2] == "prod" and recent[4:8] == ["✓ succeeded", "40m", "grace", "3m"]
        assert search[4] == "↻ running" and search[7] == "-"  # still running: no duration yet
        # 40 min before a firing alert of checkout: suspect; 5 h before it: not
        assert recent[1] == "⚑ suspect" and old[1] == "" and search[1] == ""


async def test_suspect_mark_follows_the_alerts_as_they_fire_and_resolve():
    app, engine = app_and_engine(deploy_state(), alert_state())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert all(r[1] == "" for r in rows(app, "deploys"))
        engine.push(alert_state(firing("CheckoutErrors", "checkout", 10)))
        await pilot.pause()
        assert [r[1] for r in rows(app, "deploys")] == ["", "⚑ suspect", ""]
        engine.push(alert_state())  # resolved
        await pilot.pause()
        assert all(r[1] == "" for r in rows(app, "deploys"))


def test_suspect_needs_a_firing_alert_of_the_same_service_within_two_hours_after():
    recent = deploys()[1]  # checkout, 40 min ago
    assert suspect_for(recent, firing_by_service([firing("A", "checkout", 10)])) is not None
    assert suspect_for(recent, firing_by_service([firing("A", "Checkout", 10)])) is not None
    assert suspect_for(recent, firing_by_service([firing("A", "checkout", 50)])) is None  # fired before
    assert suspect_for(recent, firing_by_service([firing("A", "search", 10)])) is None
    assert suspect_for(recent, firing_by_service([firing("A", "checkout", 10, "pending")])) is None
    old = deploys()[0]  # 5 h ago
    assert suspect_for(old, firing_by_service([firing("A", "checkout", 10)])) is None
    assert suspect_for(old, firing_by_service([firing("A", "checkout", 185)])) is not None  # 1h55 after


def test_short_version_only_shortens_commit_ids():
    assert short_version(SHA, 7) == "0123456"
    assert short_version("v1.2.3", 7) == "v1.2.3"
    assert short_version("20240101", 7) == "20240101"
    assert short_version(None) == "-"


async def test_enter_on_a_deploy_shows_its_fields_with_the_link():
    app, _ = app_and_engine(deploy_state(), alert_state())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "j", "enter")
        assert isinstance(app.screen, DetailScreen)
        body = app.screen.query_one("#detail-fields").content
        assert SHA in body.plain and "grace" in body.plain
        links = {span.style.link for span in body.spans if hasattr(span.style, "link")}
        assert "https://argocd.example.org/applications/checkout" in links
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


# ----- pipelines -----------------------------------------------------------------------------

async def test_pipelines_grouped_by_repo_failures_first_with_counts():
    app, _ = app_and_engine(pipeline_state())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = rows(app, "pipelines")
        assert [(r[0], r[1]) for r in shown] == [
            ("▾ shop/checkout", "✗2 ↻1"),
            ("  ci", "✗ failed"), ("  lint", "✗ failed"), ("  ci", "↻ running"),
            ("▾ shop/payments", "↻1"),
            ("  ci", "↻ running"),
        ]
        failed = shown[1]
        assert failed[3:8] == ["main", "f3aaaaaa", "ada", "30m", "5m"]
        assert shown[3][7] == "-"  # running: no duration yet
        panel = app.main_screen.panel("pipelines")
        assert "Pipelines 4" in panel.header_text().plain  # runs, not group rows
        assert [p.id for p in panel.visible_items] == ["p3", "p5", "p2", "p1"]


async def test_filter_by_repo_and_enter_on_a_group_row_does_nothing():
    app, _ = app_and_engine(pipeline_state())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "enter")  # the cursor is on the group row
        assert isinstance(app.screen, MainScreen)
        await pilot.press("j", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert "f3aaaaaa" in app.screen.query_one("#detail-fields").content.plain
        await pilot.press("escape", "slash", *"payments", "enter")
        panel = app.main_screen.panel("pipelines")
        assert [p.id for p in panel.visible_items] == ["p1"]
        assert "1/4" in panel.header_text().plain
