"""Jobs, stages and steps of CI runs, shaped as the public API references' examples show them.

* GitHub: a job of ``GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`` (REST API
  description, "List jobs for a workflow run"): ``steps[]`` with ``name``, ``status``,
  ``conclusion``, ``number``, ``started_at``, ``completed_at``.
* GitLab: a job of ``GET /projects/:id/pipelines/:pipeline_id/jobs`` (Jobs API, "List pipeline
  jobs"): ``name``, ``stage``, ``status``, ``failure_reason`` (failed jobs only), ``web_url``.
* Jenkins: ``GET /job/:name/:run/wfapi/describe`` and the stage node's
  ``…/execution/node/:id/wfapi/describe`` (Pipeline Stage View plugin's REST API README):
  ``stages[]`` with ``id``, ``name``, ``status``; a stage node's ``stageFlowNodes[]`` with
  ``status`` and, failed, ``error.message``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["answer_on", "details_after_polls", "failed_line_in_detail", "github_job", "gitlab_job", "jenkins_run",
           "jenkins_stage_node", "poll"]

_STAMP = "2026-11-27T08:{:02d}:00Z"


def github_job(job_id: int, run_id: int, name: str, conclusion: str | None, steps: list[tuple[str, str | None]],
               *, repo: str = "octo/shop", attempt: int = 1) -> dict[str, Any]:
    """A workflow job; ``steps`` are ``(name, conclusion)`` numbered from 1."""
    done = conclusion is not None
    return {
        "id": job_id, "run_id": run_id, "workflow_name": "CI", "head_branch": "trunk",
        "run_url": f"https://api.github.com/repos/{repo}/actions/runs/{run_id}", "run_attempt": attempt,
        "node_id": "MDg6Q2hlY2tSdW40", "head_sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
        "url": f"https://api.github.com/repos/{repo}/actions/jobs/{job_id}",
        "html_url": f"https://github.com/{repo}/actions/runs/{run_id}/job/{job_id}",
        "status": "completed" if done else "in_progress", "conclusion": conclusion,
        "created_at": _STAMP.format(0), "started_at": _STAMP.format(1), "completed_at": _STAMP.format(5) if done else None,
        "name": name,
        "steps": [{"name": step, "status": "completed" if result else "queued", "conclusion": result,
                   "number": number, "started_at": _STAMP.format(1), "completed_at": _STAMP.format(2) if result else None}
                  for number, (step, result) in enumerate(steps, start=1)],
        "check_run_url": f"https://api.github.com/repos/{repo}/check-runs/{job_id}",
        "labels": ["ubuntu-latest"], "runner_id": 1, "runner_name": "GitHub Actions 1",
        "runner_group_id": 2, "runner_group_name": "GitHub Actions",
    }


def gitlab_job(job_id: int, pipeline_id: int, name: str, stage: str, status: str, *,
               failure_reason: str | None = None, allow_failure: bool = False,
               path: str = "shop/checkout") -> dict[str, Any]:
    """A pipeline's job (``failure_reason`` is present on failed jobs only, as the API does)."""
    job = {
        "commit": {"author_email": "ada@example.com", "author_name": "Ada", "created_at": "2026-11-27T08:00:00.000Z",
                   "id": "a91957a858320c0e17f3a0eca7cfacbff50ea29a", "message": "Fix checkout", "short_id": "a91957a8",
                   "title": "Fix checkout"},
        "coverage": None, "archived": False, "source": "push", "allow_failure": allow_failure,
        "created_at": "2026-11-27T08:00:00.000Z", "started_at": "2026-11-27T08:01:00.000Z",
        "finished_at": "2026-11-27T08:03:00.000Z", "erased_at": None, "duration": 120.0, "queued_duration": 0.5,
        "artifacts": [], "tag_list": ["docker"], "id": job_id, "name": name,
        "pipeline": {"id": pipeline_id, "project_id": 7, "ref": "main", "sha": "a91957a858320c0e17f3a0eca7cfacbff50ea29a",
                     "status": "failed"},
        "ref": "main", "runner": None, "runner_manager": None, "stage": stage, "status": status, "tag": False,
        "web_url": f"https://gitlab.example.com/{path}/-/jobs/{job_id}",
        "project": {"ci_job_token_scope_enabled": False},
        "user": {"id": 1, "name": "Ada Lovelace", "username": "ada", "state": "active"},
    }
    if status == "failed":
        job["failure_reason"] = failure_reason or "script_failure"
    return job


def _links(path: str) -> dict[str, Any]:
    return {"self": {"href": f"{path}/wfapi/describe"}}


def jenkins_run(job_path: str, number: int, status: str, stages: list[tuple[str, str, str]]) -> dict[str, Any]:
    """A run's describe: ``stages`` are ``(node id, name, status)``; ``job_path`` like ``/job/api``."""
    return {
        "_links": _links(f"{job_path}/{number}"), "id": str(number), "name": f"#{number}", "status": status,
        "startTimeMillis": 1795250400000, "endTimeMillis": 1795250460000, "durationMillis": 60000,
        "queueDurationMillis": 5, "pauseDurationMillis": 0,
        "stages": [{"_links": _links(f"{job_path}/{number}/execution/node/{node}"), "id": node, "name": name,
                    "execNode": "", "status": state, "startTimeMillis": 1795250400000, "durationMillis": 5000,
                    "pauseDurationMillis": 0} for node, name, state in stages],
    }


def jenkins_stage_node(job_path: str, number: int, node: str, name: str, status: str,
                       flow: list[tuple[str, str, str, str | None]]) -> dict[str, Any]:
    """A stage node's describe: ``flow`` are ``(node id, step name, status, error message)``."""
    nodes = []
    for step_id, step, state, error in flow:
        entry: dict[str, Any] = {
            "_links": {**_links(f"{job_path}/{number}/execution/node/{step_id}"),
                       "log": {"href": f"{job_path}/{number}/execution/node/{step_id}/wfapi/log"}},
            "id": step_id, "name": step, "execNode": "", "status": state,
            "startTimeMillis": 1795250401000, "durationMillis": 4000, "pauseDurationMillis": 0, "parentNodes": [node],
        }
        if error:
            entry["error"] = {"message": error, "type": "hudson.AbortException"}
        nodes.append(entry)
    return {"_links": _links(f"{job_path}/{number}/execution/node/{node}"), "id": node, "name": name,
            "execNode": "", "status": status, "startTimeMillis": 1795250400000, "durationMillis": 5000,
            "pauseDurationMillis": 0, "stageFlowNodes": nodes}


async def failed_line_in_detail(app: Any, pilot: Any, item_id: str) -> str:
    """Open the detail of the run ``item_id`` from its panel (Deploys or Pipelines) and return
    its "Failed: …" text ("" when the detail shows none)."""
    from cockpit.ui.screens.detail import DetailScreen

    panel_name = next(("pipelines" if i.item_type == "pipeline" else "deploys") for s in app.states for i in s.items
                      if getattr(i, "id", None) == item_id)
    await pilot.press("4" if panel_name == "pipelines" else "3")
    panel = app.main_screen.panel(panel_name)
    target = next(i for i in panel.items if i.id == item_id)
    assert panel.select_key(panel.item_key(target))
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, DetailScreen)
    found = app.screen.query("#detail-failed")
    text = found.first().content.plain if found else ""
    await pilot.press("escape")
    await pilot.pause()
    return text


async def poll(source: Any, times: int = 1) -> list[Any]:
    """Poll ``source`` ``times`` times, then close it: the results, oldest first."""
    try:
        return [await source.fetch() for _ in range(times)]
    finally:
        await source.close()


def answer_on(api: Any, where: Callable[[str], bool], reply: Any) -> None:
    """Make the fake ``api`` answer ``reply`` to every request whose path ``where`` accepts."""
    route = api.route
    api.route = lambda seen: reply if where(seen.path) else route(seen)


async def details_after_polls(app: Any, polls: Callable[[], int], *item_ids: str) -> list[str]:
    """Run ``app`` until ``polls()`` counts four polls, then each run's "Failed: …" detail text."""
    from tests.app_fixtures import until

    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: polls() >= 4, "four polls")
        return [await failed_line_in_detail(app, pilot, item_id) for item_id in item_ids]
