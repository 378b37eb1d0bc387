"""Run import-linter's ``lint-imports`` on the package as it installs (``make test`` runs it).

The repository keeps cockpit.sources, cockpit.widgets and cockpit.themes in the top-level
folders sources/, widgets/ and themes/ (setuptools ``package-dir``). import-linter finds modules
by walking the package's folder, so on the repository (or an editable install) it would not see
those three at all and every contract about them would pass without looking. This script lays
the package out as the wheel does, in a temporary folder (the mapping is read from
pyproject.toml), and runs ``lint-imports`` there with the repository's contracts. Exit status:
that of ``lint-imports`` (non-zero when a contract is broken).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lay_out(target: Path, root: Path = ROOT) -> Path:
    """Copy the ``cockpit`` package into ``target`` with each package-dir folder in its place."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    package_dir: dict[str, str] = config["tool"]["setuptools"].get("package-dir", {})
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(root / "cockpit", target / "cockpit", ignore=ignore)
    for package, folder in package_dir.items():
        shutil.copytree(root / folder, target.joinpath(*package.split(".")), ignore=ignore)
    return target


def main(argv: list[str]) -> int:
    lint = Path(sys.executable).with_name("lint-imports")
    with tempfile.TemporaryDirectory(prefix="cockpit-lint-imports-") as tmp:
        lay_out(Path(tmp))
        env = {**os.environ, "PYTHONPATH": tmp}
        command = [str(lint), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml"), *argv]
        return subprocess.call(command, cwd=tmp, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
