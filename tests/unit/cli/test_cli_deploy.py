"""`deploy --wait`: progress lines, exit codes, --json; deployment and command listings."""

from __future__ import annotations

import json

import pytest
from cli_harness import Invoke, make_runtime
from fake_api import FakeApi
from rich.console import Console
from typer.testing import CliRunner

from stackworks.cli.main import app


@pytest.fixture
def online(api: FakeApi) -> FakeApi:
    api.add_instance("shop", "web1", ["web"], "online")
    api.add_instance("shop", "web2", ["web"], "online")
    return api


def test_successful_deployment_with_wait_exits_0(cli: Invoke, online: FakeApi) -> None:
    result = cli("deploy", "shop", "--command", "deploy", "--app", "site", "--wait")
    assert result.exit_code == 0, result.output
    assert "web1: deploy running" in result.stdout
    assert "web2: deploy successful (exit 0)" in result.stdout
    assert result.stdout.splitlines()[-1] == "Deployment dp-1 successful in 2.5s."


def test_failed_deployment_with_wait_exits_1_and_names_instances(
    cli: Invoke, online: FakeApi
) -> None:
    online.deployment_outcome = "failed"
    result = cli("deploy", "shop", "--command", "deploy", "--app", "site", "--wait")
    assert result.exit_code == 1
    assert "web1: deploy failed (exit 3)" in result.stdout
    assert "deployment dp-1 failed on web1, web2" in result.stderr
    assert "stackworks deployment show shop dp-1 --logs" in result.stderr


def test_wait_json_prints_only_the_final_deployment(cli: Invoke, online: FakeApi) -> None:
    online.deployment_outcome = "failed"
    result = cli(
        "deploy", "shop", "--command", "restart", "--instances", "web1", "--wait", "--json"
    )
    assert result.exit_code == 1
    final = json.loads(result.stdout)
    assert final["status"] == "failed"
    assert [c["instance"] for c in final["commands"]] == ["web1"]


def test_deploy_sends_the_options_as_a_deployment(cli: Invoke, online: FakeApi) -> None:
    result = cli(
        "deploy", "shop", "--command", "execute_recipes", "--layers", "web",
        "--args", '{"recipes": ["tools::clean"]}', "--custom-json", '{"x": 1}',
        "--comment", "nightly",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert online.sent("POST")[-1][2] == {
        "command": {"name": "execute_recipes", "args": {"recipes": ["tools::clean"]}},
        "app": None,
        "instances": [],
        "layers": ["web"],
        "custom_json": {"x": 1},
        "comment": "nightly",
        "rolling": None,
    }
    assert result.stdout.startswith("Deployment dp-1: execute_recipes on web1, web2.")


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--command", "deploy"], "--app is required for deploy"),
        (["--command", "launch"], "--command: unknown command 'launch'"),
        (["--command", "shutdown"], "lifecycle only"),
        (["--command", "restart", "--instances", "a", "--layers", "b"], "not both"),
        (["--command", "restart", "--args", "{oops"], "--args: invalid JSON at line 1 column 2"),
    ],
)
def test_bad_deploy_options_exit_2_and_send_nothing(
    cli: Invoke, online: FakeApi, args: list[str], complaint: str
) -> None:
    result = cli("deploy", "shop", *args)
    assert result.exit_code == 2
    assert complaint in result.stderr
    assert online.requests == []


def test_deployment_show_logs_prints_each_commands_log(cli: Invoke, online: FakeApi) -> None:
    online.deployment_outcome = "failed"
    cli("deploy", "shop", "--command", "restart", "--wait")
    result = cli("deployment", "show", "shop", "dp-1", "--logs")
    assert result.exit_code == 0, result.output
    assert "--- web1: restart log" in result.stdout
    assert "Traceback: boom" in result.stdout


def test_command_list_json_filters_by_instance(cli: Invoke, online: FakeApi) -> None:
    cli("deploy", "shop", "--command", "restart", "--wait")
    result = cli("command", "list", "shop", "--instance", "web2", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(c["instance"], c["type"], c["exit_code"]) for c in rows] == [("web2", "restart", 0)]
    table = cli("command", "list", "shop")
    assert "web1" in table.stdout and "successful" in table.stdout


def test_command_show_logs_prints_the_log(cli: Invoke, online: FakeApi) -> None:
    online.deployment_outcome = "failed"
    cli("deploy", "shop", "--command", "restart", "--wait")
    result = cli("command", "show", "shop", "cm-1-web2", "--logs")
    assert result.exit_code == 0, result.output
    assert "Traceback: boom" in result.stdout
    missing = cli("command", "show", "shop", "cm-9")
    assert missing.exit_code == 1
    assert "command 'cm-9' not found" in missing.stderr


def test_on_a_terminal_wait_draws_a_live_table(online: FakeApi) -> None:
    runtime = make_runtime(online)
    runtime.console = Console(width=120, force_terminal=True, color_system=None)
    args = ["deploy", "shop", "--command", "restart", "--wait"]
    result = CliRunner().invoke(app, args, obj=runtime)
    assert result.exit_code == 0, result.output
    assert "deployment dp-1: restart (successful)" in result.stdout
    assert "web1: restart running" not in result.stdout  # a table, not plain lines


def test_rolling_is_sent_only_when_asked_for_either_way(cli: Invoke, online: FakeApi) -> None:
    for flag, expected in (("--rolling", True), ("--all-at-once", False)):
        result = cli("deploy", "shop", "--command", "restart", flag)
        assert result.exit_code == 0, result.output
        assert online.sent("POST")[-1][2]["rolling"] is expected
