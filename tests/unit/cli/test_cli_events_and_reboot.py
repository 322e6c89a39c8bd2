"""`stackworks events` (table, JSON, --follow) and `instance reboot --wait`."""

from __future__ import annotations

import json

from cli_harness import Invoke, make_runtime
from fake_api import FakeApi
from typer.testing import CliRunner

from stackworks.cli.main import app


def test_events_show_what_happened_and_why(cli: Invoke, api: FakeApi) -> None:
    api.add_stack("shop")
    api.add_event("lifecycle", "app2", "app2 lost its connection: no heartbeat for 16 s")
    api.add_event("healing", "app2", "app2: auto-healing replaces it")
    result = cli("events", "shop")
    assert result.exit_code == 0, result.output
    assert "app2 lost its connection: no heartbeat for 16 s" in result.stdout
    assert "healing" in result.stdout
    as_json = cli("events", "shop", "--json")
    assert [e["kind"] for e in json.loads(as_json.stdout)] == ["lifecycle", "healing"]


def test_events_follow_prints_new_events_as_they_come_until_interrupted(api: FakeApi) -> None:
    api.add_stack("shop")
    api.add_event("lifecycle", "app1", "app1 lost its connection")
    runtime = make_runtime(api)
    polls = []

    def sleep(_seconds: float) -> None:
        polls.append(1)
        if len(polls) == 1:
            api.add_event("healing", "app1", "app1: auto-healing replaces it")
        if len(polls) == 3:
            raise KeyboardInterrupt

    runtime.sleep = sleep
    result = CliRunner().invoke(app, ["events", "shop", "--follow", "--json"], obj=runtime)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["seq"] for e in lines] == [1, 2]  # each once, in order
    assert len(polls) == 3


def test_events_of_an_unknown_stack_exit_1(cli: Invoke) -> None:
    result = cli("events", "nope")
    assert result.exit_code == 1
    assert "stack 'nope' not found" in result.stderr


def test_reboot_wait_follows_the_instance_back_online(cli: Invoke, api: FakeApi) -> None:
    api.add_instance("shop", "web1", ["web"], "online")
    result = cli("instance", "reboot", "shop", "web1", "--wait")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "web1 is online."
    assert "web1: booting" in result.stdout
