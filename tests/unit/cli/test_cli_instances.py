"""Instance commands: list --json fields, start/stop --wait outcomes."""

from __future__ import annotations

import json

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
