"""The git source against real temporary git repositories made with the git command."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cockpit.core.models import RunStatus
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceBadResponse, SourceUnreachable
from cockpit.sources.gitops import GitSource

if shutil.which("git") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("git is required in CI")
    pytest.skip("git is not installed: the git source tests need it", allow_module_level=True)

_clock = iter(range(1, 10_000))


def git(repo: Path, *args: str, author: str = "Ada Lovelace") -> str:
    """Run git in ``repo`` with a fixed identity and an increasing commit date."""
    stamp = f"2026-11-27T08:{next(_clock) % 60:02d}:00+00:00"
    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="ada@example.com",
               GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL="ada@example.com",
               GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp, GIT_CONFIG_GLOBAL=os.devnull)
    done = subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str, author: str = "Ada Lovelace") -> str:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, author=author)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "gitops"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    commit(path, {"README.md": "docs", "apps/kustomization.yaml": "x"}, "Initial layout")
    return path


def make(repo: Path, tmp_path: Path, **options) -> GitSource:
    return GitSource("gitops", GitSource.Options(path=str(repo), **options), SourceContext(cache_dir=tmp_path))


async def test_commits_touching_paths_are_deploys(repo, tmp_path):
    first = commit(repo, {"apps/checkout/deploy.yaml": "image: checkout:1.0"}, "checkout 1.0\n\nbody", author="Grace")
    commit(repo, {"docs/runbook.md": "text"}, "docs only")
    both = commit(repo, {"apps/checkout/deploy.yaml": "image: checkout:1.1", "apps/cart/deploy.yaml": "v2"}, "bump both")
    deploys = (await make(repo, tmp_path, paths=["apps/"], commit_url="https://git.example.com/c/{sha}").fetch()).items
    assert [(d.service, d.version) for d in deploys[:2]] == sorted([("cart", both[:7]), ("checkout", both[:7])])
    assert [d.service for d in deploys] == ["cart", "checkout", "checkout"]  # nothing for docs or the shared file
    oldest = deploys[-1]
    assert oldest.version == first[:7] and oldest.author == "Grace" and oldest.description == "checkout 1.0"
    assert oldest.environment == "main" and oldest.status is RunStatus.SUCCEEDED
    assert oldest.url == f"https://git.example.com/c/{first}"
    assert oldest.started_at.tzinfo is not None and oldest.started_at < deploys[0].started_at


async def test_a_merge_is_one_deploy_when_it_lands(repo, tmp_path):
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"apps/cart/deploy.yaml": "v1"}, "wip 1", author="Bob")
    commit(repo, {"apps/cart/deploy.yaml": "v2"}, "wip 2", author="Bob")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "feature", "-m", "Merge cart v2", author="Release Bot")
    merge = git(repo, "rev-parse", "HEAD")
    deploys = (await make(repo, tmp_path, paths=["apps"]).fetch()).items
    assert [(d.service, d.version, d.author, d.description) for d in deploys] == [("cart", merge[:7], "Release Bot", "Merge cart v2")]


async def test_placeholders_name_service_and_environment(repo, tmp_path):
    commit(repo, {"clusters/prod/checkout/values.yaml": "1", "clusters/staging/cart/values.yaml": "1"}, "roll out")
    commit(repo, {"clusters/prod/README.md": "no service dir"}, "notes")
    deploys = (await make(repo, tmp_path, paths=["clusters/{environment}/{service}/**"]).fetch()).items
    assert sorted((d.service, d.environment) for d in deploys) == [("cart", "staging"), ("checkout", "prod")]


async def test_globs_and_fixed_environment(repo, tmp_path):
    commit(repo, {"apps/web/prod/deploy.yaml": "1", "apps/web/dev/deploy.yaml": "1"}, "web")
    deploys = (await make(repo, tmp_path, paths=["apps/*/prod/**"], environment="production").fetch()).items
    assert [(d.service, d.environment) for d in deploys] == [("web", "production")]


async def test_several_branches_are_environments(repo, tmp_path):
    commit(repo, {"apps/api/a.yaml": "1"}, "api on main")
    git(repo, "branch", "production")
    commit(repo, {"apps/api/a.yaml": "2"}, "api staging only")
    deploys = (await make(repo, tmp_path, branches=["main", "production"], paths=["apps"]).fetch()).items
    assert sorted((d.description, d.environment) for d in deploys) == [
        ("api on main", "main"), ("api on main", "production"), ("api staging only", "main")]


async def test_default_watches_everything_on_the_checked_out_branch(repo, tmp_path):
    git(repo, "checkout", "-q", "-b", "live")
    commit(repo, {"payments/values.yaml": "1", "TOPLEVEL.md": "x"}, "payments")
    deploys = (await make(repo, tmp_path).fetch()).items
    assert {(d.service, d.environment) for d in deploys} == {("payments", "live"), ("apps", "live")}


async def test_max_commits_bounds_the_history_read(repo, tmp_path):
    shas = [commit(repo, {"apps/api/a.yaml": str(i)}, f"release {i}") for i in range(5)]
    deploys = (await make(repo, tmp_path, paths=["apps"], max_commits=3).fetch()).items
    assert [d.version for d in deploys] == [s[:7] for s in reversed(shas[-3:])]


async def test_a_hostile_subject_cannot_forge_a_commit(repo, tmp_path):
    forged = "x\x1e" + "f" * 40 + "\x1fMallory\x1f2030-01-01T00:00:00+00:00\x1fforged"
    commit(repo, {"apps/api/a.yaml": "1"}, forged)
    deploys = (await make(repo, tmp_path, paths=["apps"]).fetch()).items
    assert len(deploys) == 1 and deploys[0].author == "Ada Lovelace" and deploys[0].description.startswith("x\x1e")


async def test_relative_path_from_the_config_directory(repo, tmp_path):
    commit(repo, {"apps/api/a.yaml": "1"}, "api")
    source = GitSource("g", GitSource.Options(path="gitops", paths=["apps"]),
                       SourceContext(cache_dir=tmp_path, config_dir=repo.parent))
    assert [d.service for d in (await source.fetch()).items] == ["api"]


async def test_errors_are_one_line(repo, tmp_path):
    with pytest.raises(SourceUnreachable, match="no such directory"):
        await make(tmp_path / "missing", tmp_path).fetch()
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(SourceBadResponse) as not_repo:
        await make(plain, tmp_path, branches=["main"]).fetch()
    with pytest.raises(SourceBadResponse) as no_branch:
        await make(repo, tmp_path, branches=["no-such-branch"]).fetch()
    for caught in (not_repo, no_branch):
        assert "\n" not in caught.value.message and caught.value.message.startswith("git log")
    target = tmp_path / "written"
    with pytest.raises(SourceBadResponse):
        await make(repo, tmp_path, branches=[f"--output={target}"]).fetch()  # never taken as an option
    assert not target.exists()
