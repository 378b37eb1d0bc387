"""Issue 18, point 3: runbook steps ready to paste.

A step read ``kubectl -n $NAMESPACE get pod $POD -o wide`` while the alert had ``namespace=shop``
and ``pod=orders-7d9f8-xk2lp``; backticks and emphasis marks showed raw; headings counted as
steps. Now the alert's labels are filled in (``$NAME``, ``${name}``, ``<name>``, any case), the
inline Markdown is rendered, only actionable items count, and ``c`` copies a step's command or a
code block (OSC 52).
"""

from __future__ import annotations

from pathlib import Path

from cockpit.core.fill import fill_labels
from cockpit.engine.runbooks.doc import parse_runbook
from cockpit.engine.triage.store import steps_from_runbook
from cockpit.ui.screens.triage import TriageScreen
from tests.app_fixtures import fixed_states, make_app
from tests.runbook_fixtures import RunbookEngine, settle, with_alert

SIZE = (120, 40)
LABELS = {"alertname": "CheckoutHighErrorRate", "namespace": "shop", "pod": "orders-7d9f8-xk2lp",
          "service": "checkout", "severity": "critical"}
RUNBOOK = """# Checkout high error rate

## Meaning

The checkout service fails.

## Diagnosis

- [ ] Find the pod: `kubectl -n $NAMESPACE get pod ${pod} -o wide`
- [ ] Read the *Last State* of `<Pod>` and its **exit code**
- [ ] Logs of the container: `kubectl -n $namespace logs $POD -c $CONTAINER`

```sh
kubectl -n $NAMESPACE describe pod $POD
kubectl -n $NAMESPACE get events
```
"""


def test_labels_fill_every_placeholder_form_and_leave_unknown_ones_visible():
    text = "kubectl -n $NAMESPACE get pod ${pod} -c <Container> $CLUSTER <br>"
    filled, unknown = fill_labels(text, {"namespace": "shop", "pod": "p-1", "container": "app"})
    assert filled == "kubectl -n shop get pod p-1 -c app $CLUSTER <br>"
    assert unknown == ["CLUSTER"]


def test_headings_are_not_steps_and_code_blocks_and_plain_list_items_are():
    steps = steps_from_runbook(parse_runbook(RUNBOOK, "x"))
    assert [(s.kind, s.actionable) for s in steps] == [
        ("section", False), ("section", False), ("check", True), ("check", True), ("check", True), ("code", True)]
    # a runbook without any - [ ] (as the prometheus-operator ones): its list items are the steps
    plain = steps_from_runbook(parse_runbook("# X\n## Meaning\nText.\n## Diagnosis\n- Check `a`\n- Check b\n  wrapped\n", "x"))
    assert [(s.kind, s.title) for s in plain if s.actionable] == [("check", "Check `a`"), ("check", "Check b wrapped")]


async def test_triage_steps_read_filled_and_rendered_and_c_copies_the_command(tmp_path: Path):
    states = with_alert(fixed_states(), labels=LABELS)
    engine = RunbookEngine(tmp_path, states, {"checkout/CheckoutHighErrorRate.md": RUNBOOK})
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert "0/4 steps done" in str(screen.query_one("#triage-title").render())
        rows = [screen.steps_table.get_row_at(i)[3].plain.strip() for i in range(len(screen.triage.steps))]
        assert rows[2] == "Find the pod: kubectl -n shop get pod orders-7d9f8-xk2lp -o wide"
        assert rows[3] == "Read the Last State of orders-7d9f8-xk2lp and its exit code"
        assert rows[4] == "Logs of the container: kubectl -n shop logs orders-7d9f8-xk2lp -c $CONTAINER"
        assert rows[5].splitlines()[0] == "kubectl -n shop describe pod orders-7d9f8-xk2lp"
        assert "`" not in "".join(rows) and "*" not in "".join(rows)
        cell = screen.steps_table.get_row_at(4)[3]
        unknown = [cell.plain[sp.start:sp.end] for sp in cell.spans if "reverse" in str(sp.style)]
        assert unknown == ["$CONTAINER"]  # pointed out, not dropped
        await pilot.press("c")  # the cursor starts on the first step
        assert app.clipboard == "kubectl -n shop get pod orders-7d9f8-xk2lp -o wide"
        await pilot.press("down", "down", "down", "c")
        assert app.clipboard == ("kubectl -n shop describe pod orders-7d9f8-xk2lp\n"
                                 "kubectl -n shop get events")
        await pilot.press("e")
        await settle(app, pilot)
        export = Path(screen.exported_to).read_text()
    assert "- [ ] Find the pod: `kubectl -n shop get pod orders-7d9f8-xk2lp -o wide`" in export
    assert "\\`" not in export
