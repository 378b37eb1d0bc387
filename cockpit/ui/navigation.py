"""The same moving keys on every screen: ``j``/``k`` (and the arrows), ``g``/``Home`` first,
``G``/``End`` last.

:class:`KeyScroll` is a scrolling container (detail, SLO detail, help text) and
:class:`KeyTable` a table with a row cursor (triage steps, the triage list) that take them; the
runbook viewer takes them through :data:`SCROLL_BINDINGS`. :mod:`cockpit.ui.keys` reads their
ids here, so ``[keys]`` can rebind them and the help shows them.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable

__all__ = ["KeyScroll", "KeyTable", "SCROLL_BINDINGS"]

SCROLL_BINDINGS = [
    Binding("j", "scroll_down", "Screens: down (detail, help, runbook, triage)", show=False, id="screen-down"),
    Binding("k", "scroll_up", "Screens: up", show=False, id="screen-up"),
    Binding("g,home", "scroll_home", "Screens: first / top", show=False, id="screen-first"),
    Binding("G,end", "scroll_end", "Screens: last / bottom", show=False, id="screen-last"),
]
"""For a scrolling container: line down / up, top, bottom."""


class KeyScroll(VerticalScroll):
    """A vertical scroll that takes ``j``/``k``/``g``/``G`` besides the arrows, Home and End."""

    BINDINGS = SCROLL_BINDINGS


class KeyTable(DataTable):
    """A row table whose cursor takes ``j``/``k``/``g``/``G``/``Home``/``End``."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="screen-down"),
        Binding("k", "cursor_up", "Up", show=False, id="screen-up"),
        Binding("g,home", "scroll_top", "First", show=False, id="screen-first"),
        Binding("G,end", "scroll_bottom", "Last", show=False, id="screen-last"),
    ]
