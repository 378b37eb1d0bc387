"""Issue 18, point 3 follow-up: a triage step is readable in full on screen.

Found in a tmux walk-through: at 80x24 almost every step was cut at the right edge ("Which node
and mount point: read the instance and mountpo"), and at 120x40 the long ones still were. Now the
Step column takes the width the screen has and each row is as tall as its text wrapped in it.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from cockpit.ui.screens.triage import MAX_CODE_LINES, TriageScreen
from tests.app_fixtures import fixed_states, make_app
from tests.runbook_fixtures import RunbookEngine, settle, with_alert

LABELS = {"alertname": "CheckoutHighErrorRate", "namespace": "shop", "pod": "orders-7d9f8-xk2lp",
          "service": "checkout", "severity": "critical"}
LONG = ("Free space now: prune images, rotate or truncate the runaway log (never delete a file a "
        "process holds open: truncate it with `truncate -s 0 <file>` instead), then check "
        "`kubectl -n $NAMESPACE get pod $POD` again")
SHOWN = ("Free space now: prune images, rotate or truncate the runaway log (never delete a file a "
         "process holds open: truncate it with truncate -s 0 <file> instead), then check "
         "kubectl -n shop get pod orders-7d9f8-xk2lp again")
CODE = "\n".join(f"kubectl -n $NAMESPACE logs $POD --since=1h --tail=200 --timestamps | grep -i error-{i}"
                 for i in range(MAX_CODE_LINES + 3))
RUNBOOK = f"""# Checkout high error rate

## Diagnosis

- [ ] {LONG}
- [ ] Short step

```sh
{CODE}
```
"""


@asynccontextmanager
async def triage_on(tmp_path: Path, size: tuple[int, int]):
    """The app at ``size``, its triage screen opened on the alert with :data:`RUNBOOK`."""
    states = with_alert(fixed_states(), labels=LABELS)
    app = make_app(RunbookEngine(tmp_path, states, {"checkout/CheckoutHighErrorRate.md": RUNBOOK}))
    async with app.run_test(size=size) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TriageScreen)
        yield app, pilot, app.screen


def table_lines(screen: TriageScreen) -> list[str]:
    """What the steps table shows, line by line, as the terminal would."""
    table = screen.steps_table
    return [table.render_line(y).text for y in range(table.size.height)]


def step_text(lines: list[str], first: str) -> tuple[str, int]:
    """The Step column's text of the row whose first line holds ``first``, joined, and its height."""
    start = next(i for i, line in enumerate(lines) if first in line)
    column = lines[start].index(first)
    parts = [lines[start][column:].strip()]
    for line in lines[start + 1:]:
        if line[:column].strip() or not line.strip():  # the next row's mark / done / notes cells
            break
        parts.append(line[column:].strip())
    return " ".join(parts), len(parts)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_a_long_step_is_shown_whole_wrapped_not_cut(tmp_path: Path, size):
    async with triage_on(tmp_path, size) as (_, _, screen):
        lines = table_lines(screen)
        assert all(len(line) <= size[0] for line in lines)
        text, height = step_text(lines, "Free space now:")
        assert text == SHOWN  # every word, labels filled, unknown <file> kept
        if size[0] < len(SHOWN):
            assert height > 1  # wrapped onto lines of its own row, not cut
        short, _ = step_text(lines, "Short step")
        assert short == "Short step"
        # the table fits the screen: no sideways scrolling to read a step
        assert screen.steps_table.max_scroll_x == 0


async def test_a_long_code_block_wraps_and_says_what_is_not_shown(tmp_path: Path):
    async with triage_on(tmp_path, (80, 24)) as (app, pilot, screen):
        await pilot.press("down", "down")  # the code block
        lines = table_lines(screen)
        first = "kubectl -n shop logs orders-7d9f8-xk2lp"
        text, height = step_text(lines, first)
        shown = text.count("| grep -i error-")
        whole = [f"kubectl -n shop logs orders-7d9f8-xk2lp --since=1h --tail=200 --timestamps | grep -i error-{i}"
                 for i in range(shown)]
        left = MAX_CODE_LINES + 3 - shown
        assert shown >= 1 and text == " ".join(whole) + f" … {left} more lines (c copies the whole block)"
        assert height > shown  # its lines wrap, and the row stays within the table
        assert height <= MAX_CODE_LINES + 1 < screen.steps_table.size.height
        await pilot.press("c")
        assert app.clipboard.count("\n") == MAX_CODE_LINES + 2
