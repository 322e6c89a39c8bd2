"""The agent joins each command's shared sections, fetched once per version, before it runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from fake_agent_server import FakeAgentServer, FakeConverge, command

from stackworks.agent.loop import EXIT_OK
from stackworks.domain import shared_configuration

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


STACK_ID = "stack-1"
V1 = shared_configuration.digest(STACK_ID, SHARED_V1)
V2 = shared_configuration.digest(STACK_ID, SHARED_V2)
V1_TO_V2 = {"base": V1, "set": [[["instances"], {}]], "remove": []}


def with_delta(command_id: str, version: str, delta: dict[str, object]) -> dict[str, object]:
    sent = command(command_id, ["a::one"], self={"hostname": "web1"}, stack={"id": STACK_ID})
    return {**sent, "stack_configuration": version, "stack_configuration_delta": delta}


def test_a_delta_from_the_version_held_makes_the_new_one_without_a_fetch(tmp_path: Path) -> None:
    first = {**by_version("c1", V1), "configuration": {"stack": {"id": STACK_ID}}}
    server = FakeAgentServer([first])
    serve = server.handle

    def second_once_v1_is_held(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("have") == V1 and len(server.commands) == 1:
            server.commands.append(with_delta("c2", V2, V1_TO_V2))
        return serve(request)

    server.handle = second_once_v1_is_held  # type: ignore[method-assign]
    server.stack_configurations = {V1: SHARED_V1, V2: SHARED_V2}
    converge = FakeConverge()
    assert _run_until(_agent(tmp_path, server, converge), server, results=2) == EXIT_OK
    assert [f.rsplit("/", 1)[1] for f in fetches(server)] == [V1]
    assert converge.configurations[1]["instances"] == {}
    assert converge.configurations[1]["layers"] == SHARED_V2["layers"]
    assert server.polls_have[0] is None
    assert server.polls_have[-1] == V1


def test_a_delta_that_gives_another_digest_is_dropped_and_the_version_fetched(
    tmp_path: Path,
) -> None:
    wrong = {"base": V1, "set": [[["instances"], {"intruder": {}}]], "remove": []}
    first = {**by_version("c1", V1), "configuration": {"stack": {"id": STACK_ID}}}
    server = FakeAgentServer([first, with_delta("c2", V2, wrong)])
    server.stack_configurations = {V1: SHARED_V1, V2: SHARED_V2}
    converge = FakeConverge()
    assert _run_until(_agent(tmp_path, server, converge), server, results=2) == EXIT_OK
    assert [f.rsplit("/", 1)[1] for f in fetches(server)] == [V1, V2]
    assert converge.configurations[1]["instances"] == {}


def test_a_delta_from_a_version_not_held_is_not_applied(tmp_path: Path) -> None:
    server = FakeAgentServer([with_delta("c1", V2, V1_TO_V2)])
    server.stack_configurations = {V2: SHARED_V2}
    converge = FakeConverge()
    assert _run_until(_agent(tmp_path, server, converge), server, results=1) == EXIT_OK
    assert [f.rsplit("/", 1)[1] for f in fetches(server)] == [V2]
    assert converge.configurations[0]["layers"] == SHARED_V2["layers"]
