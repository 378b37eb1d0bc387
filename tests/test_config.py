"""Config lookup order and the one clear error for a bad file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.engine.config import ConfigError, load_config

GOOD = """
[cockpit]
read_only = true
theme = "light"

[[sources]]
name = "am-prod"
type = "alertmanager"
urls = ["http://127.0.0.1:9093", "http://127.0.0.1:9094"]
interval = "15s"
timeout = "5s"
"""


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_config_is_read_with_adapter_options(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.cockpit.read_only is True and config.cockpit.theme == "light"
    (entry,) = config.sources
    assert entry.name == "am-prod" and entry.type == "alertmanager"
    assert entry.options.interval == 15.0 and entry.options.timeout == 5.0
    assert entry.options.endpoints == ["http://127.0.0.1:9093", "http://127.0.0.1:9094"]


def test_lookup_order_flag_then_env_then_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "cockpit").mkdir(parents=True)
    write(xdg / "cockpit", '[cockpit]\ntheme = "mono"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert load_config().cockpit.theme == "mono"
    env_file = write(tmp_path, '[cockpit]\ntheme = "light"\n', "env.toml")
    monkeypatch.setenv("COCKPIT_CONFIG", str(env_file))
    assert load_config().cockpit.theme == "light"
    flag_file = write(tmp_path, '[cockpit]\ntheme = "high-contrast"\n', "flag.toml")
    assert load_config(flag_file).cockpit.theme == "high-contrast"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCKPIT_THEME", "mono")
    monkeypatch.setenv("COCKPIT_READ_ONLY", "false")
    config = load_config(write(tmp_path, GOOD))
    assert config.cockpit.theme == "mono" and config.cockpit.read_only is False


def test_any_cockpit_key_comes_from_the_environment_a_list_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCKPIT_ALERT_GROUP_BY", '["service"]')
    monkeypatch.setenv("cockpit_user", "grace")  # the variable's case does not matter
    monkeypatch.setenv("COCKPIT_ACK_DURATION", "2h")
    monkeypatch.setenv("COCKPIT_CACHE_DIR", str(tmp_path / "cache"))  # a path, not a [cockpit] key: ignored here
    section = load_config(write(tmp_path, '[cockpit]\nalert_group_by = ["severity"]\nuser = "ada"\n')).cockpit
    assert (section.alert_group_by, section.user, section.ack_duration) == (["service"], "grace", 7200.0)


def test_a_list_variable_that_is_not_json_is_refused_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCKPIT_ALERT_GROUP_BY", "service,severity")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD))
    assert caught.value.message.startswith("environment variable COCKPIT_ALERT_GROUP_BY='service,severity': expected a JSON list")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[cockpit]\ntheme = "Purple Haze"\n', "key 'cockpit.theme'"),
        ('[cockpit]\nread_onyl = true\n', "key 'cockpit.read_onyl': unknown key"),
        ('[[sources]]\nname = "x"\ntype = "nosuch"\n', "unknown source type 'nosuch'"),
        ('[[sources]]\nname = "am"\ntype = "alertmanager"\nurls = "http://a"\n', "key 'sources[0].urls' (am)"),
        ('[[sources]]\nname = "am"\ntype = "alertmanager"\nintervall = "5s"\n', "key 'sources[0].intervall' (am): unknown key"),
        ('[[sources]]\nname = "am"\ntype = "alertmanager"\ninterval = "soon"\n', "expected a duration"),
        ('[[sources]]\ntype = "alertmanager"\n', "key 'sources[0].name'"),
        ('[[sources]]\nname = "a"\ntype = "demo"\n[[sources]]\nname = "a"\ntype = "demo"\n', "used twice"),
        ("[cockpit\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in caught.value.message
    assert expected in caught.value.message


def test_missing_file_is_an_error_unless_demo(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no config file"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="--demo"):
        load_config()
    assert [s.type for s in load_config(demo=True).sources] == ["demo", "runbooks"]


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path, run_cli) -> None:
    path = write(tmp_path, '[[sources]]\nname = "am"\ntype = "alertmanager"\ntimeout = []\n')
    for command in (["snapshot"], ["check"], []):
        result = run_cli(*command, "--config", str(path))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert str(path) in result.stderr and "sources[0].timeout" in result.stderr


def test_cli_bad_usage_exits_2(run_cli) -> None:
    assert run_cli("snapshot", "--format", "yaml").returncode == 2
    assert run_cli("--no-such-flag").returncode == 2


def test_version(run_cli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("cockpit ")


def test_cli_bad_key_binding_exits_2_naming_it(tmp_path: Path, run_cli) -> None:
    path = write(tmp_path, '[keys]\nhelp = "f1"\nfrobnicate = "x"\n')
    result = run_cli("--config", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "key 'keys.frobnicate': unknown binding" in result.stderr


def test_low_bandwidth_defaults_on_over_ssh_once_for_the_session():
    from cockpit.engine.config import CockpitSection, resolve_session

    ssh = {"SSH_CONNECTION": "10.0.0.1 50000 10.0.0.2 22"}
    assert resolve_session(CockpitSection(), ssh).low_bandwidth is True
    assert resolve_session(CockpitSection(), {}).low_bandwidth is False
    assert resolve_session(CockpitSection(low_bandwidth=False), ssh).low_bandwidth is False  # the file wins
    assert resolve_session(CockpitSection(low_bandwidth=True), {}).low_bandwidth is True


def _without_cockpit_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("COCKPIT_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("table", [
    {},
    {"read_only": True, "theme": "light", "ack_duration": "2h", "silence_ending_soon": 600},
    {"alert_group_by": ["service"], "notify_cooldown": "90s", "low_bandwidth": False, "user": "ada"},
])
def test_the_file_alone_reads_as_pydantic_settings_reads_it(table: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a COCKPIT_<KEY> variable the table is validated without pydantic-settings: the
    same section, field for field, as pydantic-settings makes of it."""
    from cockpit.engine.config import CockpitSection
    from cockpit.engine.config_env import EnvironmentSection

    _without_cockpit_keys(monkeypatch)
    assert CockpitSection(**table).model_dump() == EnvironmentSection(**table).model_dump()


@pytest.mark.parametrize("table", [{"theme": "Purple Haze"}, {"notify_cooldown": "soon"}, {"read_onyl": True}])
def test_the_file_alone_is_refused_as_pydantic_settings_refuses_it(table: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from cockpit.engine.config import CockpitSection
    from cockpit.engine.config_env import EnvironmentSection

    _without_cockpit_keys(monkeypatch)
    with pytest.raises(ValidationError) as plain:
        CockpitSection(**table)
    with pytest.raises(ValidationError) as with_env:
        EnvironmentSection(**table)

    def described(exc: ValidationError) -> list[tuple]:
        return [(e["type"], e["loc"], e["msg"]) for e in exc.errors(include_url=False)]

    assert described(plain.value) == described(with_env.value)


def test_only_a_cockpit_key_in_the_environment_brings_pydantic_settings(tmp_path: Path) -> None:
    """pydantic-settings is imported (about 12 ms before the first frame) only when a
    COCKPIT_<KEY> variable names a key of [cockpit]; COCKPIT_CACHE_DIR and the like do not."""
    config = write(tmp_path, GOOD)
    probe = ("import sys; from cockpit.engine.config import load_config; "
             f"c = load_config({str(config)!r}); print(c.cockpit.theme, 'pydantic_settings' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("COCKPIT_")}
    env["COCKPIT_CACHE_DIR"] = str(tmp_path / "cache")

    def run(**extra: str) -> str:
        done = subprocess.run([sys.executable, "-c", probe], env={**env, **extra}, capture_output=True, text=True,
                              timeout=60, check=True)
        return done.stdout.strip()

    assert run() == "light False"
    assert run(cockpit_theme="mono") == "mono True"


def test_settings_in_environment_names_only_keys_of_the_section() -> None:
    from cockpit.engine.config import settings_in_environment

    assert not settings_in_environment({"COCKPIT_CACHE_DIR": "/c", "COCKPIT_CONFIG": "/x", "THEME": "mono"})
    assert settings_in_environment({"COCKPIT_THEME": "mono"})
    assert settings_in_environment({"Cockpit_Read_Only": "1"})
