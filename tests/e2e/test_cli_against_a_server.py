"""The `stackworks` command against a real server process: what a user types and sees."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cluster import ServerProcess


class Cli:
    def __init__(self, server: ServerProcess, home: Path) -> None:
        self.env = {
            **os.environ,
            "STACKWORKS_URL": server.url,
            "STACKWORKS_TOKEN": server.token,
            "STACKWORKS_CONFIG": str(home / "credentials.json"),
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }

    def __call__(
        self, *args: str, token: str | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if token is not None:
            env["STACKWORKS_TOKEN"] = token
        return subprocess.run(
            [sys.executable, "-m", "stackworks", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("e2e") / "d")
    process.start()
    try:
        yield process
    finally:
        process.close()


@pytest.fixture
def cli(server: ServerProcess, tmp_path: Path) -> Cli:
    return Cli(server, tmp_path)


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_a_stack_built_from_the_command_line_lists_as_json(cli: Cli) -> None:
    assert cli("stack", "create", "cli1", "--custom-json", '{"a": {"b": 1}}').returncode == 0
    assert (
        cli(
            "layer",
            "create",
            "cli1",
            "app",
            "--type",
            "python-app",
            "--recipes",
            "setup=extra::one,setup=extra::two",
        ).returncode
        == 0
    )
    created = cli(
        "app",
        "create",
        "cli1",
        "web",
        "--git",
        "file:///srv/web.git",
        "--env",
        "MODE=prod",
        "--secure-env",
        "API_KEY=very-secret-value",
    )
    assert created.returncode == 0, created.stderr
    assert "very-secret-value" not in created.stdout + created.stderr
    assert cli("instance", "create", "cli1", "--layers", "app").returncode == 0
    listed = cli("instance", "list", "cli1", "--json")
    assert listed.returncode == 0
    [instance] = json.loads(listed.stdout)
    assert instance["hostname"] == "app1"
    assert instance["status"] == "stopped"
    assert instance["layers"] == ["app"]
    assert instance["private_ip"].startswith("127.") and instance["private_ip"] != "127.0.0.1"
    layer = json.loads(cli("layer", "show", "cli1", "app", "--json").stdout)
    assert layer["recipes"]["setup"] == ["extra::one", "extra::two"]
    shown = cli("app", "show", "cli1", "web", "--json").stdout
    assert "very-secret-value" not in shown
    audit = cli("audit", "cli1", "--since", "1h", "--json")
    assert audit.returncode == 0, audit.stderr
    assert "very-secret-value" not in audit.stdout
    actions = [(r["action"], r["status"]) for r in json.loads(audit.stdout)]
    assert actions[:2] == [("POST /stacks", 201), ("POST /stacks/{stack}/layers", 201)]
    assert ("POST /stacks/{stack}/apps", 201) in actions
    table = cli("audit", "cli1", "--limit", "1")
    assert table.returncode == 0 and "POST /stacks/{stack}/instances" in table.stdout
    bad = cli("audit", "cli1", "--since", "yesterday")
    assert bad.returncode == 2 and "--since" in bad.stderr
    no_traceback(bad)


def test_bad_input_names_the_field_exits_non_zero_and_creates_nothing(cli: Cli) -> None:
    assert cli("stack", "create", "cli2").returncode == 0
    bad_json = cli("stack", "update", "cli2", "--custom-json", '{"a": ')
    assert bad_json.returncode == 2
    assert "--custom-json" in bad_json.stderr
    bad_recipe = cli("layer", "create", "cli2", "app", "--recipes", "setup=Not A Recipe")
    assert bad_recipe.returncode != 0
    assert "recipes.setup" in bad_recipe.stderr or "recipe" in bad_recipe.stderr
    assert cli("layer", "create", "cli2", "app").returncode == 0
    duplicate = cli("layer", "create", "cli2", "app")
    assert duplicate.returncode == 1
    assert "already has a layer 'app'" in duplicate.stderr
    bad_host = cli("instance", "create", "cli2", "--layers", "app", "--hostname", "-bad")
    assert bad_host.returncode == 1 and "hostname" in bad_host.stderr
    unknown = cli("instance", "show", "cli2", "ghost")
    assert unknown.returncode == 1 and "instance 'ghost' not found" in unknown.stderr
    unknown_stack = cli("layer", "list", "nope")
    assert unknown_stack.returncode == 1 and "stack 'nope' not found" in unknown_stack.stderr
    for result in (bad_json, bad_recipe, duplicate, bad_host, unknown, unknown_stack):
        no_traceback(result)
    assert json.loads(cli("instance", "list", "cli2", "--json").stdout) == []
    layers = json.loads(cli("layer", "list", "cli2", "--json").stdout)
    assert [layer["shortname"] for layer in layers] == ["app"]


def test_apply_then_export_round_trips_and_a_yaml_error_names_the_line(
    cli: Cli, tmp_path: Path
) -> None:
    document = tmp_path / "shop.yaml"
    document.write_text(
        "name: shop\n"
        "custom_json: {haproxy: {port: 8080}}\n"
        "layers:\n"
        "  - {shortname: lb, type: lb}\n"
        "  - {shortname: app, type: python-app}\n"
        "apps:\n"
        "  - shortname: web\n"
        "    source: {url: 'file:///srv/web.git'}\n"
        "instances:\n"
        "  - {hostname: lb1, layers: [lb]}\n"
        "  - {hostname: app1, layers: [app]}\n"
    )
    first = cli("apply", str(document))
    assert first.returncode == 0, first.stderr
    exported = tmp_path / "exported.yaml"
    exported.write_text(cli("export", "shop").stdout)
    again = cli("apply", str(exported), "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["created"] == [] and result["updated"] == []
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: shop\nlayers:\n  - {shortname: lb\n")
    failed = cli("apply", str(broken))
    assert failed.returncode == 2
    assert "broken.yaml:4:" in failed.stderr  # file:line:column
    no_traceback(failed)


def test_a_deploy_token_made_on_the_command_line_can_deploy_but_not_manage(cli: Cli) -> None:
    made = cli("token", "create", "ci-bot", "--role", "deploy", "--json")
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["token"]
    assert cli("stack", "list", "--json", token=token).returncode == 0
    refused = cli("stack", "create", "nope", token=token)
    assert refused.returncode == 1 and "admin token" in refused.stderr
    listed = cli("token", "list", "--json").stdout
    assert token not in listed
    assert cli("token", "delete", "ci-bot").returncode == 0
    assert cli("stack", "list", token=token).returncode == 1


def test_no_token_is_a_clear_refusal(cli: Cli) -> None:
    result = cli("stack", "list", token="swk_wrong")
    assert result.returncode == 1
    assert "invalid API token" in result.stderr
    no_traceback(result)


def test_a_registered_host_comes_online_and_stops_through_its_own_agent(
    cli: Cli, server: ServerProcess, tmp_path: Path
) -> None:
    assert cli("stack", "create", "hosts").returncode == 0
    assert cli("layer", "create", "hosts", "app").returncode == 0
    config = tmp_path / "agent.json"
    issued = cli("instance", "register-token", "hosts", "--expires-in", "10m")
    assert issued.returncode == 0, issued.stderr
    registration_token = issued.stdout.split()[-1]

    def register(hostname: str) -> subprocess.CompletedProcess[str]:
        return cli(
            "agent",
            "register",
            "--server",
            server.url,
            "--stack",
            "hosts",
            "--layers",
            "app",
            "--token",
            registration_token,
            "--hostname",
            hostname,
            "--private-ip",
            "127.77.99.1",
            "--config",
            str(config if hostname == "box1" else tmp_path / "other.json"),
        )

    registered = register("box1")
    assert registered.returncode == 0, registered.stderr
    assert config.stat().st_mode & 0o777 == 0o600
    assert json.loads(config.read_text())["credential"] not in registered.stdout
    again = register("box2")
    assert again.returncode == 1
    assert "refused the registration token" in again.stderr
    assert "already used" in again.stderr
    no_traceback(again)
    assert not (tmp_path / "other.json").exists()
    agent = subprocess.Popen(
        [sys.executable, "-m", "stackworks", "agent", "run", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=cli.env,
    )
    try:
        server.wait_for_status("hosts", ["box1"], "online", timeout=60)
        shown = json.loads(cli("instance", "show", "hosts", "box1", "--json").stdout)
        assert shown["provider"] == "registered"
        assert shown["private_ip"] == "127.77.99.1"
        assert shown["metrics"].get("load1") is not None
        assert cli("instance", "stop", "hosts", "box1", "--wait").returncode == 0
        types = [c["type"] for c in server.call("GET", "/stacks/hosts/commands")]
        assert types == ["setup", "configure", "shutdown"]
        # rotation: the running agent saves the new credential and carries on with it
        before = json.loads(config.read_text())["credential"]
        assert cli("instance", "rotate-credential", "hosts", "box1").returncode == 0
        deadline = time.monotonic() + 30
        while json.loads(config.read_text())["credential"] == before:
            assert time.monotonic() < deadline, "the agent never took the new credential"
            time.sleep(0.2)
        assert config.stat().st_mode & 0o777 == 0o600
        assert agent.poll() is None
        # revocation: the agent is refused at its next call and stops with status 3
        assert cli("instance", "revoke-credential", "hosts", "box1").returncode == 0
        assert agent.wait(timeout=30) == 3
    finally:
        if agent.poll() is None:
            os.killpg(agent.pid, signal.SIGTERM)
            agent.wait(timeout=30)
