"""The agent loop against a fake server: order, heartbeats, retries, restarts, refusal."""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from fake_agent_server import CREDENTIAL, FakeAgentServer, FakeConverge, command

from stackworks.agent.config import AgentConfig, load_config, write_config
from stackworks.agent.loop import EXIT_AUTH, EXIT_OK, Agent
from stackworks.agent.outbox import Outbox, OutboxEntry
from stackworks.wire.schemas import CommandResult


def _config(tmp_path: Path, credential: str = CREDENTIAL) -> AgentConfig:
    return AgentConfig(
        server_url="http://server.test",
        instance_id="i-1",
        hostname="web1",
        stack_id="s-1",
        credential=credential,
        state_dir=tmp_path / "agent",
        heartbeat_interval=60,
        poll_wait=1,
    )


def _agent(tmp_path: Path, server: FakeAgentServer, converge: FakeConverge, **kw: str) -> Agent:
    return Agent(
        _config(tmp_path, **kw),
        transport=server.transport(),
        converge=converge,
        metrics=lambda: {"load1": 0.5, "cpu": 1.0},
        rand=lambda: 0.0,
    )


def _run_until(
    agent: Agent,
    server: FakeAgentServer,
    results: int,
    also: Callable[[], bool] = lambda: True,
) -> int:
    """Run the agent in a thread until the server holds `results` results and `also` holds
    (bounded): the agent's threads (heartbeat, poll) interleave differently under load."""
    done = threading.Event()
    server.on_result = lambda _id: done.set() if len(server.results) >= results else None
    exit_code: list[int] = []
    thread = threading.Thread(target=lambda: exit_code.append(agent.run(handle_signals=False)))
    thread.start()
    done.wait(timeout=20)
    deadline = time.monotonic() + 20
    while not also() and time.monotonic() < deadline:
        time.sleep(0.02)
    agent.stop()
    thread.join(timeout=20)
    assert not thread.is_alive()
    return exit_code[0]


def test_two_commands_run_in_order_and_both_are_reported(tmp_path: Path) -> None:
    server = FakeAgentServer([command("c1", ["a::one"]), command("c2", ["b::two"])])
    converge = FakeConverge()
    assert _run_until(_agent(tmp_path, server, converge), server, results=2) == EXIT_OK
    assert converge.calls == [["a::one"], ["b::two"]]
    assert server.acks == ["c1", "c2"]
    assert [server.results[c]["status"] for c in ("c1", "c2")] == ["successful"] * 2
    assert server.heartbeats[0]["metrics"] == {"load1": 0.5, "cpu": 1.0}


def test_results_are_delivered_after_503s_and_connection_errors(tmp_path: Path) -> None:
    server = FakeAgentServer([command("c1", ["a::one"])])
    server.fail_path = "/result"
    server.failures = [503, httpx.ConnectError("refused"), 503]
    assert _run_until(_agent(tmp_path, server, FakeConverge()), server, results=1) == EXIT_OK
    assert server.results["c1"]["status"] == "successful"
    assert server.requests.count("POST /api/v1/agent/commands/c1/result") == 4


def test_a_result_left_by_an_earlier_run_is_delivered_at_start(tmp_path: Path) -> None:
    Outbox(tmp_path / "agent" / "outbox").put(
        OutboxEntry("old", CommandResult(status="failed", exit_code=1))
    )
    server = FakeAgentServer()
    assert _run_until(_agent(tmp_path, server, FakeConverge()), server, results=1) == EXIT_OK
    assert server.results["old"]["exit_code"] == 1


def test_a_refused_credential_stops_the_agent_with_its_own_status(tmp_path: Path) -> None:
    server = FakeAgentServer([command("c1", ["a::one"])])
    agent = _agent(tmp_path, server, FakeConverge(), credential="replaced")
    assert agent.run(handle_signals=False) == EXIT_AUTH
    assert agent.auth_error is not None and "replaced" in agent.auth_error
    assert server.acks == []


def test_a_rotated_credential_is_saved_before_use_and_then_used(tmp_path: Path) -> None:
    server = FakeAgentServer([command("c1", ["a::one"])])
    server.offer = "rotated-credential"
    path = tmp_path / "agent.json"
    write_config(path, _config(tmp_path))
    agent = Agent(
        load_config(path),
        transport=server.transport(),
        converge=FakeConverge(),
        metrics=lambda: {},
        rand=lambda: 0.0,
        config_path=path,
    )
    confirmed = lambda: server.offer is None  # noqa: E731 - the rotation's new credential used
    assert _run_until(agent, server, results=1, also=confirmed) == EXIT_OK
    assert load_config(path).credential == "rotated-credential"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert server.credentials == {"rotated-credential"}
    assert server.used[-1] == "rotated-credential"


def test_the_agent_holds_its_polls_as_long_as_a_pacing_server_tells(tmp_path: Path) -> None:
    server = FakeAgentServer([command("c1", ["a::one"])])
    server.told_poll_wait = 45.0
    agent = _agent(tmp_path, server, FakeConverge())
    told = lambda: "45" in server.polls_wait  # noqa: E731
    assert _run_until(agent, server, results=1, also=told) == EXIT_OK
    assert told()


def test_the_agent_beats_next_at_the_slot_its_server_names(tmp_path: Path) -> None:
    server = FakeAgentServer([command("c1", ["a::one"])])
    server.told_next_heartbeat_in = 0.05  # the interval told stays 60 s
    agent = _agent(tmp_path, server, FakeConverge())
    assert _run_until(agent, server, results=1, also=lambda: len(server.heartbeats) >= 4) == 0
    assert len(server.heartbeats) >= 4


def test_a_slot_further_than_the_interval_is_not_waited_for(tmp_path: Path) -> None:
    server = FakeAgentServer([command("c1", ["a::one"])])
    server.told_interval, server.told_next_heartbeat_in = 0.05, 600.0
    agent = _agent(tmp_path, server, FakeConverge())
    assert _run_until(agent, server, results=1, also=lambda: len(server.heartbeats) >= 4) == 0
    assert len(server.heartbeats) >= 4
