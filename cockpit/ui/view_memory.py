"""The main screen's view kept across restarts: each panel's filter, selected row and sort
column, which panel has the focus, the panel shown alone (``z``), and whether the Alerts panel
hides its silenced and inhibited alerts (``H``).

:class:`ViewMemory` reads the view the last run kept (``Engine.load_view``, in a worker thread)
and puts it back once the first paint is on screen. A selected row is found again by its stable
key (an alert's source and fingerprint, a deploy's source and id: ``Panel.item_key``), never by
its row number; when that row is not there yet (an empty cache), it is looked for again at each
update until it shows up or the user moves the cursor. Every change of the view is kept a second
after the last one (debounced) and once more when the app stops, written by ``Engine.save_view``
(``view.json`` in the state dir, 0600, atomic) in a worker thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual.timer import Timer

from cockpit.ui.host import CockpitHost

if TYPE_CHECKING:
    from cockpit.ui.screens.main import MainScreen
    from cockpit.widgets.panel import Panel

__all__ = ["SAVE_DELAY", "ViewMemory", "selected_key"]

SAVE_DELAY = 1.0
"""Seconds after the last change before the view is written (typing a filter writes once)."""

log = logging.getLogger(__name__)


def selected_key(panel: Panel) -> str | None:
    """The stable key of the item under the panel's cursor (None: no rows, or a group's header)."""
    item = panel.selected_item
    return panel.item_key(item) if item is not None else None


class ViewMemory:
    """Restores the kept view at start and keeps each change of it for the next start."""

    def __init__(self, app: CockpitHost, main: MainScreen) -> None:
        self.app = app
        self.main = main
        self._wanted: dict[str, str] = {}
        """Panel id -> the kept row key not found yet."""
        self._seen: dict[str, str | None] = {}
        """Panel id -> the row under the cursor when the kept row was last looked for."""
        self._latest: dict[str, Any] | None = None
        """The view now (None until the kept one is restored: nothing is written before)."""
        self._written: dict[str, Any] | None = None
        self._timer: Timer | None = None

    # ----- start ----------------------------------------------------------------------
    def load(self) -> None:
        """Read the kept view in a worker thread, then restore it on the app's loop."""
        engine = self.app.engine

        def read() -> None:
            view = engine.load_view()  # never raises: a bad file is logged and ignored
            self.app.call_from_thread(self.restore, view)

        self.app.run_worker(read, thread=True, name="view: load", exit_on_error=False)

    def restore(self, view: dict[str, Any]) -> None:
        """Put back each panel's sort, filter and selected row, then the focused panel and the
        one shown alone."""
        from cockpit.ui.screens.main import PANEL_ORDER
        from cockpit.widgets.alerts import AlertsPanel

        if not self.main.is_attached:
            return
        panels = view.get("panels", {})
        for panel in self.main.panels:
            entry = panels.get(panel.id, {})
            sort = entry.get("sort")
            if sort and sort in {spec.key for spec in panel.COLUMNS}:
                panel.sort_column = sort
            if entry.get("filter"):
                panel.filter_text = entry["filter"]  # redraws the rows (in the kept order)
            elif panel.sort_column:
                panel.tick(self.app.clock())  # redraws the rows in the kept order
            if entry.get("selected"):
                self._wanted[panel.id or ""] = entry["selected"]
            if isinstance(panel, AlertsPanel) and bool(view.get("hide_suppressed")) != panel.hide_suppressed:
                panel.toggle_suppressed()
        self.find_rows()
        shown = self.main.shown_panels()
        focus, alone = view.get("focus"), view.get("maximized")
        if alone in PANEL_ORDER and alone in shown:
            self.main.action_focus_panel(alone)
            self.main.action_toggle_maximize()
        if focus in PANEL_ORDER and focus in shown:
            self.main.action_focus_panel(focus)  # with a panel shown alone, the focused one is
        self._written = self._latest = self.snapshot()  # nothing to write until it changes

    def find_rows(self) -> None:
        """Select the kept rows that are on screen now; give up on a panel whose cursor the user
        moved meanwhile. Called after each update of the panels."""
        for panel_id, key in list(self._wanted.items()):
            panel = self.main.panel(panel_id)
            current = selected_key(panel)
            if panel_id in self._seen and current != self._seen[panel_id]:
                del self._wanted[panel_id]  # the user chose another row: theirs wins
            elif panel.select_key(key):
                del self._wanted[panel_id]
            else:
                self._seen[panel_id] = current
                continue
            self._seen.pop(panel_id, None)

    # ----- changes --------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The view now: a kept row not found yet still counts as the selection."""
        panels: dict[str, dict[str, str]] = {}
        view_flags: dict[str, Any] = {}
        for panel in self.main.panels:
            entry: dict[str, str] = {}
            if panel.filter_text:
                entry["filter"] = panel.filter_text
            key = self._wanted.get(panel.id or "") or selected_key(panel)
            if key:
                entry["selected"] = key
            if panel.sort_column:
                entry["sort"] = panel.sort_column
            if entry:
                panels[panel.id or ""] = entry
            if getattr(panel, "hide_suppressed", False):
                view_flags["hide_suppressed"] = True
        alone = self.main.maximized
        if alone is not None and alone.id:
            view_flags["maximized"] = alone.id
        return {"focus": self.main.current_panel.id, **view_flags, "panels": panels}

    def changed(self) -> None:
        """The view may have changed: note it, and write it a moment after the last change."""
        if self._latest is None or not self.main.is_attached:
            return
        self._latest = self.snapshot()
        if self._latest == self._written:
            return
        if self._timer is None:
            self._timer = self.app.set_timer(SAVE_DELAY, self._write_later, name="view: save")
        else:
            self._timer.reset()

    def _write_later(self) -> None:
        self._timer = None
        view = self._latest
        if view is None or view == self._written:
            return
        self._written = view
        self.app.run_worker(lambda: self.write(view), thread=True, name="view: save", exit_on_error=False)

    def write(self, view: dict[str, Any] | None = None) -> None:
        """Write ``view`` (default: the latest, when not written yet); blocks: a worker thread,
        or the app's stop."""
        if view is None:
            view = self._latest
            if view is None or view == self._written:
                return
            self._written = view
        try:
            self.app.engine.save_view(view)
        except (OSError, ValueError) as exc:
            log.warning("view state: not kept (%s)", exc)
