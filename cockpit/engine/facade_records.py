"""The engine facade's records: triages, handoff notes and the shift report.

They live in the engine's cache dir; every call reads or writes files (or SQLite) and blocks:
call it from a worker thread, never on the UI loop.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.core.files import atomic_write_text
from cockpit.core.models import Alert, Deploy, Pipeline
from cockpit.engine.actions import default_author
from cockpit.engine.facade_runbooks import Located, RunbooksFacade

if TYPE_CHECKING:  # loaded when first used, after the first paint (see cockpit.engine.facade)
    from cockpit.core.charts import ReportFigures
    from cockpit.engine.handoff import HandoffNote
    from cockpit.engine.history import History
    from cockpit.engine.report.build import ReportOptions
    from cockpit.engine.config import Config
    from cockpit.engine.triage.store import Triage, TriageStore

__all__ = ["RecordsFacade", "current_user"]


def current_user() -> str | None:
    """Who is at the keyboard (recorded on every triage action), when the system knows."""
    try:
        return getpass.getuser()
    except Exception:  # no USER and no passwd entry (some containers)
        return None


class RecordsFacade(RunbooksFacade):
    """Mixed into :class:`cockpit.engine.facade.Engine` (``state_dir``, ``history``)."""

    state_dir: Path
    history: History
    config: Config
    _triage_store: TriageStore | None = None

    # ----- triages ---------------------------------------------------------------------
    @property
    def _triages(self) -> TriageStore:
        if self._triage_store is None:
            from cockpit.engine.triage.store import TriageStore

            self._triage_store = TriageStore.in_cache(self.state_dir, user=current_user())
        return self._triage_store

    def triages(self, *, include_closed: bool = False) -> list[Triage]:
        """The open triages (offered for resuming at start), or all of them, most recently
        updated first; an unreadable file is skipped."""
        return self._triages.list(include_closed=include_closed)

    def start_triage(self, alert: Alert, *, deploys: Iterable[Deploy] = (), pipelines: Iterable[Pipeline] = (),
                     now: datetime | None = None) -> tuple[Triage, bool]:
        """The alert's open triage (and True: resumed), else a new one following its runbook
        (found as :meth:`locate_runbook` finds it; generic steps without one). Raises TriageError."""
        existing = self._triages.open_for(alert)
        if existing is not None:
            return existing, True
        found: Located | None = self.locate_runbook(alert)
        runbook = None
        if found is not None:
            try:
                runbook = self.read_runbook(found.path)
            except OSError:
                found = None
        triage = self._triages.start(
            alert, runbook,
            runbook_path=(found.rel or str(found.path)) if found else None,
            runbook_root=found.root if found else None,
            deploys=deploys, pipelines=pipelines, now=now,
        )
        return triage, False

    def tick_step(self, triage: Triage, step_id: int, done: bool, *, now: datetime | None = None) -> Triage:
        """Tick (or untick) a step and save at once. Raises TriageError."""
        return self._triages.tick(triage, step_id, done, now=now)

    def note_triage(self, triage: Triage, text: str, step_id: int | None = None, *,
                    now: datetime | None = None) -> Triage:
        """A note on a step (or the whole triage with ``step_id`` None), saved at once."""
        return self._triages.note(triage, text, step_id, now=now)

    def close_triage(self, triage: Triage, *, now: datetime | None = None) -> Triage:
        """Close the triage (its notes stay) and save at once."""
        return self._triages.close(triage, now=now)

    def reopen_triage(self, triage: Triage, *, now: datetime | None = None) -> Triage:
        """Open a closed triage again and save at once."""
        return self._triages.reopen(triage, now=now)

    def export_triage(self, triage: Triage, deploys: Sequence[Deploy] = (),
                      pipelines: Sequence[Pipeline] = ()) -> tuple[Path, str]:
        """Write the Markdown timeline where the user finds it again, the state dir's
        ``exports/triage-<id>.md`` (0600, replaced by a later export); returns where and the
        text. Raises TriageError when the disk refuses."""
        from cockpit.engine.triage.export import export_markdown, export_path
        from cockpit.engine.triage.store import TriageError

        target = export_path(self.state_dir, triage.id)
        text = export_markdown(triage, deploys, pipelines)
        try:
            atomic_write_text(target, text, mode=0o600)
        except OSError as exc:
            raise TriageError(f"export to {target} failed: {exc.strerror or exc}") from exc
        return target, text

    # ----- handoff notes ---------------------------------------------------------------
    def pending_notes(self) -> list[HandoffNote]:
        """The handoff notes not dismissed yet, oldest first."""
        from cockpit.engine.handoff import pending_notes

        return pending_notes(self.state_dir)

    def dismiss_notes(self, note_ids: Iterable[str]) -> None:
        """Dismiss these notes (by id); a note written meanwhile stays pending."""
        from cockpit.engine.handoff import dismiss

        for note_id in note_ids:
            dismiss(self.state_dir, note_id)

    def write_note(self, text: str) -> HandoffNote:
        """Save a note for the next shift, by the login user. Raises ValueError (blank), OSError."""
        from cockpit.engine.handoff import write_note

        return write_note(self.state_dir, text, author=default_author())

    # ----- the main screen's view, kept across restarts ----------------------------------
    def load_view(self) -> dict[str, Any]:
        """The view the last run kept (filters, focus, selected rows, sort): ``view.json`` in
        the state dir; empty when missing or unreadable (logged, never raised)."""
        from cockpit.engine.view_state import load_view

        return load_view(self.state_dir)

    def save_view(self, view: dict[str, Any]) -> None:
        """Keep the view for the next start (0600, atomic). Raises OSError, ValueError."""
        from cockpit.engine.view_state import save_view

        save_view(self.state_dir, view)

    # ----- the shift report ------------------------------------------------------------
    def report_text(self, *, until: datetime, hours: float) -> str:
        """The shift report for the ``hours`` before ``until``, as ``cockpit report`` prints it
        (the same options from the config): rebuilt from the upstreams that keep history,
        merged with this cockpit's history."""
        from cockpit.engine.report.build import report_options  # loaded when first asked
        from cockpit.engine.report.render import render_text

        opts = report_options(self.config, until - timedelta(hours=hours), until)
        report, _unanswered = self.shift_report(opts)
        return render_text(report, opts.zone)

    def report_view(self, *, until: datetime, hours: float) -> tuple[str, ReportFigures, str]:
        """As :meth:`report_text`, the figures the Report screen charts: pages per hour
        (from the same report) and each SLO's budget over the window (the shift history's
        samples, as the report's SLO section), and the same report as Markdown (what the
        screen exports and copies)."""
        from cockpit.core.charts import report_figures
        from cockpit.engine.report.build import report_options  # loaded when first asked
        from cockpit.engine.report.render import render_markdown, render_text

        opts = report_options(self.config, until - timedelta(hours=hours), until)
        report, _unanswered = self.shift_report(opts)
        samples = self.history.slo_samples(opts.since, opts.until)
        return (render_text(report, opts.zone), report_figures(report, samples, opts.zone),
                render_markdown(report, opts.zone))

    def export_report(self, markdown: str, *, until: datetime, hours: float) -> Path:
        """Write a shift report's Markdown where the user finds it again, the state dir's
        ``reports/report-<end, local>-<hours>h.md`` (0600); returns the path. Raises OSError."""
        target = self.state_dir / "reports" / f"report-{until.astimezone():%Y%m%d-%H%M}-{hours:g}h.md"
        atomic_write_text(target, markdown, mode=0o600)
        return target

    def shift_report(self, opts: ReportOptions) -> tuple[dict[str, Any], dict[str, str]]:  # provided by Engine
        raise NotImplementedError
