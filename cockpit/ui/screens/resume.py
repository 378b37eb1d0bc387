"""At start: offer to resume the triages left open (after an SSH drop, a crash, a quit).

:func:`offer_resume` lists the open triages in a worker thread; when there are some it shows
:class:`ResumeScreen`, a small modal: ``enter`` resumes the highlighted triage, ``esc`` leaves
them for later (``t`` on the alert, or the next start, offers them again). It waits politely
while another modal is on screen (e.g. the handoff notes shown at start) and appears after it.
"""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cockpit.core.textsafe import clean_line
from cockpit.engine.facade import Triage
from cockpit.ui.host import CockpitHost

__all__ = ["ResumeScreen", "offer_resume"]

RETRY_SECONDS = 0.5
"""How often to look again whether the other modal has gone."""


class ResumeScreen(ModalScreen[Triage | None]):
    """Open triages, most recently updated first; the result is the one to resume, or None."""

    DEFAULT_CSS = """
    ResumeScreen { align: center middle; }
    ResumeScreen > Vertical {
        width: 90; max-width: 100%; height: auto; max-height: 80%;
        padding: 0 1; background: $surface; border: round $primary;
    }
    ResumeScreen OptionList { height: auto; max-height: 12; }
    ResumeScreen .resume-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "later", "Later", id="back"),
        Binding("q", "app.quit", "Quit", show=False, id="quit"),
    ]

    def __init__(self, triages: list[Triage]) -> None:
        super().__init__()
        self.triages = list(triages)

    def compose(self) -> ComposeResult:
        count = len(self.triages)
        with Vertical():
            yield Static(Text(f"{count} open triage{'s' if count != 1 else ''}: resume one?", style="bold"),
                         markup=False)
            yield OptionList(*(Option(self._label(t), id=t.id) for t in self.triages), id="resume-list")
            yield Static(Text("enter resume · esc later"), classes="resume-hint", markup=False)

    @staticmethod
    def _label(triage: Triage) -> Text:
        done, total = triage.progress
        text = Text(clean_line(triage.alert.name, 60), style="bold")
        text.append(f"  {done}/{total} steps · updated {triage.updated_at.astimezone(UTC):%Y-%m-%d %H:%MZ}")
        text.append(f"  {triage.id}", style="dim")
        return text

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = next((t for t in self.triages if t.id == event.option.id), None)
        self.dismiss(chosen)

    def action_later(self) -> None:
        self.dismiss(None)


def _show_when_free(app: CockpitHost, triages: list[Triage]) -> None:
    """Push the modal once the main screen is on top (no other modal in the way)."""
    from cockpit.ui.screens.main import MainScreen
    from cockpit.ui.screens.triage import TriageScreen

    if not app.is_running:
        return
    if not isinstance(app.screen, MainScreen):
        app.set_timer(RETRY_SECONDS, lambda: _show_when_free(app, triages))
        return

    def resume(chosen: Triage | None) -> None:
        if chosen is not None:
            app.push_screen(TriageScreen(chosen, resumed=True))

    app.push_screen(ResumeScreen(triages), callback=resume)


def offer_resume(app: CockpitHost) -> None:
    """Call once at start (the main screen is ready): offer the open triages, if any."""

    def work() -> None:
        triages = app.engine.triages()
        if triages:
            app.call_from_thread(_show_when_free, app, triages)

    app.run_worker(work, thread=True, group="triage-resume", exit_on_error=False)
