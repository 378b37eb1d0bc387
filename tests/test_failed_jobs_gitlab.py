"""Issue 18 point 10: a failed GitLab pipeline says which job failed, in which stage and why, from
``GET /projects/:id/pipelines/:pipeline_id/jobs?scope[]=failed``, asked once per pipeline."""

from __future__ import annotations

import pytest

from cockpit.core.models import Deploy, Pipeline
from cockpit.sources.failures import MAX_ATTEMPTS
from tests.api_servers import GitLabApi, LoopbackServer, Reply
from tests.app_fixtures import engine_app
from tests.run_jobs import answer_on, details_after_polls, gitlab_job, poll
from tests.test_gitlab import TOKEN, deployment, make, pipeline


@pytest.fixture
def api() -> GitLabApi:
    api = GitLabApi(token=TOKEN)
    project = api.add_project(7, "shop/checkout")
    project["pipelines"] = [pipeline(50, "running", duration=None), pipeline(49, "failed"),
                            pipeline(46, "canceled", ref="feature")]
    project["jobs"] = {49: [gitlab_job(601, 49, "build-image", "build", "success"),
                            gitlab_job(602, 49, "rspec:other", "test", "failed", failure_reason="stuck_or_timeout_failure"),
                            gitlab_job(603, 49, "lint", "test", "failed", allow_failure=True),
                            gitlab_job(604, 49, "teaspoon", "test", "failed", failure_reason="script_failure")]}
    failed_deploy = deployment(1, "failed", "staging")
    failed_deploy["deployable"].update(status="failed", failure_reason="script_failure")
    project["deployments"] = [failed_deploy]
    return api


@pytest.fixture
def server(api):
    with LoopbackServer(api) as srv:
        yield srv


def jobs_requests(api: GitLabApi) -> list:
    return [r for r in api.requests if r.path.endswith("/jobs")]


def by_id(result) -> dict[str, Pipeline | Deploy]:
    return {i.id: i for i in result.items}


async def test_a_failed_pipeline_names_its_failed_jobs_stage_and_reason(server, api, tmp_path):
    (result,) = await poll(make(server, tmp_path))
    items = by_id(result)
    failed = items["shop/checkout#49"].failed_jobs  # the job allowed to fail did not fail it
    assert [(j.name, j.stage, j.reason) for j in failed] == [("rspec:other", "test", "stuck_or_timeout_failure"),
                                                            ("teaspoon", "test", "script_failure")]
    assert failed[0].url == "https://gitlab.example.com/shop/checkout/-/jobs/602"
    (asked,) = jobs_requests(api)  # the running and the cancelled pipelines are not looked into
    assert asked.path == "/api/v4/projects/shop%2Fcheckout/pipelines/49/jobs"
    assert asked.query["scope[]"] == "failed" and asked.query["per_page"] == "100"
    assert not items["shop/checkout#50"].failed_jobs and not items["shop/checkout#46"].failed_jobs


async def test_a_failed_deployment_names_its_job_without_a_request(server, api, tmp_path):
    (result,) = await poll(make(server, tmp_path))
    items = by_id(result)
    (job,) = items["shop/checkout#1"].failed_jobs
    assert (job.name, job.stage, job.reason) == ("deploy", "deploy", "script_failure")
    assert len(jobs_requests(api)) == 1  # that one is the failed pipeline's


async def test_jobs_are_asked_once_per_failed_pipeline_and_again_after_a_retry(server, api, tmp_path):
    source = make(server, tmp_path)
    for _ in range(3):
        await source.fetch()
    assert len(jobs_requests(api)) == 1
    project = api.projects["7"]
    project["pipelines"][1] = {**pipeline(49, "failed"), "updated_at": "2026-11-27T08:30:00.000Z"}  # retried, failed again
    project["jobs"][49] = [gitlab_job(605, 49, "rspec:other", "test", "failed", failure_reason="script_failure")]
    (result,) = await poll(source)
    items = by_id(result)
    assert [(j.name, j.reason) for j in items["shop/checkout#49"].failed_jobs] == [("rspec:other", "script_failure")]
    assert len(jobs_requests(api)) == 2


@pytest.mark.parametrize(("answer", "tries"), [(Reply(404, {"message": "404 Not found"}), 1),
                                               (Reply(500, {"message": "500 Internal Server Error"}), MAX_ATTEMPTS)])
async def test_a_failing_jobs_request_keeps_the_pipeline_and_the_source(server, api, tmp_path, answer, tries):
    answer_on(api, lambda path: path.endswith("/jobs"), answer)
    results = await poll(make(server, tmp_path), MAX_ATTEMPTS + 1)
    assert all("shop/checkout#49" in by_id(r) and not by_id(r)["shop/checkout#49"].failed_jobs for r in results)
    assert len(jobs_requests(api)) == tries
    if answer.status == 500:
        assert "failed job of shop/checkout#49 not read: " in results[0].degraded and "HTTP 500" in results[0].degraded
    else:
        assert results[0].degraded is None
    assert results[-1].degraded is None


CONFIG = """\
[[sources]]
name = "gl"
type = "gitlab"
url = "{url}"
projects = ["shop/checkout"]
token_env = "COCKPIT_TEST_GL_TOKEN"
interval = "1s"
timeout = "900ms"
"""


async def test_the_failed_job_reaches_the_pipeline_and_deploy_details(server, api, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_TEST_GL_TOKEN", TOKEN)
    app, _engine = engine_app(tmp_path, CONFIG.format(url=server.url))
    polls = lambda: sum(r.path.endswith("/pipelines") for r in api.requests)  # noqa: E731
    shown, deploy = await details_after_polls(app, polls, "shop/checkout#49", "shop/checkout#1")
    assert shown.splitlines() == ["Failed: job rspec:other (stage test) · stuck or timeout failure",
                                  "        job teaspoon (stage test) · script failure"]
    assert deploy == "Failed: job deploy (stage deploy) · script failure"
    assert len(jobs_requests(api)) == 1
