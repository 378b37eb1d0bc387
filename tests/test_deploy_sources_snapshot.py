"""Issue 5 end to end: one source of each deploy/pipeline type through ``cockpit snapshot``.

A config names a github, gitlab, argocd, jenkins and git source; the four HTTP ones point at the
loopback fakes of :mod:`tests.api_servers`, the git one at a real temporary repository. Tokens
reach the subprocess through ``token_env``/``password_env`` variables only. The snapshot must
list deploys and pipelines from every source; then GitHub answers 429 with Retry-After and a
second snapshot must report github ``stale`` (rate limited, with when it retries) while still
showing its deploys and pipelines from the cache. No token may appear in the output or cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api_servers import GitHubApi, GitLabApi, LoopbackServer
from tests.argocd_api import ArgoCdApi
from tests.jenkins_api import JenkinsApi

if shutil.which("git") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("git is required in CI")
    pytest.skip("git is not installed: the git source needs it", allow_module_level=True)

GH_TOKEN = "ghp_e2eSecretToken0123456789abcdef"
GL_TOKEN = "glpat-e2eSecretGitlabToken42"
ARGO_TOKEN = "eyJhbGciOiJIUzI1NiJ9.e2e-secret-argo.sig"
JENKINS_TOKEN = "11e2esecretjenkinstoken99"
SECRETS = (GH_TOKEN, GL_TOKEN, ARGO_TOKEN, JENKINS_TOKEN)
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"


# --- seeding: bodies shaped as each public API documents them ---------------------------------


def seed_github(api: GitHubApi) -> None:
    repo = api.add_repo("octo/shop", default_branch="main")
    head = {"id": SHA, "message": "Fix checkout\n\nbody", "author": {"name": "Mona Lisa", "email": "m@example.com"}}
    repo["runs"] = [
        {"id": 11, "name": "CI", "display_title": "Fix checkout", "status": "completed", "conclusion": "failure",
         "head_branch": "main", "head_sha": SHA, "event": "push", "run_attempt": 1,
         "html_url": "https://github.com/octo/shop/actions/runs/11", "created_at": "2026-11-27T08:00:00Z",
         "run_started_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:05:00Z",
         "actor": {"login": "octocat"}, "head_commit": head},
        {"id": 12, "name": "Deploy", "display_title": "Fix checkout", "status": "in_progress", "conclusion": None,
         "head_branch": "main", "head_sha": SHA, "event": "push", "run_attempt": 1,
         "html_url": "https://github.com/octo/shop/actions/runs/12", "created_at": "2026-11-27T08:06:00Z",
         "run_started_at": "2026-11-27T08:06:00Z", "updated_at": "2026-11-27T08:07:00Z",
         "actor": {"login": "octocat"}, "head_commit": head},
    ]
    repo["deployments"] = [
        {"id": 42, "sha": SHA, "ref": "v1.4.2", "task": "deploy", "payload": {}, "environment": "production",
         "description": "Deploy request", "creator": {"login": "hubot"},
         "created_at": "2026-11-27T08:10:00Z", "updated_at": "2026-11-27T08:12:00Z"},
    ]
    repo["statuses"] = {42: [{"id": 1, "state": "success", "description": "done", "environment": "production",
                              "log_url": "https://ci.example.com/deploy/42", "created_at": "2026-11-27T08:12:00Z"}]}


def seed_gitlab(api: GitLabApi) -> None:
    project = api.add_project(7, "shop/cart")
    project["pipelines"] = [
        {"id": 90, "iid": 9, "project_id": 7, "name": None, "status": "failed", "source": "push", "ref": "main",
         "sha": SHA, "user": {"username": "ada", "name": "Ada Lovelace"}, "created_at": "2026-11-27T07:00:00.000Z",
         "updated_at": "2026-11-27T07:06:00.000Z", "started_at": "2026-11-27T07:00:30.000Z", "duration": 312,
         "web_url": "https://gitlab.example.com/shop/cart/-/pipelines/90"},
    ]
    project["deployments"] = [
        {"id": 5, "iid": 5, "ref": "main", "sha": SHA, "status": "success",
         "created_at": "2026-11-27T07:10:00.000Z", "updated_at": "2026-11-27T07:20:00.000Z",
         "finished_at": "2026-11-27T07:19:00.000Z", "user": {"username": "root", "name": "Administrator"},
         "environment": {"id": 1, "name": "production", "external_url": "https://cart.example.com"},
         "deployable": {"id": 105, "status": "success", "name": "deploy", "ref": "main", "tag": False,
                        "started_at": "2026-11-27T07:11:00.000Z", "finished_at": "2026-11-27T07:19:00.000Z",
                        "web_url": "https://gitlab.example.com/shop/cart/-/jobs/105",
                        "commit": {"id": SHA, "short_id": SHA[:8], "title": "Bump cart"}}},
    ]


def seed_argocd(api: ArgoCdApi) -> None:
    api.apps = [{
        "metadata": {"name": "payments", "namespace": "argocd"},
        "spec": {"destination": {"server": "https://kubernetes.default.svc", "namespace": "pay-prod"}},
        "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"},
                   "history": [{"id": 3, "revision": SHA, "deployStartedAt": "2026-11-27T06:00:00Z",
                                "deployedAt": "2026-11-27T06:01:00Z", "initiatedBy": {"username": "admin"}}]},
    }]


def seed_jenkins(api: JenkinsApi) -> None:
    api.jobs = [{
        "_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": "nightly", "fullName": "nightly",
        "url": "https://ci.example.com/job/nightly/",
        "lastBuild": {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun", "number": 31, "result": "FAILURE",
                      "building": False, "timestamp": 1795766400000, "duration": 120000,
                      "url": "https://ci.example.com/job/nightly/31/", "changeSets": []},
    }]


def make_gitops_repo(path: Path) -> str:
    """A real repository with one commit touching ``apps/search``; returns its sha."""
    env = dict(os.environ, GIT_AUTHOR_NAME="Grace", GIT_AUTHOR_EMAIL="g@example.com", GIT_COMMITTER_NAME="Grace",
               GIT_COMMITTER_EMAIL="g@example.com", GIT_AUTHOR_DATE="2026-11-27T05:00:00+00:00",
               GIT_COMMITTER_DATE="2026-11-27T05:00:00+00:00", GIT_CONFIG_GLOBAL=os.devnull)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(path), *args], env=env, check=True, capture_output=True, text=True).stdout

    path.mkdir()
    git("init", "-q", "-b", "main")
    (path / "apps" / "search").mkdir(parents=True)
    (path / "apps" / "search" / "deploy.yaml").write_text("image: search:2.0\n")
    git("add", "-A")
    git("commit", "-q", "-m", "search 2.0")
    return git("rev-parse", "HEAD").strip()


def write_config(path: Path, gh: str, gl: str, argo: str, jenkins: str) -> None:
    path.write_text(f"""
[[sources]]
name = "gh"
type = "github"
url = "{gh}"
repos = ["octo/shop"]
token_env = "E2E_GH_TOKEN"

[[sources]]
name = "gl"
type = "gitlab"
url = "{gl}"
projects = ["shop/cart"]
token_env = "E2E_GL_TOKEN"

[[sources]]
name = "argo"
type = "argocd"
url = "{argo}"
token_env = "E2E_ARGO_TOKEN"

[[sources]]
name = "ci"
type = "jenkins"
url = "{jenkins}"
username = "ada"
password_env = "E2E_JENKINS_TOKEN"

[[sources]]
name = "gitops"
type = "git"
path = "gitops"
paths = ["apps/"]
""")


# --- the test ---------------------------------------------------------------------------------


def snapshot(run_cli, config: Path) -> tuple[int, dict, str]:
    env = {"E2E_GH_TOKEN": GH_TOKEN, "E2E_GL_TOKEN": GL_TOKEN, "E2E_ARGO_TOKEN": ARGO_TOKEN,
           "E2E_JENKINS_TOKEN": JENKINS_TOKEN, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = run_cli("snapshot", "--config", str(config), "--format", "json", env=env)
    assert done.stdout.strip(), f"no output; stderr: {done.stderr}"
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def by_source(rows: list[dict]) -> dict[str, set[tuple]]:
    found: dict[str, set[tuple]] = {}
    for row in rows:
        key = (row.get("service") or row.get("repo"), row.get("version") or row.get("name"), row["status"])
        found.setdefault(row["source"], set()).add(key)
    return found


def assert_no_secret_in_cache() -> None:
    cache = Path(os.environ["COCKPIT_CACHE_DIR"])
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files, "the snapshot stored nothing in the cache"
    for file in files:
        data = file.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"a token was written to {file.name}"


def test_every_deploy_and_pipeline_source_and_a_rate_limited_one_kept_stale(run_cli, tmp_path):
    gh, gl, argo, jenkins = (GitHubApi(token=GH_TOKEN), GitLabApi(token=GL_TOKEN), ArgoCdApi(token=ARGO_TOKEN),
                             JenkinsApi(username="ada", api_token=JENKINS_TOKEN))
    seed_github(gh), seed_gitlab(gl), seed_argocd(argo), seed_jenkins(jenkins)
    commit = make_gitops_repo(tmp_path / "gitops")
    config = tmp_path / "cockpit.toml"
    with LoopbackServer(gh) as s1, LoopbackServer(gl) as s2, LoopbackServer(argo) as s3, LoopbackServer(jenkins) as s4:
        write_config(config, s1.url, s2.url, s3.url, s4.url)

        status, first, raw = snapshot(run_cli, config)
        assert status == 0, raw
        assert {s["name"]: s["status"] for s in first["sources"]} == dict.fromkeys(["gh", "gl", "argo", "ci", "gitops"], "ok")
        assert all(s["error"] is None for s in first["sources"])
        deploys, pipelines = by_source(first["deploys"]), by_source(first["pipelines"])
        assert deploys == {
            "gh": {("shop", "v1.4.2", "succeeded")},
            "gl": {("cart", SHA[:8], "succeeded")},
            "argo": {("payments", SHA[:7], "succeeded")},
            "gitops": {("search", commit[:7], "succeeded")},
        }
        assert pipelines == {
            "gh": {("octo/shop", "CI", "failed"), ("octo/shop", "Deploy", "running")},
            "gl": {("shop/cart", "push", "failed")},
            "ci": {("127.0.0.1", "nightly", "failed")},
        }
        for secret in SECRETS:
            assert secret not in raw
        assert_no_secret_in_cache()

        # GitHub now refuses every request of a poll with its secondary rate limit (429 + Retry-After).
        sent_per_poll = len(gh.requests)
        gh.fail_next(*["429"] * sent_per_poll)
        status, second, raw = snapshot(run_cli, config)
        assert len(gh.requests) == sent_per_poll + 1, "github was asked again after it answered 429"

    assert status == 1, raw
    states = {s["name"]: s for s in second["sources"]}
    assert states["gh"]["status"] == "stale", states["gh"]
    assert "rate limited" in states["gh"]["error"] and "retry after" in states["gh"]["error"]
    assert {n: states[n]["status"] for n in ("gl", "argo", "ci", "gitops")} == dict.fromkeys(["gl", "argo", "ci", "gitops"], "ok")
    assert states["gh"]["fetched_at"] == {s["name"]: s for s in first["sources"]}["gh"]["fetched_at"]
    assert by_source(second["deploys"]) == deploys  # github's deploys kept from the cache
    assert by_source(second["pipelines"]) == pipelines  # and its pipelines
    for secret in SECRETS:
        assert secret not in raw
    assert_no_secret_in_cache()
