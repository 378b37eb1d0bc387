"""Every package the installed code imports directly is declared in pyproject.toml, so that a
dependency dropping one of its own dependencies cannot break cockpit."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("cockpit", "sources", "widgets", "themes")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_levels() -> dict[str, str]:
    """Top-level module name -> one file importing it, over the installed package's code."""
    found: dict[str, str] = {}
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_directly_imported_package_is_a_declared_dependency():
    declared = {
        _normal(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0])
        for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    owners = packages_distributions()
    missing = []
    for module, where in sorted(imported_top_levels().items()):
        if module in sys.stdlib_module_names or module == "cockpit":
            continue
        dists = {_normal(d) for d in owners.get(module, [module])}
        if not dists & declared:
            missing.append(f"{module} (imported in {where}; distribution {', '.join(sorted(dists))})")
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)
