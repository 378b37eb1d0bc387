"""A third-party source, installed as its own package, is found through the entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN_PYPROJECT = """
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "cockpit-source-weather"
version = "0.0.1"

[project.entry-points."cockpit.sources"]
weather = "cockpit_weather:WeatherSource"
"""

PLUGIN_MODULE = '''
from cockpit.core.models import Alert, FetchResult, SourceKind
from cockpit.sources.base import Source, SourceOptions


class WeatherSource(Source):
    """Raises an alert when it is stormy (out-of-tree test plugin)."""

    kind = SourceKind.ALERTS

    class Options(SourceOptions):
        city: str
        """Where to look."""

    async def fetch(self) -> FetchResult:
        return FetchResult(items=[Alert(source=self.name, fingerprint="w1", name=f"Storm in {self.options.city}",
                                        severity="warning")])
'''


def test_out_of_tree_source_is_installed_and_used(tmp_path: Path, run_cli) -> None:
    project = tmp_path / "plugin"
    project.mkdir()
    (project / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (project / "cockpit_weather.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(project)],
        check=True, capture_output=True, timeout=120,
    )
    config = tmp_path / "config.toml"
    config.write_text('[[sources]]\nname = "sky"\ntype = "weather"\ncity = "Lyon"\n')
    env = {"PYTHONPATH": str(target) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = run_cli("snapshot", "--config", str(config), "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sources"][0]["type"] == "weather"
    assert [a["name"] for a in data["alerts"]] == ["Storm in Lyon"]
    # Its Options are validated like a built-in's: a typo names the key.
    config.write_text('[[sources]]\nname = "sky"\ntype = "weather"\ncitty = "Lyon"\n')
    bad = run_cli("check", "--config", str(config), env=env)
    assert bad.returncode == 2 and "sources[0].citty" in bad.stderr
