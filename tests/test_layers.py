"""The import contracts (pyproject ``[tool.importlinter]``) catch what they are meant to catch.

``make test`` runs ``scripts/lint_imports.py`` on the real tree; here the same script lays the
package out in a temp dir with one bad import added, and ``lint-imports`` must refuse it. A
contract that cannot fail would let the layers rot unseen (the mapped folders sources/,
widgets/ and themes/ are invisible to import-linter on the repository itself).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("lint_imports", ROOT / "scripts" / "lint_imports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    tree = _script().lay_out(tmp_path)
    target = tree / module
    text = target.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    target.write_text(head + sep + bad_import + "  # deliberate\n" + rest if sep else bad_import + "\n" + text,
                      encoding="utf-8")
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN") or " BROKEN (" in line]
    assert any(line.startswith(contract) for line in broken), result.stdout


def test_the_tree_as_laid_out_keeps_every_contract(tmp_path):
    result = _lint(_script().lay_out(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout
