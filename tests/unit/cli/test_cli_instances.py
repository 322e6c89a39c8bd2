"""Instance commands: list --json fields, start/stop --wait outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_harness import Invoke
from fake_api import FakeApi


def test_instance_list_json_has_hostname_status_layers_private_ip(
    cli: Invoke, api: FakeApi
) -> None:
    api.add_instance("shop", "web1", ["web"], "online")
    api.add_instance("shop", "lb1", ["lb", "web"], "stopped")
    result = cli("instance", "list", "shop", "--json")
    assert result.exit_code == 0, result.output
    rows = {i["hostname"]: i for i in json.loads(result.stdout)}
    assert rows["web1"]["status"] == "online"
    assert rows["lb1"]["layers"] == ["lb", "web"]
    assert rows["lb1"]["private_ip"] == "127.0.0.2"


def test_instance_list_of_unknown_stack_exits_1(cli: Invoke) -> None:
    result = cli("instance", "list", "nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: stack 'nope' not found")


def test_start_wait_follows_the_statuses_until_online(cli: Invoke, api: FakeApi) -> None:
    api.add_instance("shop", "web1", ["web"], "stopped")
    result = cli("instance", "start", "shop", "web1", "--wait")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == ["web1: pending", "web1: booting", "web1: online", "web1 is online."]


def test_start_wait_exits_1_when_setup_fails(cli: Invoke, api: FakeApi) -> None:
    api.add_instance("shop", "web1", ["web"], "stopped")
    api.start_path = ["pending", "running_setup", "setup_failed"]
    result = cli("instance", "start", "shop", "web1", "--wait")
    assert result.exit_code == 1
    assert "web1 is setup_failed, not online" in result.stderr


def test_start_without_wait_returns_at_once(cli: Invoke, api: FakeApi) -> None:
    api.add_instance("shop", "web1", ["web"], "stopped")
    result = cli("instance", "start", "shop", "web1")
    assert result.exit_code == 0
    assert result.stdout.strip() == "web1 is requested."
    assert [m for m, _p, _b in api.requests] == ["POST"]


def test_stop_wait_with_json_prints_only_the_final_instance(cli: Invoke, api: FakeApi) -> None:
    api.add_instance("shop", "web1", ["web"], "online")
    result = cli("instance", "stop", "shop", "web1", "--wait", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "stopped"


def test_wait_gives_up_after_the_timeout(cli: Invoke, api: FakeApi) -> None:
    api.add_instance("shop", "web1", ["web"], "stopped")
    api.start_path = ["pending"] * 1000
    result = cli("instance", "start", "shop", "web1", "--wait", "--timeout", "0")
    assert result.exit_code == 1
    assert "gave up waiting for web1 to be online" in result.stderr


def test_create_with_provider_ssh_sends_the_target_and_the_key_files_text(
    cli: Invoke, api: FakeApi, tmp_path: Path
) -> None:
    key = tmp_path / "id_ed25519"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
    result = cli(
        "instance", "create", "shop", "--layers", "app", "--hostname", "app1",
        "--provider", "ssh", "--ssh-target", "root@10.248.0.11", "--ssh-key", str(key),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created instance app1" in result.stdout
    [(method, path, body)] = api.requests
    assert (method, path) == ("POST", "/api/v1/stacks/shop/instances")
    assert body["provider"] == "ssh" and body["ssh_target"] == "root@10.248.0.11"
    assert body["ssh_key"] == key.read_text()
    assert "AAAA" not in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--provider", "ssh", "--ssh-key", "k"], "--provider ssh needs --ssh-target"),
        (["--provider", "local", "--ssh-target", "root@h"], "go with --provider ssh"),
        (["--provider", "cloud"], "--provider: 'cloud' is neither local nor ssh"),
        (["--provider", "ssh", "--ssh-target", "root@h", "--ssh-key", "/nonexistent/key"],
         "--ssh-key: cannot read /nonexistent/key"),
    ],
)  # fmt: skip
def test_create_refuses_bad_ssh_options_and_sends_nothing(
    cli: Invoke, api: FakeApi, args: list[str], says: str
) -> None:
    result = cli("instance", "create", "shop", "--layers", "app", *args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert api.requests == []


def test_accept_host_key_checks_the_fingerprint_before_sending(cli: Invoke, api: FakeApi) -> None:
    result = cli("instance", "accept-host-key", "shop", "app1", "--fingerprint", "MD5:ab")
    assert result.exit_code == 2
    assert "--fingerprint: 'MD5:ab' is not SHA256:" in result.stderr
    assert api.requests == []
