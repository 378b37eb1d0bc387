"""The jenkins source against a loopback server answering as Jenkins' remote access API does."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from cockpit.core.models import RunStatus
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceAuthError, SourceBadResponse, SourceRateLimited
from cockpit.sources.jenkins import JenkinsSource
from tests.api_servers import FAULT_CASES, fetch_error, LoopbackServer
from tests.jenkins_api import JenkinsApi

API_TOKEN = "11d7c6b2e0f1a9secrettoken"
STAMP = 1795766400000  # 2026-11-27T00:00:00Z in milliseconds


def job(name: str, result: str | None, *, building: bool = False, number: int = 12, full: str | None = None,
        freestyle: bool = False) -> dict:
    """A job with its lastBuild, as /api/json returns it without a tree (everything)."""
    items = [{"_class": "hudson.plugins.git.GitChangeSet", "commitId": "0" * 39 + str(i), "msg": f"change {i}\n\nbody",
              "author": {"absoluteUrl": "https://ci.example.com/user/ada", "fullName": f"Ada {i}"},
              "affectedPaths": ["a.py"] * 30, "timestamp": STAMP} for i in range(2)]
    change = {"_class": "hudson.plugins.git.GitChangeSetList", "kind": "git", "items": items}
    build = {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun", "number": number, "result": result,
             "building": building, "timestamp": STAMP, "duration": 0 if building else 312000,
             "estimatedDuration": 300000, "url": f"https://ci.example.com/job/{name}/{number}/",
             "actions": [{"_class": "hudson.model.CauseAction"}] * 10}
    build["changeSet" if freestyle else "changeSets"] = change if freestyle else [change]
    return {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": name, "fullName": full or name,
            "url": f"https://ci.example.com/job/{name}/", "color": "red", "lastBuild": build,
            "builds": [build] * 5}


@pytest.fixture
def api() -> JenkinsApi:
    api = JenkinsApi(username="ada", api_token=API_TOKEN)
    team = {"_class": "com.cloudbees.hudson.plugins.folder.Folder", "name": "team", "fullName": "team",
            "url": "https://ci.example.com/job/team/", "jobs": [job("api", "UNSTABLE", full="team/api")]}
    api.jobs = [job("checkout", "FAILURE"), job("deploy", None, building=True, number=7), job("lint", "SUCCESS"),
                job("nightly", "ABORTED", freestyle=True), team,
                {"_class": "hudson.model.FreeStyleProject", "name": "never-built", "url": "x", "lastBuild": None}]
    return api


@pytest.fixture
def server(api):
    with LoopbackServer(api) as srv:
        yield srv


def make(server, tmp_path, **options) -> JenkinsSource:
    options.setdefault("username", "ada")
    options.setdefault("token", API_TOKEN)
    return JenkinsSource("ci", JenkinsSource.Options(url=server.url, **options), SourceContext(cache_dir=tmp_path))


async def test_last_builds_of_top_level_jobs(server, api, tmp_path):
    source = make(server, tmp_path)
    pipelines = (await source.fetch()).items
    await source.close()
    by_name = {p.name: p for p in pipelines}
    assert set(by_name) == {"checkout", "deploy", "nightly"}  # lint is green, team is a folder
    failed = by_name["checkout"]
    assert failed.status is RunStatus.FAILED and failed.id == "checkout#12" and failed.repo == "127.0.0.1"
    assert failed.duration_s == 312 and failed.started_at == datetime.fromtimestamp(STAMP / 1000, timezone.utc)
    assert failed.commit == "0" * 39 + "1" and failed.author == "Ada 1" and failed.message == "change 1"
    assert failed.url == "https://ci.example.com/job/checkout/12/"
    assert by_name["deploy"].status is RunStatus.RUNNING and by_name["deploy"].duration_s is None
    assert by_name["nightly"].status is RunStatus.CANCELLED and by_name["nightly"].author == "Ada 1"
    request = next(r for r in api.requests if r.path == "/api/json")
    assert request.path == "/api/json" and request.query["tree"].startswith("jobs[") and request.query["tree"].endswith("]{0,200}")
    expected = base64.b64encode(f"ada:{API_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"


async def test_named_jobs_in_folders(server, api, tmp_path, monkeypatch):
    monkeypatch.setenv("JENKINS_PW", API_TOKEN)
    source = JenkinsSource("ci", JenkinsSource.Options(url=server.url, username="ada", password_env="JENKINS_PW",
                                                       jobs=["team/api", "lint"], include_succeeded=True),
                           SourceContext(cache_dir=tmp_path))
    pipelines = (await source.fetch()).items
    await source.close()
    assert {(p.repo, p.name, p.status) for p in pipelines} == {("team", "api", RunStatus.FAILED),
                                                              ("127.0.0.1", "lint", RunStatus.SUCCEEDED)}
    listed = [r.path for r in api.requests if "/wfapi/" not in r.path]  # not the failed build's stages
    assert listed == ["/job/team/job/api/api/json", "/job/lint/api/json"]


async def test_max_jobs_bounds_the_listing(server, tmp_path):
    source = make(server, tmp_path, max_jobs=2)
    pipelines = (await source.fetch()).items
    await source.close()
    assert {p.name for p in pipelines} == {"checkout", "deploy"}


async def test_no_etags_no_conditional_requests(server, api, tmp_path):
    source = make(server, tmp_path)
    first = await source.fetch()
    assert await source.fetch() == first
    await source.close()
    assert not any("if-none-match" in r.headers for r in api.requests)


async def test_bad_api_token_gets_jenkins_html_401(server, tmp_path):
    source = make(server, tmp_path, token="wrong-token-value")
    with pytest.raises(SourceAuthError) as caught:
        await source.fetch()
    await source.close()
    assert "HTTP 401" in caught.value.message and "wrong-token-value" not in caught.value.message


async def test_unknown_job_is_a_404(server, tmp_path):
    source = make(server, tmp_path, jobs=["nope"])
    with pytest.raises(SourceBadResponse, match="HTTP 404"):
        await source.fetch()
    await source.close()


async def test_proxy_429_with_retry_after(server, api, tmp_path):
    api.fail_next("429")
    caught = await fetch_error(make(server, tmp_path), SourceRateLimited, API_TOKEN)
    now = datetime.now(timezone.utc)
    assert now + timedelta(seconds=100) < caught.retry_at <= now + timedelta(seconds=121)


@pytest.mark.parametrize(("fault", "error", "words"), FAULT_CASES)
async def test_faults_are_one_line_errors_without_the_token(server, api, tmp_path, fault, error, words):
    api.fail_next(fault)
    caught = await fetch_error(make(server, tmp_path), error, API_TOKEN)
    assert words in caught.message


def test_a_token_needs_a_username():
    with pytest.raises(ValueError, match="username is required"):
        JenkinsSource.Options(url="https://ci.example.com", token="t")
