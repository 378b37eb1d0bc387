"""Pilot tests of the Runbooks panel (search as you type) and the runbook viewer (``o``, enter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Markdown

from cockpit.ui.app import CockpitApp
from cockpit.core.models import RunbookRef
from cockpit.core.runbooks import Hit
from cockpit.ui.screens.main import MainScreen
from cockpit.ui.screens.runbook_view import RunbookScreen
from tests.app_fixtures import fixed_states, make_app
from tests.runbook_fixtures import RunbookEngine, settle, with_alert

SIZE = (120, 36)


def runbooks_panel(app: CockpitApp):
    return app.main_screen.panel("runbooks")


def column_labels(panel) -> list[str]:
    return [column.label.plain for column in panel.table.columns.values()]


def toc_titles(screen: RunbookScreen) -> list[str]:
    return [title for _level, title, _id in screen.viewer.document.table_of_contents]


async def test_typing_a_search_shows_ranked_hits_with_the_match_highlighted(tmp_path: Path):
    app = make_app(RunbookEngine(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        panel = runbooks_panel(app)
        assert [d.title for d in panel.visible_items][:2] == ["Checkout high error rate", "Disk filling up"]
        assert column_labels(panel) == ["Title", "Path"]
        await pilot.press("5", "slash", *"crash")
        await settle(app, pilot)
        hits = panel.visible_items
        assert hits and all(isinstance(h, Hit) for h in hits)
        assert hits[0].path == "kubernetes/KubePodCrashLooping.md"  # named after the words: first
        assert "kubernetes/KubeDeploymentReplicasMismatch.md" in [h.path for h in hits]  # body mentions crashing
        assert column_labels(panel) == ["Title", "Match"]
        # the Match cell: the snippet, cut around its first match where the panel is narrow
        # (the matched word stays in view), the matched words styled
        cell = panel.table.get_row_at(0)[1]
        assert cell.plain.strip("…") in hits[0].snippet and "crashing" in cell.plain
        styled = [cell.plain[span.start:span.end] for span in cell.spans]
        assert styled and all(word.lower().startswith("crash") for word in styled)
        assert panel.header_text().plain.startswith("5 Runbooks 2/4")
        assert panel.header_text().plain.endswith("search: crash")


async def test_a_more_precise_query_reranks_and_clearing_it_lists_every_runbook(tmp_path: Path):
    app = make_app(RunbookEngine(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        panel = runbooks_panel(app)
        await pilot.press("5", "slash", *"disk predicted")
        await settle(app, pilot)
        assert [h.path for h in panel.visible_items] == ["storage/disk-full.md"]
        await pilot.press("escape")  # closes and clears the filter
        await settle(app, pilot)
        assert [d.path for d in panel.visible_items] == [
            "checkout/CheckoutHighErrorRate.md", "storage/disk-full.md",
            "kubernetes/KubeDeploymentReplicasMismatch.md", "kubernetes/KubePodCrashLooping.md"]
        assert column_labels(panel) == ["Title", "Path"]


async def test_hits_of_an_older_query_are_not_shown_for_a_newer_one(tmp_path: Path):
    app = make_app(RunbookEngine(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        panel = runbooks_panel(app)
        await pilot.press("5", "slash", *"disk")
        await settle(app, pilot)
        stale = [Hit(path="x.md", title="stale", score=1.0, snippet="stale")]
        assert panel.show_hits("dis", stale) is False
        assert [h.path for h in panel.visible_items] == ["storage/disk-full.md"]


async def test_enter_on_a_runbook_opens_the_viewer_with_its_table_of_contents(tmp_path: Path):
    app = make_app(RunbookEngine(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "slash", *"crash", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RunbookScreen)
        assert toc_titles(app.screen) == ["KubePodCrashLooping", "Meaning", "Diagnosis", "Mitigation"]
        tree = app.screen.viewer.table_of_contents.query_one("Tree")
        assert tree.root.children, "the table of contents is shown"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_o_opens_the_runbook_its_url_resolves_to(tmp_path: Path):
    app = make_app(RunbookEngine(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")  # CheckoutHighErrorRate: runbook_url .../CheckoutHighErrorRate.md
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        assert screen.location == "checkout/CheckoutHighErrorRate.md"
        assert screen.runbook_title == "Checkout high error rate"  # from the front matter
        assert toc_titles(screen) == ["Checkout high error rate", "Meaning", "Diagnosis", "Mitigation"]
        assert "title:" not in screen.markdown  # front matter is not shown as text


async def test_o_uses_the_resolved_path_when_the_engine_has_one(tmp_path: Path):
    states = with_alert(fixed_states(), runbook=RunbookRef(url="https://elsewhere.invalid/x",
                                                            path="storage/disk-full.md"))
    app = make_app(RunbookEngine(tmp_path, states))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, RunbookScreen)
        assert app.screen.location == "storage/disk-full.md"


async def test_o_falls_back_to_the_best_hit_for_the_alert_name(tmp_path: Path):
    # DiskWillFillIn4Hours's URL names no local file; the runbook that mentions it is the best hit.
    states = with_alert(fixed_states(), name="DiskWillFillIn4Hours",
                        runbook=RunbookRef(url="https://wiki.invalid/nothing-here"), annotations={})
    app = make_app(RunbookEngine(tmp_path, states))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        assert screen.location == "storage/disk-full.md"
        assert "best match for DiskWillFillIn4Hours" in (screen.note or "")
        assert any("best match" in str(n.message) for n in app._notifications)


async def test_o_says_so_when_no_runbook_is_found(tmp_path: Path):
    states = with_alert(fixed_states(), name="Zzyzx", runbook=None, annotations={})
    app = make_app(RunbookEngine(tmp_path, states))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("No runbook found for Zzyzx" in str(n.message) for n in app._notifications)


async def test_runbook_text_is_made_inert_and_links_are_not_followed(tmp_path: Path):
    hostile = ("# Hostile\n\nText \x1b]52;c;cm0gLXJmIH4=\x07with\x1b[2J escapes "
               "[@click=app.quit]click[/] and a [link](/etc/passwd).\n\n## Next\n")
    states = with_alert(fixed_states(), runbook=RunbookRef(url=None, path="evil/Hostile.md"))
    app = make_app(RunbookEngine(tmp_path, states, extra_runbooks={"evil/Hostile.md": hostile}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        assert "\x1b" not in screen.markdown and "\x07" not in screen.markdown
        assert "Text with escapes [@click=app.quit]click[/]" in screen.markdown
        document = screen.viewer.document
        document.post_message(Markdown.LinkClicked(document, "/etc/passwd"))
        await settle(app, pilot)
        assert app.is_running and app.screen is screen
        assert screen.viewer.navigator.location == Path(".")  # nothing was loaded
        assert "Hostile" in toc_titles(screen)
        assert any("Link not followed: /etc/passwd" in str(n.message) for n in app._notifications)


async def test_o_on_an_alert_without_a_runbooks_source_still_tells_the_user(tmp_path: Path):
    from tests.app_fixtures import FakeEngine

    app = make_app(FakeEngine())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("No runbook found" in str(n.message) for n in app._notifications)


REAL_RUNBOOKS = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "runbooks" / "prometheus-operator"
REAL_PREFIX = "https://runbooks.prometheus-operator.dev/runbooks/"


@pytest.mark.skipif(not REAL_RUNBOOKS.is_dir(), reason="realworld runbooks absent")
async def test_real_prometheus_operator_runbooks_search_and_open(tmp_path: Path):
    url = REAL_PREFIX + "kubernetes/kubepodcrashlooping"  # as kube-prometheus's rules write it
    states = with_alert(fixed_states(), name="KubePodCrashLooping", runbook=RunbookRef(url=url),
                        annotations={"runbook_url": url})
    app = make_app(RunbookEngine(tmp_path, states, root=REAL_RUNBOOKS, url_prefix=REAL_PREFIX))
    async with app.run_test(size=SIZE) as pilot:
        panel = runbooks_panel(app)
        await pilot.press("5", "slash", *"KubePodCrashLooping")
        await settle(app, pilot)
        assert panel.visible_items[0].path == "kubernetes/KubePodCrashLooping.md"
        await pilot.press("enter", "1", "o")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RunbookScreen)
        assert screen.location == "kubernetes/KubePodCrashLooping.md"
        assert screen.runbook_title == "Kube Pod Crash Looping"
        assert {"Meaning", "Impact", "Diagnosis", "Mitigation"} <= set(toc_titles(screen))
