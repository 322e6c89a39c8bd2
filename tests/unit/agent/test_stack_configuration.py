"""The agent joins each command's shared sections, fetched once per version, before it runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fake_agent_server import FakeAgentServer, FakeConverge, command

from stackworks.agent.loop import EXIT_OK

from .test_agent_loop import _agent, _run_until

SHARED_V1 = {"instances": {"lb1": {"hostname": "lb1"}}, "layers": {"lb": {"instances": {}}}}
SHARED_V2 = {"instances": {}, "layers": {"lb": {"instances": {}}}}


def by_version(command_id: str, version: str) -> dict[str, object]:
    sent = command(command_id, ["a::one"], self={"hostname": "web1"})
    return {**sent, "stack_configuration": version}


def fetches(server: FakeAgentServer) -> list[str]:
    return [r for r in server.requests if "/stack-configuration/" in r]


def test_commands_of_one_version_fetch_it_once_and_run_with_the_whole_configuration(
    tmp_path: Path,
) -> None:
    server = FakeAgentServer([by_version("c1", "v1"), by_version("c2", "v1")])
    server.stack_configurations = {"v1": SHARED_V1}
    converge = FakeConverge()
    assert _run_until(_agent(tmp_path, server, converge), server, results=2) == EXIT_OK
    assert fetches(server) == ["GET /api/v1/agent/stack-configuration/v1"]
    assert converge.configurations == [{"self": {"hostname": "web1"}, **SHARED_V1}] * 2


def test_a_new_version_is_fetched_when_a_command_names_it(tmp_path: Path) -> None:
    server = FakeAgentServer([by_version("c1", "v1"), by_version("c2", "v2")])
    server.stack_configurations = {"v1": SHARED_V1, "v2": SHARED_V2}
    converge = FakeConverge()
    assert _run_until(_agent(tmp_path, server, converge), server, results=2) == EXIT_OK
    assert [f.rsplit("/", 1)[1] for f in fetches(server)] == ["v1", "v2"]
    assert [c["instances"] for c in converge.configurations] == [SHARED_V1["instances"], {}]


def test_an_inline_configuration_from_an_older_server_runs_as_it_came(tmp_path: Path) -> None:
    whole = {"self": {"hostname": "web1"}, **SHARED_V1}
    server = FakeAgentServer([command("c1", ["a::one"], **whole)])
    converge = FakeConverge()
    assert _run_until(_agent(tmp_path, server, converge), server, results=1) == EXIT_OK
    assert fetches(server) == []
    assert converge.configurations == [whole]


def test_a_command_whose_version_is_refused_is_not_run(tmp_path: Path) -> None:
    server = FakeAgentServer([by_version("c1", "gone"), command("c2", ["b::two"])])
    converge = FakeConverge()
    agent = _agent(tmp_path, server, converge)
    thread = threading.Thread(target=lambda: agent.run(handle_signals=False))
    thread.start()
    deadline = time.monotonic() + 20
    while not fetches(server) and time.monotonic() < deadline:
        time.sleep(0.02)
    agent.stop()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert fetches(server)
    assert "c1" not in server.acks
    assert converge.calls == []
