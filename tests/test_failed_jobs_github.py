"""Issue 18 point 10: a failed GitHub workflow run says which job and step failed, from the
run's jobs (``GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs``), asked once per run."""

from __future__ import annotations

import pytest

from cockpit.core.models import Deploy, Pipeline
from cockpit.sources.failures import MAX_ATTEMPTS
from tests.api_servers import GitHubApi, LoopbackServer, Reply
from tests.app_fixtures import engine_app
from tests.run_jobs import answer_on, details_after_polls, github_job, poll
from tests.test_github import TOKEN, deployment, make, run, status

SUCCESS, FAILURE = "success", "failure"


@pytest.fixture
def api() -> GitHubApi:
    api = GitHubApi(token=TOKEN)
    repo = api.add_repo("octo/shop", default_branch="trunk")
    repo["runs"] = [
        run(9, "CI", "in_progress", None, branch="trunk", minutes_ago=2),
        run(8, "CI", "completed", "failure", branch="trunk", minutes_ago=20),
        run(7, "Nightly", "completed", "timed_out", branch="trunk", minutes_ago=25),
        run(6, "Lint", "completed", "cancelled", branch="trunk", minutes_ago=30),
    ]
    repo["jobs"] = {
        8: [github_job(81, 8, "build", SUCCESS, [("Set up job", SUCCESS), ("Build", SUCCESS)]),
            github_job(82, 8, "test (ubuntu-latest, 3.12)", FAILURE,
                       [("Set up job", SUCCESS), ("Run actions/checkout@v4", SUCCESS), ("Run tests", FAILURE),
                        ("Post actions/checkout@v4", SUCCESS)]),
            github_job(83, 8, "test (macos-latest, 3.12)", "cancelled", [("Set up job", SUCCESS), ("Run tests", "cancelled")])],
        7: [github_job(71, 7, "e2e", "timed_out", [("Set up job", SUCCESS), ("Run e2e", "cancelled")])],
        9: [github_job(91, 9, "build", None, [("Set up job", None)])],
    }
    return api


@pytest.fixture
def server(api: GitHubApi):
    with LoopbackServer(api) as srv:
        yield srv


def pipelines(result) -> dict[str, Pipeline]:
    return {i.id: i for i in result.items if isinstance(i, Pipeline)}


def jobs_requests(api: GitHubApi) -> list[str]:
    return [r.path for r in api.requests if r.path.endswith("/jobs")]


async def test_a_failed_run_names_its_failed_job_and_step(server, api, tmp_path):
    (result,) = await poll(make(server, tmp_path, deployments=0))
    by_id = pipelines(result)
    (job,) = by_id["octo/shop#8"].failed_jobs  # the cancelled matrix sibling is not why it failed
    assert (job.name, job.step_number, job.step, job.reason) == ("test (ubuntu-latest, 3.12)", 3, "Run tests", None)
    assert job.url == "https://github.com/octo/shop/actions/runs/8/job/82"
    (timed_out,) = by_id["octo/shop#7"].failed_jobs
    assert (timed_out.name, timed_out.step, timed_out.reason) == ("e2e", "Run e2e", "timed out")
    # only failed runs are looked into: not the running one, not the cancelled one
    assert sorted(jobs_requests(api)) == ["/repos/octo/shop/actions/runs/7/jobs", "/repos/octo/shop/actions/runs/8/jobs"]
    asked = next(r for r in api.requests if r.path.endswith("/8/jobs"))
    assert asked.query["filter"] == "latest" and asked.query["per_page"] == "100"
    assert not by_id["octo/shop#9"].failed_jobs and not by_id["octo/shop#6"].failed_jobs


async def test_jobs_are_asked_once_per_failed_run_across_polls(server, api, tmp_path):
    polls = [pipelines(result) for result in await poll(make(server, tmp_path, deployments=0), 4)]
    assert len(jobs_requests(api)) == 2  # runs 7 and 8, once each, not once a poll
    assert all(p["octo/shop#8"].failed_jobs[0].step == "Run tests" for p in polls)  # kept with the run


async def test_a_rerun_is_a_new_run_to_look_into(server, api, tmp_path):
    source = make(server, tmp_path, deployments=0)
    try:
        await source.fetch()
        repo = api.repos["octo/shop"]
        repo["runs"][1] = {**run(8, "CI", "completed", "failure", branch="trunk", minutes_ago=5), "run_attempt": 2}
        repo["jobs"][8].append(github_job(84, 8, "lint", FAILURE, [("Run ruff", FAILURE)], attempt=2))
        by_id = pipelines(await source.fetch())
    finally:
        await source.close()
    assert [j.name for j in by_id["octo/shop#8"].failed_jobs] == ["lint"]  # the newest attempt's jobs
    assert len([p for p in jobs_requests(api) if p.endswith("/8/jobs")]) == 2


async def test_lookups_per_poll_are_bounded(server, api, tmp_path):
    repo = api.repos["octo/shop"]
    repo["runs"] = [run(100 + i, f"wf{i}", "completed", "failure", branch="trunk") for i in range(5)]
    source = make(server, tmp_path, deployments=0, failed_runs_per_poll=2)
    try:
        counts = []
        for _ in range(3):
            await source.fetch()
            counts.append(len(jobs_requests(api)))
    finally:
        await source.close()
    assert counts == [2, 4, 5]


async def test_zero_lookups_per_poll_never_asks(server, api, tmp_path):
    await poll(make(server, tmp_path, deployments=0, failed_runs_per_poll=0), 2)
    assert jobs_requests(api) == []


def jobs_answer(api: GitHubApi, reply: Reply) -> None:
    """Make the jobs endpoint answer ``reply`` (GitHub's own 404 body, or a proxy's 500 page)."""
    answer_on(api, lambda path: path.endswith("/jobs"), reply)


async def test_a_404_on_the_jobs_keeps_the_run_and_the_source_and_is_not_asked_again(server, api, tmp_path):
    jobs_answer(api, Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}))
    results = await poll(make(server, tmp_path, deployments=0), 3)
    assert all({"octo/shop#8", "octo/shop#7"} <= set(pipelines(r)) for r in results)  # the runs stay
    assert all(r.degraded is None for r in results)  # a run without jobs to read is no fault of the source
    assert not pipelines(results[-1])["octo/shop#8"].failed_jobs
    assert len(jobs_requests(api)) == 2


async def test_a_500_on_the_jobs_degrades_only_that_detail_and_is_tried_a_few_times(server, api, tmp_path):
    jobs_answer(api, Reply(500, b"<html><body>500 Internal Server Error</body></html>", {}, "text/html"))
    results = await poll(make(server, tmp_path, deployments=0), MAX_ATTEMPTS + 2)
    first = results[0]
    assert "octo/shop#8" in pipelines(first) and not pipelines(first)["octo/shop#8"].failed_jobs
    assert "failed job of octo/shop#8 not read" in first.degraded and "HTTP 500" in first.degraded
    assert TOKEN not in first.degraded
    assert results[-1].degraded is None  # given up after MAX_ATTEMPTS polls: no endless retries
    assert len(jobs_requests(api)) == 2 * MAX_ATTEMPTS


async def test_a_failed_deployment_run_by_a_workflow_names_its_job(server, api, tmp_path):
    repo = api.repos["octo/shop"]
    repo["deployments"] = [deployment(42, "v1.4.2", "production")]
    web = server.url  # the web UI's host, as GitHub Enterprise serves it beside its API
    failed = {**status("failure"), "log_url": f"{web}/octo/shop/actions/runs/8/job/82",
              "target_url": f"{web}/octo/shop/actions/runs/8"}
    repo["statuses"] = {42: [failed]}
    (result,) = await poll(make(server, tmp_path))
    (deploy,) = [i for i in result.items if isinstance(i, Deploy)]
    assert [(j.name, j.step) for j in deploy.failed_jobs] == [("test (ubuntu-latest, 3.12)", "Run tests")]


async def test_a_deployment_linking_elsewhere_is_not_looked_into(server, api, tmp_path):
    repo = api.repos["octo/shop"]
    repo["runs"] = []
    repo["deployments"] = [deployment(42, "v1.4.2", "production")]
    repo["statuses"] = {42: [{**status("failure"), "log_url": "https://ci.example.com/octo/shop/actions/runs/8"}]}
    await poll(make(server, tmp_path))
    assert jobs_requests(api) == []


CONFIG = """\
[[sources]]
name = "gh"
type = "github"
url = "{url}"
repos = ["octo/shop"]
token_env = "COCKPIT_TEST_GH_TOKEN"
deployments = 0
interval = "1s"
timeout = "900ms"
"""


async def test_the_failed_job_and_step_reach_the_pipeline_detail(server, api, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_TEST_GH_TOKEN", TOKEN)
    app, _engine = engine_app(tmp_path, CONFIG.format(url=server.url))
    polls = lambda: sum(r.path.endswith("/actions/runs") for r in api.requests)  # noqa: E731
    line, timed_out = await details_after_polls(app, polls, "octo/shop#8", "octo/shop#7")
    assert line == "Failed: job test (ubuntu-latest, 3.12) › step 3. Run tests"
    assert timed_out == "Failed: job e2e › step 2. Run e2e · timed out"
    assert len(jobs_requests(api)) == 2
