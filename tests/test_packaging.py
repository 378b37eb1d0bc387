"""The wheel installs one top-level package, ``cockpit``, and lives beside unrelated packages.

The repository keeps sources/, widgets/ and themes/ at the top; setuptools' ``package-dir``
installs them as cockpit.sources, cockpit.widgets and cockpit.themes. Before, the wheel installed
four top-level packages: an unrelated ``themes`` from PyPI then shadowed ours (``cockpit --demo``
crashed) and uninstalling it deleted our files. These tests build the wheel offline (no build
isolation), install it in a fresh venv that borrows this venv's dependencies, and try that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
UNRELATED = ("themes", "sources", "widgets")
"""Top-level names of unrelated PyPI packages that cockpit's folders used to collide with."""


def _run(*args: str | Path, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_the_package_list_covers_every_package_folder():
    """A new subpackage left out of pyproject's list would be missing from the wheel."""
    listed = set(SETUPTOOLS["packages"])
    folders = {"cockpit": "cockpit", **SETUPTOOLS["package-dir"]}
    found = set()
    for package, folder in folders.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *rel.parts]))
    assert found == listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The cockpit wheel, built offline from a copy of the tree (the checkout stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree = tmp / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in {"cockpit", *SETUPTOOLS["package-dir"].values()}:
        shutil.copytree(ROOT / folder, tree / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    result = _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                  "--wheel-dir", tmp / "dist", tree, cwd=tmp)
    assert result.returncode == 0, result.stderr
    [built] = (tmp / "dist").glob("cockpit-*.whl")
    return built


def _wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        record = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
        return [line.split(",")[0] for line in zf.read(record).decode().splitlines() if line]


def test_the_wheel_installs_one_top_level_package(wheel):
    files = _wheel_files(wheel)
    tops = {path.split("/")[0] for path in files if ".dist-info/" not in path}
    assert tops == {"cockpit"}
    for data in ("cockpit/themes/cockpit.tcss", "cockpit/sources/__init__.py", "cockpit/widgets/panel.py"):
        assert data in files
    assert any(path.startswith("cockpit/sources/demo_runbooks/") and path.endswith(".md") for path in files)
    with zipfile.ZipFile(wheel) as zf:
        top_level = next((n for n in zf.namelist() if n.endswith(".dist-info/top_level.txt")), None)
        if top_level is not None:
            assert zf.read(top_level).decode().split() == ["cockpit"]


UNRELATED_PYPROJECT = """
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "unrelated-folders"
version = "1.0"

[tool.setuptools]
packages = ["themes", "sources", "widgets"]
"""

DEMO_IMPORTS = """
import cockpit.cli, cockpit.ui.app, cockpit.ui.tui, cockpit.sources.demo
from cockpit.themes import STYLESHEET, THEMES
from cockpit.sources import DEMO_RUNBOOKS_DIR
import pathlib, sys
assert pathlib.Path(STYLESHEET).is_file() and THEMES, "the stylesheet"
assert any(pathlib.Path(DEMO_RUNBOOKS_DIR).glob("*.md")), "the demo runbooks"
print(cockpit.ui.app.__file__)
"""


def _venv(tmp: Path) -> Path:
    """A fresh venv (no pip of its own) that sees this venv's packages but not its editable
    cockpit: a .pth line adds this site-packages without running its .pth hooks."""
    venv = tmp / "venv"
    result = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    assert result.returncode == 0, result.stderr
    python = venv / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                        cwd=tmp).stdout.strip())
    (purelib / "zz-borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _works(python: Path, cwd: Path) -> None:
    """The demo's imports resolve to the installed wheel, and ``cockpit snapshot --demo`` runs."""
    imports = _run(python, "-c", DEMO_IMPORTS, cwd=cwd)
    assert imports.returncode == 0, imports.stderr
    assert str(python.parent.parent) in imports.stdout  # the wheel's copy, not the checkout's
    snapshot = _run(python.parent / "cockpit", "snapshot", "--demo", "--format", "json", cwd=cwd)
    assert snapshot.returncode == 0, snapshot.stderr
    assert '"alerts"' in snapshot.stdout


def test_unrelated_themes_sources_widgets_packages_come_and_go_beside_cockpit(wheel, tmp_path, monkeypatch):
    python = _venv(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("COCKPIT_CACHE_DIR", str(tmp_path / "cache"))  # _run passes it on
    monkeypatch.setenv("COCKPIT_STATE_DIR", str(tmp_path / "state"))
    pip = (python, "-m", "pip", "--quiet")
    result = _run(*pip, "install", "--no-deps", "--no-index", wheel, cwd=work)
    assert result.returncode == 0, result.stderr
    installed = [path for path in _wheel_files(wheel) if ".dist-info/" not in path]
    _works(python, work)

    unrelated = tmp_path / "unrelated"
    for name in UNRELATED:
        (unrelated / name).mkdir(parents=True)
        (unrelated / name / "__init__.py").write_text(f'NAME = "unrelated {name}"\n')
    (unrelated / "pyproject.toml").write_text(UNRELATED_PYPROJECT)
    result = _run(*pip, "install", "--no-deps", "--no-build-isolation", unrelated, cwd=work)
    assert result.returncode == 0, result.stderr
    beside = _run(python, "-c", "import themes, sources, widgets; print(themes.NAME, sources.NAME, widgets.NAME)",
                  cwd=work)
    assert beside.stdout.split() == ["unrelated", "themes", "unrelated", "sources", "unrelated", "widgets"]
    _works(python, work)

    result = _run(*pip, "uninstall", "--yes", "unrelated-folders", cwd=work)
    assert result.returncode == 0, result.stderr
    site = python.parent.parent / "lib"
    missing = [path for path in installed if not any(site.glob(f"python3*/site-packages/{path}"))]
    assert missing == []  # removing the other package removed none of cockpit's files
    _works(python, work)
