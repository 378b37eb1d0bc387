"""Issue 18 point 10: a failed Jenkins build says which stage and step failed, from the Pipeline
Stage View plugin's REST API (``wfapi/describe`` of the run, then of the failed stage's node),
asked once per build; a Jenkins without the plugin (404) shows the build without a stage."""

from __future__ import annotations

import pytest

from cockpit.core.models import Pipeline
from tests.api_servers import LoopbackServer, Reply
from tests.app_fixtures import engine_app
from tests.jenkins_api import JenkinsApi
from tests.run_jobs import answer_on, details_after_polls, jenkins_run, jenkins_stage_node, poll
from tests.test_jenkins import API_TOKEN, job
from tests.test_jenkins import make as make_jenkins

RUN = "/job/checkout/12"
TEAM_RUN = "/job/team/job/api/3"
JOBS = ["checkout", "deploy", "team/api"]


@pytest.fixture
def api() -> JenkinsApi:
    api = JenkinsApi(username="ada", api_token=API_TOKEN)
    team = {"_class": "com.cloudbees.hudson.plugins.folder.Folder", "name": "team", "fullName": "team",
            "url": "https://ci.example.com/job/team/", "jobs": [job("api", "UNSTABLE", full="team/api", number=3)]}
    api.jobs = [job("checkout", "FAILURE"), job("deploy", None, building=True, number=7), team]
    api.wfapi = {
        f"{RUN}/wfapi/describe": jenkins_run("/job/checkout", 12, "FAILED",
                                             [("5", "Build", "SUCCESS"), ("8", "Test", "FAILED"), ("12", "Deploy", "NOT_EXECUTED")]),
        f"{RUN}/execution/node/8/wfapi/describe": jenkins_stage_node(
            "/job/checkout", 12, "8", "Test", "FAILED",
            [("9", "Print Message", "SUCCESS", None), ("10", "Shell Script", "FAILED", "script returned exit code 1")]),
        f"{TEAM_RUN}/wfapi/describe": jenkins_run("/job/team/job/api", 3, "UNSTABLE",
                                                  [("5", "Build", "SUCCESS"), ("9", "Integration", "UNSTABLE")]),
        f"{TEAM_RUN}/execution/node/9/wfapi/describe": jenkins_stage_node(
            "/job/team/job/api", 3, "9", "Integration", "UNSTABLE",
            [("10", "Record JUnit results", "UNSTABLE", None)]),
    }
    return api


@pytest.fixture
def server(api):
    with LoopbackServer(api) as srv:
        yield srv


def make(server, tmp_path):
    return make_jenkins(server, tmp_path, jobs=JOBS)  # named, for the one inside a folder


def wfapi_requests(api: JenkinsApi) -> list[str]:
    return [r.path for r in api.requests if "/wfapi/" in r.path]


def by_id(result) -> dict[str, Pipeline]:
    return {p.id: p for p in result.items}


async def test_a_failed_build_names_its_failed_stage_and_step(server, api, tmp_path):
    (result,) = await poll(make(server, tmp_path))
    builds = by_id(result)
    (stage,) = builds["checkout#12"].failed_jobs
    assert (stage.kind, stage.name, stage.step, stage.reason) == ("stage", "Test", "Shell Script", "script returned exit code 1")
    (unstable,) = builds["team/api#3"].failed_jobs
    assert (unstable.name, unstable.step, unstable.reason) == ("Integration", "Record JUnit results", "unstable")
    assert not builds["deploy#7"].failed_jobs  # a running build is not looked into
    assert sorted(wfapi_requests(api)) == sorted([f"{RUN}/wfapi/describe", f"{RUN}/execution/node/8/wfapi/describe",
                                                  f"{TEAM_RUN}/wfapi/describe", f"{TEAM_RUN}/execution/node/9/wfapi/describe"])


async def test_stages_are_asked_once_per_failed_build(server, api, tmp_path):
    polls = [by_id(result) for result in await poll(make(server, tmp_path), 4)]
    assert len(wfapi_requests(api)) == 4  # two per failed build, once
    assert all(p["checkout#12"].failed_jobs[0].step == "Shell Script" for p in polls)


async def test_a_jenkins_without_the_stage_view_plugin_shows_the_build_without_a_stage(server, api, tmp_path):
    api.wfapi = {}  # every wfapi URL answers Jenkins' HTML 404
    results = await poll(make(server, tmp_path), 3)
    assert all("checkout#12" in by_id(r) and not by_id(r)["checkout#12"].failed_jobs for r in results)
    assert all(r.degraded is None for r in results)
    assert len(wfapi_requests(api)) == 2  # once per failed build, then known to have none


async def test_a_500_on_the_stages_keeps_the_build_and_the_source_healthy(server, api, tmp_path):
    page = Reply(500, b"<html><body><h2>HTTP ERROR 500</h2></body></html>", {}, "text/html")
    answer_on(api, lambda path: "/wfapi/" in path, page)
    (result,) = await poll(make(server, tmp_path))
    assert {"checkout#12", "team/api#3", "deploy#7"} <= set(by_id(result))
    assert "failed job of checkout#12 not read" in result.degraded and "HTTP 500" in result.degraded
    assert API_TOKEN not in result.degraded


async def test_a_stage_whose_node_cannot_be_read_is_still_named(server, api, tmp_path):
    del api.wfapi[f"{RUN}/execution/node/8/wfapi/describe"]
    (result,) = await poll(make(server, tmp_path))
    builds = by_id(result)
    assert [(s.name, s.step) for s in builds["checkout#12"].failed_jobs] == [("Test", None)]


CONFIG = """\
[[sources]]
name = "ci"
type = "jenkins"
url = "{url}"
username = "ada"
password_env = "COCKPIT_TEST_JENKINS_TOKEN"
jobs = ["checkout", "deploy", "team/api"]
interval = "1s"
timeout = "900ms"
"""


async def test_the_failed_stage_and_step_reach_the_pipeline_detail(server, api, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_TEST_JENKINS_TOKEN", API_TOKEN)
    app, _engine = engine_app(tmp_path, CONFIG.format(url=server.url))
    polls = lambda: sum(r.path == "/job/checkout/api/json" for r in api.requests)  # noqa: E731
    (shown,) = await details_after_polls(app, polls, "checkout#12")
    assert shown == "Failed: stage Test › step Shell Script · script returned exit code 1"
    assert len(wfapi_requests(api)) == 4
