"""The command line a user expects: global options anywhere, one --format, config init/show,
completion scripts, and a --help that ends with files, environment and exit status."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.cli import build_parser
from cockpit.commands.common import GlobalFlags, flags
from cockpit.engine.config import load_config
from cockpit.engine.registry import UnknownSourceType, load_source_class

GLOBALS = ["--config", "c.toml", "--demo", "--read-only", "--theme", "nord", "--low-bandwidth", "--log-level", "info"]
EXPECTED = GlobalFlags(config="c.toml", demo=True, read_only=True, theme="nord", low_bandwidth=True, log_level="info")


def leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every runnable command path, found in the parser itself (a new subcommand is covered too)."""
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += leaf_commands(child, prefix + (name,))
    return found


# Positional arguments a command needs to parse at all.
REQUIRED = {("runbooks", "search"): ["disk"], ("triage", "export"): ["abc"], ("handoff", "write"): ["note"],
            ("completion",): ["bash"]}

COMMANDS = leaf_commands(build_parser())


def test_the_table_covers_every_subcommand():
    names = {path[0] for path in COMMANDS if path}
    assert {"snapshot", "check", "runbooks", "report", "triage", "handoff", "config", "completion"} <= names
    assert ("config", "init") in COMMANDS and ("config", "show") in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda path: " ".join(path) or "(tui)")
def test_global_options_mean_the_same_before_and_after_the_subcommand(command):
    rest = list(command) + REQUIRED.get(command, [])
    before = build_parser().parse_args(GLOBALS + rest)
    after = build_parser().parse_args(rest + GLOBALS)
    assert flags(before) == EXPECTED
    assert flags(after) == EXPECTED
    # and none given: nothing set
    assert flags(build_parser().parse_args(rest)) == GlobalFlags()


def write_config(directory: Path, text: str, name: str = "c.toml") -> Path:
    path = directory / name
    path.write_text(text)
    path.chmod(0o600)
    return path


DEMO_TOML = '[[sources]]\nname = "d"\ntype = "demo"\n'


@pytest.mark.parametrize("args", [["--config", "{c}", "check"], ["check", "--config", "{c}"]])
def test_config_before_or_after_check_is_used(run_cli, tmp_path, args):
    config = write_config(tmp_path, DEMO_TOML)
    result = run_cli(*[a.format(c=config) for a in args])
    assert result.returncode == 0, result.stderr
    assert f"config {config}: ok, 1 source(s)" in result.stdout


@pytest.mark.parametrize("args", [["--demo", "snapshot"], ["snapshot", "--demo"], ["--demo", "report"],
                                  ["--demo", "runbooks", "search", "disk"], ["--demo", "check"]])
def test_demo_before_or_after_the_subcommand_runs(run_cli, args):
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_an_explicit_config_flag_beats_cockpit_config(run_cli, tmp_path):
    config = write_config(tmp_path, DEMO_TOML)
    result = run_cli("--config", str(tmp_path / "nonexistent.toml"), "check", env={"COCKPIT_CONFIG": str(config)})
    assert result.returncode == 2
    assert "nonexistent.toml: no config file there" in result.stderr


def shown(run_cli, *args, env=None) -> dict[str, dict]:
    result = run_cli(*args, "config", "show", "--json", env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["settings"]
    return {f"{r['section']}.{r['key']}": r for r in rows}


def test_flag_beats_environment_beats_file(run_cli, tmp_path):
    config = write_config(tmp_path, '[cockpit]\ntheme = "light"\nread_only = false\n[keys]\nhelp = "f1"\n' + DEMO_TOML)
    base = ("--config", str(config))
    rows = shown(run_cli, *base, env={"COCKPIT_STATE_DIR": str(tmp_path / "st")})
    assert (rows["paths.state_dir"]["value"], rows["paths.state_dir"]["origin"]) == (str(tmp_path / "st"), "env COCKPIT_STATE_DIR")
    assert rows["paths.log_file"]["value"] == str(tmp_path / "st" / "cockpit.log")
    assert (rows["keys.help"]["value"], rows["keys.help"]["origin"]) == ("f1", "file")
    assert (rows["cockpit.theme"]["value"], rows["cockpit.theme"]["origin"]) == ("light", "file")
    assert rows["cockpit.log_level"]["origin"] == "default"
    rows = shown(run_cli, *base, env={"COCKPIT_THEME": "mono", "COCKPIT_READ_ONLY": "true"})
    assert (rows["cockpit.theme"]["value"], rows["cockpit.theme"]["origin"]) == ("mono", "env COCKPIT_THEME")
    assert rows["cockpit.read_only"]["value"] is True
    rows = shown(run_cli, *base, "--theme", "nord", "--log-level", "debug", env={"COCKPIT_THEME": "mono"})
    assert (rows["cockpit.theme"]["value"], rows["cockpit.theme"]["origin"]) == ("nord", "flag --theme")
    assert (rows["cockpit.log_level"]["value"], rows["cockpit.log_level"]["origin"]) == ("debug", "flag --log-level")


def test_config_show_masks_secrets_and_names_origins(run_cli, tmp_path):
    config = write_config(tmp_path, '[[sources]]\nname = "am"\ntype = "alertmanager"\nurl = "http://u:pw0rd@127.0.0.1:9"\n'
                                     'token = "s3cr3t-token"\nheaders = { Authorization = "Basic eHh4" , "X-Scope-OrgID" = "t1" }\n')
    result = run_cli("config", "show", "--config", str(config))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for secret in ("s3cr3t-token", "pw0rd", "eHh4"):
        assert secret not in out
    assert "********" in out and '"t1"' in out
    assert re.search(r'^timeout = 10\.0  # default$', out, re.M)
    assert re.search(r'^type = "alertmanager"  # file$', out, re.M)


def uncomment(text: str) -> str:
    return "\n".join(line[2:] if line.startswith("# ") or line == "#" else line for line in text.splitlines()) + "\n"


def test_config_init_writes_a_private_example_that_loads_once_uncommented_and_never_overwrites(run_cli, tmp_path):
    target = tmp_path / "new" / "config.toml"
    result = run_cli("config", "init", "--path", str(target))
    assert result.returncode == 0, result.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    text = target.read_text()
    assert load_config(target).sources == []  # as written: everything commented out
    live = write_config(tmp_path, uncomment(text), "live.toml")
    config = load_config(live)
    types = {entry.type for entry in config.sources}
    from importlib.metadata import entry_points

    builtin = set()
    for ep in entry_points(group="cockpit.sources"):
        try:
            if load_source_class(ep.name).__module__.startswith("cockpit.sources"):
                builtin.add(ep.name)
        except UnknownSourceType:
            continue
    assert builtin and builtin <= types
    target.write_text("mine\n")
    again = run_cli("config", "init", "--path", str(target))
    assert again.returncode == 1 and "not overwritten" in again.stderr
    assert target.read_text() == "mine\n"


def test_format_json_and_its_alias_agree(run_cli):
    by_flag = run_cli("--demo", "runbooks", "search", "disk", "--format", "json")
    by_alias = run_cli("runbooks", "search", "disk", "--json", "--demo")
    assert by_flag.returncode == by_alias.returncode == 0
    assert json.loads(by_flag.stdout) == json.loads(by_alias.stdout) and json.loads(by_flag.stdout)
    markdown = run_cli("--demo", "runbooks", "search", "disk", "--format", "markdown")
    assert markdown.stdout.startswith("| score | path | title | snippet |")


@pytest.mark.parametrize("command", [["handoff", "list"], ["triage", "list"], ["check", "--demo"]])
def test_listing_commands_take_format_json(run_cli, command):
    result = run_cli(*command, "--format", "json")
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(run_cli, shell):
    result = run_cli("completion", shell)
    assert result.returncode == 0, result.stderr
    assert "cockpit" in result.stdout and "_ARGCOMPLETE" in result.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_subcommands_and_options(tmp_path):
    bindir = Path(sys.executable).parent
    if not (bindir / "cockpit").exists():
        pytest.skip("the cockpit entry point is not installed beside this python")
    script = ('eval "$(cockpit completion bash)"; COMP_WORDS=(cockpit sn); COMP_CWORD=1; COMP_LINE="cockpit sn"; '
              'COMP_POINT=10; _python_argcomplete cockpit sn cockpit; echo "${COMPREPLY[@]}"; '
              'COMP_WORDS=(cockpit snapshot --for); COMP_CWORD=2; COMP_LINE="cockpit snapshot --for"; COMP_POINT=22; '
              '_python_argcomplete cockpit --for snapshot; echo "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH=f"{bindir}:{os.environ.get('PATH', '')}")
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60).stdout.split("\n")
    assert out[0].split() == ["snapshot"]
    assert "--format" in out[1].split()


@pytest.mark.parametrize("args", [["--help"], ["snapshot", "--help"], ["config", "init", "--help"]])
def test_help_ends_with_files_environment_and_exit_status(run_cli, args):
    result = run_cli(*args)
    assert result.returncode == 0
    text = result.stdout
    assert text.index("files:") < text.index("environment:") < text.index("exit status:")
    for word in ("COCKPIT_STATE_DIR", "HTTPS_PROXY", "NO_COLOR", "~/.local/state/cockpit", "2 bad usage or config"):
        assert word in text
    assert "--log-level" in text and "--theme NAME" in text


def test_unknown_theme_is_refused_naming_the_key(run_cli, tmp_path):
    config = write_config(tmp_path, '[cockpit]\ntheme = "purple"\n' + DEMO_TOML)
    result = run_cli("--config", str(config))
    assert result.returncode == 2
    assert "key 'cockpit.theme'" in result.stderr and "nord" in result.stderr
