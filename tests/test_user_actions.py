"""[[actions]]: templates checked at config load, one argument per element, hostile values refused,
commands run without a shell under a timeout, URLs percent-encoded."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cockpit.core.models import Alert, Deploy
from cockpit.engine.config import ConfigError, load_config
from cockpit.engine.user_actions import ActionError, ActionSpec, render_command, render_url, run_command

PY = sys.executable
ARGV_DUMP = "import json, sys; print(json.dumps(sys.argv[1:]))"


def alert(**labels: str) -> Alert:
    return Alert(source="am", fingerprint="fp1", name="PodCrash", labels={"alertname": "PodCrash", **labels},
                 annotations={"summary": "pod restarts"})


def spec(**kwargs) -> ActionSpec:
    kwargs.setdefault("name", "dump")
    kwargs.setdefault("key", "L")
    kwargs.setdefault("scope", "alert")
    return ActionSpec(**kwargs)


def write_config(tmp_path: Path, actions: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[[sources]]\nname = "demo"\ntype = "demo"\n\n' + actions)
    return path


async def test_each_template_element_is_exactly_one_argument_whatever_the_label_holds(tmp_path) -> None:
    hostile = alert(namespace="shop; rm -rf / #", pod="a b $(id) `id` 'q' \"d\" * ?")
    action = spec(command=[PY, "-c", ARGV_DUMP, "-n", "{labels.namespace}", "logs", "{labels.pod}", "pre-{labels.pod}"])
    argv = render_command(action, hostile)
    result = await run_command(argv, 10)
    import json

    assert json.loads(result.output) == ["-n", "shop; rm -rf / #", "logs", "a b $(id) `id` 'q' \"d\" * ?",
                                         "pre-a b $(id) `id` 'q' \"d\" * ?"]
    assert result.exit_status == 0 and not result.timed_out


@pytest.mark.parametrize("pod", ["--kubeconfig=/tmp/evil", "-oyaml"])
def test_a_value_that_would_become_an_option_is_refused(pod) -> None:
    action = spec(command=["kubectl", "logs", "{labels.pod}"])
    with pytest.raises(ActionError, match="option"):
        render_command(action, alert(pod=pod))
    # the same value inside an argument that is already an option is fine
    assert render_command(spec(command=["kubectl", "--selector={labels.pod}"]), alert(pod=pod)) == [
        "kubectl", f"--selector={pod}"]


@pytest.mark.parametrize("value", ["line\nsecond", "esc\x1b]52;c;aGk=\x07", "nul\x00byte", "bell\x07"])
def test_a_value_with_control_characters_never_reaches_a_command(value) -> None:
    with pytest.raises(ActionError, match="control character"):
        render_command(spec(command=["echo", "{labels.pod}"]), alert(pod=value))


def test_a_missing_label_is_said_not_substituted_empty() -> None:
    with pytest.raises(ActionError, match="no label 'pod'"):
        render_command(spec(command=["echo", "{labels.pod}"]), alert())


def test_url_values_are_percent_encoded_and_cannot_change_the_host() -> None:
    action = spec(url="https://grafana.example/d/abc?var-service={service}&ns={labels.namespace}")
    url = render_url(action, alert(service="a&b=c#frag", namespace="x/../../y@evil.example"))
    assert url == "https://grafana.example/d/abc?var-service=a%26b%3Dc%23frag&ns=x%2F..%2F..%2Fy%40evil.example"


async def test_output_escape_sequences_are_made_inert() -> None:
    result = await run_command([PY, "-c", "print('\\x1b]52;c;aGVsbG8=\\x07owned\\x1b[2J done')"], 10)
    assert "\x1b" not in result.output and "owned" in result.output and "done" in result.output


async def test_a_command_past_its_timeout_is_killed() -> None:
    result = await run_command([PY, "-c", "import time; print('started', flush=True); time.sleep(30)"], 0.5)
    assert result.timed_out and result.exit_status is None and "started" in result.output


async def test_a_missing_program_is_reported_not_raised() -> None:
    result = await run_command(["/nonexistent/tool", "x"], 5)
    assert result.exit_status is None and "cannot start" in result.output


def test_deploy_scope_has_its_own_placeholders() -> None:
    deploy = Deploy(source="argocd", service="checkout", environment="prod", version="v2")
    action = spec(scope="deploy", command=["argocd", "app", "history", "{service}-{environment}"])
    assert render_command(action, deploy) == ["argocd", "app", "history", "checkout-prod"]


@pytest.mark.parametrize(
    ("table", "key", "expect"),
    [
        ('command = ["echo", "{labels}"]', "actions[0].command", "unknown placeholder {labels}"),
        ('command = ["echo", "{lables.pod}"]', "actions[0].command", "unknown placeholder {lables.pod}"),
        ('command = ["echo", "{labels.pod"]', "actions[0].command", "stray '{'"),
        ('command = ["{labels.tool}", "x"]', "actions[0].command", "program must not come from a placeholder"),
        ('url = "file:///etc/passwd"', "actions[0].url", "http"),
        ('url = "https://x/{environment}"', "actions[0].url", "unknown placeholder {environment}"),
        ('command = ["echo"]\nurl = "https://x/"', "actions[0]", "either command"),
        ('command = ["echo"]\nshell = true', "actions[0].shell", "unknown key"),
    ],
)
def test_a_bad_action_is_refused_at_config_load_naming_the_key(tmp_path, table, key, expect) -> None:
    path = write_config(tmp_path, f'[[actions]]\nname = "x"\nkey = "L"\nscope = "alert"\n{table}\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert f"'{key}" in info.value.message and expect in info.value.message
    assert str(path) in info.value.message


def test_actions_load_from_the_config(tmp_path) -> None:
    path = write_config(tmp_path, '[[actions]]\nname = "pod logs"\nkey = "L"\nscope = "alert"\n'
                                  'command = ["kubectl", "-n", "{labels.namespace}", "logs", "{labels.pod}"]\n'
                                  'writes = false\ntimeout = "20s"\n')
    [action] = load_config(path).actions
    assert (action.name, action.key, action.scope, action.timeout) == ("pod logs", "L", "alert", 20.0)
