"""The import contracts (pyproject ``[tool.importlinter]``) catch what they are meant to catch.

``make test`` runs ``lint-imports`` on the checkout itself. There, ``cockpit/sources``,
``cockpit/widgets`` and ``cockpit/themes`` are symbolic links to the top-level folders that
setuptools maps to those packages; without them import-linter, which walks the package's folder,
would not see the three at all and every contract about them would pass without looking. Here a
copy of the package gets one bad import added, and ``lint-imports`` must refuse it: a contract that
cannot fail would let the layers rot unseen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _copy(target: Path) -> Path:
    """The package as it installs, links followed, so a bad import can be added to the copy."""
    shutil.copytree(ROOT / "cockpit", target / "cockpit", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _lint(tree: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
                          cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("module", "bad_import", "contract"), [
    ("cockpit/widgets/slos.py", "from cockpit.engine.config import Config", "Widgets import only"),
    ("cockpit/widgets/slos.py", "import cockpit.sources.base", "Widgets import only"),
    ("cockpit/ui/screens/help.py", "from cockpit.engine.cache import CacheStore", "UI reaches the engine"),
    ("cockpit/ui/screens/help.py", "from cockpit.sources.base import Source", "UI reaches the engine"),
    ("cockpit/core/models.py", "import httpx", "Core: no Textual"),
    ("cockpit/sources/http.py", "from cockpit.engine.poller import Poller", "Layers"),
    ("cockpit/engine/cache.py", "from textual.app import App", "Sources and engine run headless"),
    ("cockpit/themes/__init__.py", "from cockpit.widgets.panel import Panel", "Layers"),
    # inside a function, as the screens import what they open: counted the same
    ("cockpit/ui/screens/help.py", "def _later():\n    from cockpit.engine.history import History", "UI reaches the engine"),
])
def test_a_bad_import_breaks_its_contract(tmp_path, module, bad_import, contract):
    tree = _copy(tmp_path)
    target = tree / module
    text = target.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    target.write_text(head + sep + bad_import + "  # deliberate\n" + rest if sep else bad_import + "\n" + text,
                      encoding="utf-8")
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN") or " BROKEN (" in line]
    assert any(line.startswith(contract) for line in broken), result.stdout


def test_the_checkout_keeps_every_contract_and_import_linter_sees_the_mapped_packages():
    """``lint-imports`` as ``make test`` runs it, on the checkout: every folder is analysed."""
    for package in ("sources", "widgets", "themes"):
        link = ROOT / "cockpit" / package
        assert link.is_symlink() and link.resolve() == (ROOT / package).resolve(), link
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout
    count = "import grimp; print(len(grimp.build_graph('cockpit', cache_dir=None).modules))"
    graph = subprocess.run([sys.executable, "-c", count], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=120)
    assert int(graph.stdout) == len(_python_files()), graph.stderr


def _python_files() -> list[str]:
    """Every module of the package in the checkout, each once (the links are not followed)."""
    return [os.path.join(folder, name)
            for top in ("cockpit", "sources", "widgets", "themes")
            for folder, _dirs, names in os.walk(ROOT / top)
            for name in names if name.endswith(".py")]
