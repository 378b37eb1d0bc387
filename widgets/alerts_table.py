"""The table inside the Alerts panel: group-aware cursor steps."""

from __future__ import annotations

from cockpit.widgets.panel import PanelTable
from cockpit.widgets.textual_compat import park_hover_cursor

__all__ = ["AlertsTable"]


class AlertsTable(PanelTable):
    """The alerts table: ``j``/``k`` step over group headers (a collapsed group's header stops
    the cursor, so ``enter`` can open it again) and never onto the "… more" line."""

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        panel = self.parent
        if not hasattr(panel, "next_stop"):  # the Alerts panel knows where its rows stop
            return super().action_cursor_down() if step > 0 else super().action_cursor_up()
        row = panel.next_stop(self.cursor_row, step)
        if row is not None:
            self.move_cursor(row=row, animate=False)
            park_hover_cursor(self)
