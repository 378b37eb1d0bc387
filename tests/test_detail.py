"""The alert detail: every label and annotation inert, links as OSC 8 and copyable (OSC 52),
and the deploys and pipeline failures of the same service in the two hours before it started."""

from __future__ import annotations

import base64
from datetime import timedelta

from rich.console import Console

from cockpit.core.models import Alert, Deploy, Pipeline, RunbookRef, SourceKind, SourceState, SourceStatus
from cockpit.core.osc import copy_to_clipboard, link_style, osc52_copy, osc8_link
from cockpit.ui.screens.detail import DetailScreen, render_alert_links
from cockpit.ui.screens.related import related_changes, repo_service
from tests.app_fixtures import NOW, fixed_states, make_app

SIZE = (120, 48)
HOSTILE = "\x1b]52;c;ZXZpbA==\x07[bold red]Boom[/] \x1b[2J[@click=app.quit]x\u202e\x1b]0;pwned\x07"
START = NOW - timedelta(minutes=10)


def alert(**overrides) -> Alert:
    data = dict(
        source="am-prod", fingerprint="f1", name="CheckoutHighErrorRate", severity="critical",
        starts_at=START, labels={"alertname": "CheckoutHighErrorRate", "service": "checkout"},
        annotations={"summary": "errors"},
        generator_url="https://prometheus.example.org/graph?g0.expr=rate%28x%5B5m%5D%29",
        runbook=RunbookRef(url="https://runbooks.example.org/checkout.md"),
    )
    data.update(overrides)
    return Alert(**data)


def state(name: str, kind: SourceKind, items: list) -> SourceState:
    return SourceState(name=name, type=name, kind=kind, status=SourceStatus.OK, fetched_at=NOW, items=items)


def deploy(id: str, service: str, minutes_before: float, **kw) -> Deploy:
    return Deploy(source="argocd", id=id, service=service, version=f"v-{id}",
                  started_at=START - timedelta(minutes=minutes_before), **kw)


def pipeline(id: str, repo: str, minutes_before: float, status: str = "failed", **kw) -> Pipeline:
    return Pipeline(source="ci", id=id, repo=repo, name=f"ci-{id}", status=status,
                    started_at=START - timedelta(minutes=minutes_before), **kw)


def related_states() -> list[SourceState]:
    return [
        state("am-prod", SourceKind.ALERTS, [alert()]),
        state("argocd", SourceKind.DEPLOYS, [
            deploy("in1", "checkout", 5, url="https://argocd.example.org/app/checkout"),
            deploy("in2", "Checkout", 119),
            deploy("old", "checkout", 121),           # more than 2h before
            deploy("after", "checkout", -3),          # after the alert started
            deploy("other", "payments", 10),          # another service
        ]),
        state("ci", SourceKind.PIPELINES, [
            pipeline("p-in", "shop/checkout", 30, url="https://ci.example.org/p-in"),
            pipeline("p-ok", "shop/checkout", 20, status="succeeded"),  # not a failure
            pipeline("p-old", "shop/checkout", 150),
            pipeline("p-other", "shop/checkout-ui", 15),                # other repo
            pipeline("p-git", "group/sub/checkout.git", 60),
        ]),
    ]


def test_related_changes_keep_the_window_and_the_service():
    found = related_changes(alert(), related_states())
    assert found.service == "checkout"
    assert [d.id for d in found.deploys] == ["in1", "in2"]  # newest first
    assert [p.id for p in found.pipelines] == ["p-in", "p-git"]
    assert repo_service("group/sub/checkout.git") == "checkout"
    assert related_changes(alert(starts_at=None), related_states()).deploys == []
    assert related_changes(alert(labels={"alertname": "X"}), related_states()).service is None


async def test_detail_lists_related_changes_and_links_as_osc8():
    app = make_app(related_states())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        related = screen.query_one("#detail-related").content.plain
        assert "Changes to checkout in the 2h before it started" in related
        before, _, since = related.partition("Since it started")
        assert "v-in1" in before and "v-in2" in before and "ci-p-in" in before and "ci-p-git" in before
        for absent in ("v-old", "v-after", "v-other", "ci-p-ok", "ci-p-old", "ci-p-other"):
            assert absent not in before
        assert "v-after" in since  # a change after the start is listed apart, not as the cause
        # links as drawn: the segments Textual writes carry the OSC 8 target
        links_widget = screen.query_one("#detail-links")
        drawn = {seg.style.link for y in range(links_widget.size.height)
                 for seg in links_widget.render_line(y) if seg.style and seg.style.link}
        assert drawn == {"https://runbooks.example.org/checkout.md",
                         "https://prometheus.example.org/graph?g0.expr=rate%28x%5B5m%5D%29"}
        related_widget = screen.query_one("#detail-related")
        drawn = {seg.style.link for y in range(related_widget.size.height)
                 for seg in related_widget.render_line(y) if seg.style and seg.style.link}
        assert drawn == {"https://argocd.example.org/app/checkout", "https://ci.example.org/p-in"}


async def test_copy_keys_put_the_urls_on_the_clipboard():
    app = make_app(related_states())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "c")
        await pilot.pause()
        assert app.clipboard == "https://runbooks.example.org/checkout.md"
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "https://prometheus.example.org/graph?g0.expr=rate%28x%5B5m%5D%29"
        messages = [n.message for n in app._notifications]
        assert "copied the runbook URL" in messages and "copied the generator URL" in messages


async def test_hostile_labels_and_annotations_stay_text_and_bad_urls_are_not_linked():
    evil = alert(
        name=HOSTILE,
        labels={"alertname": HOSTILE, "service": "checkout", "team": "[link=https://evil.example]x[/link]"},
        annotations={"description": "line1\n\x1b[31mline2\x1b[0m [b]bold[/b]",
                     "runbook_url": "javascript:alert(1)"},
        generator_url="https://ok.example.org/\x1b]8;;https://evil.example\x07",
        runbook=RunbookRef(url="https://evil.example/a b\x07"),
    )
    app = make_app([state("am-prod", SourceKind.ALERTS, [evil])])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        fields = screen.query_one("#detail-fields").content
        shown = fields.plain
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert "[bold red]Boom[/] [@click=app.quit]x" in shown
        assert "team: [link=https://evil.example]x[/link]" in shown
        assert "[b]bold[/b]" in shown and "line2" in shown
        links = {span.style.link for span in fields.spans if getattr(span.style, "link", None)}
        assert not any("evil" in link for link in links)
        assert not any(link.startswith("javascript") for link in links)
        rendered = render_alert_links(evil).plain
        assert "evil" not in rendered and "\x1b" not in rendered
        await pilot.press("c")  # no safe runbook URL: nothing copied, said so
        await pilot.pause()
        assert app.clipboard == ""
        assert any("no runbook URL" in n.message for n in app._notifications)


def test_osc_builders_refuse_unsafe_input():
    assert osc8_link("https://a.example/x", "go") == "\x1b]8;;https://a.example/x\x1b\\go\x1b]8;;\x1b\\"
    # an embedded sequence is stripped before the URL is checked: only the inert rest is linked
    smuggled = osc8_link("https://a.example/\x1b]52;c;eA==\x07", "go")
    assert smuggled == "\x1b]8;;https://a.example/\x1b\\go\x1b]8;;\x1b\\"
    assert osc8_link("https://a.example/ x\"", "go") == "go"
    assert osc8_link("file:///etc/passwd", "[b]x\x1b[2J") == "[b]x"
    assert link_style("javascript:alert(1)") is None
    assert link_style("https://a.example/y").link == "https://a.example/y"
    sequence = osc52_copy("hi\x1b]0;title\x07 there")
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\x07")
    assert base64.b64decode(sequence[7:-1]).decode() == "hi there"
    assert osc52_copy("\x1b[2J") == ""


def test_copy_goes_through_textual_which_writes_osc52():
    class Recorder:
        copied: list[str] = []

        def copy_to_clipboard(self, text: str) -> None:
            self.copied.append(text)

    app = Recorder()
    assert copy_to_clipboard(app, "https://x.example/\x1b]0;t\x07") == "https://x.example/"
    assert copy_to_clipboard(app, "") is None
    assert app.copied == ["https://x.example/"]


def test_rich_console_segments_carry_the_links():
    # A plain Rich console (as used for --low-bandwidth snapshots) still gets the link styles.
    console = Console(width=120, record=True, color_system="truecolor", file=open("/dev/null", "w"))
    links = render_alert_links(fixed_states()[0].items[0])
    segments = list(console.render(links))
    assert {s.style.link for s in segments if s.style and s.style.link} == {
        "https://runbooks.example.org/CheckoutHighErrorRate.md", "https://prometheus.example.org/graph?g0.expr=up"}
