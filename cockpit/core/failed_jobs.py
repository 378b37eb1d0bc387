"""Where a failed run failed, said the same way everywhere it is shown.

The pipeline and deploy details list the failed jobs (:func:`failed_jobs_block`), the alert
detail's "what changed" list gives each failed change one line (:func:`failed_jobs_line`), and
the Pipelines panel a short cell (:func:`failed_jobs_cell`); all three are built from
:func:`failed_job_text`. Job, stage, step and reason are upstream text: cleaned to one inert line
each; the job's own page becomes a link only when it is a safe http(s) URL.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from cockpit.core.models import FailedJob
from cockpit.core.osc import link_style
from cockpit.core.textsafe import clean_line

__all__ = ["FAILED_LABEL", "SHOWN_FAILED_JOBS", "failed_job_text", "failed_jobs_block", "failed_jobs_cell",
           "failed_jobs_line"]

SHOWN_FAILED_JOBS = 5
"""Failed jobs named one per line in a detail; more are counted."""

FAILED_LABEL = "Failed: "
"""What the line saying where a run failed starts with."""


def failed_job_text(job: FailedJob, short: bool = False) -> Text:
    """``job test › step 4. Run tests · timed out``: where a run failed, inert, the job a link.

    ``short``: only the job and its step (``test › Run tests``), unstyled, for a table cell.
    """
    if short:
        out = Text(clean_line(job.name, 120))
        if job.step:
            out.append(f" › {clean_line(job.step, 120)}")
        return out
    out = Text(f"{job.kind} ")
    out.append(clean_line(job.name, 120), style=link_style(job.url, underline=True) or "")
    if job.stage:
        out.append(f" (stage {clean_line(job.stage, 60)})")
    if job.step:
        number = f"{job.step_number}. " if job.step_number is not None else ""
        out.append(f" › step {number}{clean_line(job.step, 120)}")
    if job.reason:
        out.append(f" · {clean_line(job.reason.replace('_', ' '), 160)}", style="dim")
    return out


def _more(jobs: Sequence[FailedJob], shown: int) -> str | None:
    """``and 2 more failed jobs`` for the jobs after the first ``shown``, or None."""
    hidden = len(jobs) - shown
    if hidden <= 0:
        return None
    return f"and {hidden} more failed {jobs[0].kind}{'s' if hidden != 1 else ''}"


def failed_jobs_block(jobs: Sequence[FailedJob]) -> Text | None:
    """``Failed: job … › step …``, one line per failed job (at most :data:`SHOWN_FAILED_JOBS`,
    the rest counted), or None when the run names none."""
    if not jobs:
        return None
    out = Text()
    pad = " " * len(FAILED_LABEL)
    for index, job in enumerate(jobs[:SHOWN_FAILED_JOBS]):
        out.append(FAILED_LABEL if index == 0 else pad, style="bold")
        out.append_text(failed_job_text(job))
        out.append("\n")
    more = _more(jobs, SHOWN_FAILED_JOBS)
    if more:
        out.append(f"{pad}… {more}\n", style="dim")
    out.rstrip()
    return out


def failed_jobs_line(jobs: Sequence[FailedJob]) -> Text | None:
    """``Failed: job … › step … (and 1 more failed job)``: the first failed job on one line, the
    others counted; None when the run names none."""
    if not jobs:
        return None
    out = Text(FAILED_LABEL, style="bold")
    out.append_text(failed_job_text(jobs[0]))
    more = _more(jobs, 1)
    if more:
        out.append(f" ({more})", style="dim")
    return out


def failed_jobs_cell(jobs: Sequence[FailedJob]) -> str:
    """``test › Run tests``, or ``3 jobs: lint › ruff`` when several failed (the count first, so
    cutting the cell to its column never cuts the number); ``""`` when the run names none."""
    if not jobs:
        return ""
    first = failed_job_text(jobs[0], short=True).plain
    return first if len(jobs) == 1 else f"{len(jobs)} {jobs[0].kind}s: {first}"
