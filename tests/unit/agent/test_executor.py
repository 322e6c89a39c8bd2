"""The executor: one command in, one result out, whatever happens in between."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_agent_server import CREDENTIAL, FakeAgentServer, FakeConverge, command

from stackworks.agent.client import AgentClient, AgentUnreachable
from stackworks.agent.converge_process import ConvergeOutcome
from stackworks.agent.executor import CommandExecutor
from stackworks.agent.outbox import Outbox
from stackworks.domain.entities import FILTERED
from stackworks.wire.schemas import AgentCommand
from support.processes import wait_until

SECRET_CONFIG = {
    "apps": {"shop": {"environment": {"DB_PASSWORD": "pa55word"}, "secure_keys": ["DB_PASSWORD"]}}
}


def _run(
    tmp_path: Path,
    server: FakeAgentServer,
    converge: FakeConverge,
    cmd: dict[str, Any],
    stop: threading.Event | None = None,
) -> Any:
    client = AgentClient(
        "http://server.test",
        CREDENTIAL,
        transport=server.transport(),
        stop=stop or threading.Event(),
        rand=lambda: 0.0,
    )
    executor = CommandExecutor(
        client, Outbox(tmp_path / "outbox"), tmp_path / "cb", converge=converge
    )
    with client:
        return executor.run(AgentCommand.model_validate(cmd))


def test_a_successful_run_is_acked_logged_and_reported(tmp_path: Path) -> None:
    server = FakeAgentServer()
    converge = FakeConverge(lines=["* file[/srv/x] changed"])
    result = _run(tmp_path, server, converge, command("c1", ["web::setup"]))
    assert (result.status, result.exit_code) == ("successful", 0)
    assert server.acks == ["c1"]
    assert "* file[/srv/x] changed" in server.log_lines("c1")
    assert server.results["c1"]["status"] == "successful"
    assert list((tmp_path / "outbox").iterdir()) == []


def test_a_short_run_sends_its_log_with_the_result_not_apart(tmp_path: Path) -> None:
    server = FakeAgentServer()
    converge = FakeConverge(lines=["* file[/srv/x] changed"])
    _run(tmp_path, server, converge, command("c1", ["web::setup"]))
    assert server.requests == [
        "POST /api/v1/agent/commands/c1/ack",
        "POST /api/v1/agent/commands/c1/result",
    ]
    assert server.log_lines("c1") == [
        "[stackworks] execute_recipes: run list ['web::setup']",
        "* file[/srv/x] changed",
        "[stackworks] succeeded",
    ]


def test_a_long_run_shows_its_log_while_it_runs(tmp_path: Path) -> None:
    server = FakeAgentServer()

    def goes_on(log: Callable[[str], None]) -> None:
        wait_until(lambda: "still working" in server.log_lines("c1"), timeout=5, what="a chunk")
        log("done")

    converge = FakeConverge(lines=["still working"], then=goes_on)
    _run(tmp_path, server, converge, command("c1", ["web::setup"]))
    assert server.log_lines("c1")[-2:] == ["done", "[stackworks] succeeded"]
    assert sorted(server.logs["c1"]) == [0, 1]  # one chunk live, the last with the result


def test_an_exception_becomes_a_failed_result_with_the_error_logged(tmp_path: Path) -> None:
    server = FakeAgentServer()
    converge = FakeConverge(error=RuntimeError("cookbook web not found"))
    result = _run(tmp_path, server, converge, command("c1", ["web::setup"]))
    assert (result.status, result.exit_code) == ("failed", 1)
    assert any("cookbook web not found" in line for line in server.log_lines("c1"))
    assert server.results["c1"]["report"]["error"] == "RuntimeError: cookbook web not found"


def test_a_failed_run_reports_exit_code_1(tmp_path: Path) -> None:
    server = FakeAgentServer()
    converge = FakeConverge(outcome=ConvergeOutcome(ok=False, report={"ok": False}))
    result = _run(tmp_path, server, converge, command("c1", ["web::setup"]))
    assert server.results["c1"]["exit_code"] == 1 and result.status == "failed"


def test_an_empty_run_list_succeeds_without_converging(tmp_path: Path) -> None:
    server = FakeAgentServer()
    converge = FakeConverge()
    result = _run(tmp_path, server, converge, command("c1", []))
    assert result.status == "successful"
    assert converge.calls == []


def test_secure_values_leave_neither_in_the_log_nor_in_the_report(tmp_path: Path) -> None:
    server = FakeAgentServer()
    converge = FakeConverge(
        lines=["connecting with pa55word"],
        outcome=ConvergeOutcome(ok=True, report={"diff": "+DB_PASSWORD=pa55word"}),
    )
    _run(tmp_path, server, converge, command("c1", ["web::deploy"], **SECRET_CONFIG))
    assert f"connecting with {FILTERED}" in server.log_lines("c1")
    assert "pa55word" not in str(server.logs) + str(server.results)


def test_a_command_the_server_refuses_to_ack_is_skipped(tmp_path: Path) -> None:
    server = FakeAgentServer()
    server.status_for["/api/v1/agent/commands/c1/ack"] = 404
    converge = FakeConverge()
    assert _run(tmp_path, server, converge, command("c1", ["web::setup"])) is None
    assert converge.calls == []


def test_a_command_acknowledged_by_its_delivery_runs_without_an_ack(tmp_path: Path) -> None:
    server = FakeAgentServer()
    converge = FakeConverge()
    delivered = {**command("c1", ["web::setup"]), "acknowledged": True}
    result = _run(tmp_path, server, converge, delivered)
    assert result is not None and result.status == "successful"
    assert server.acks == []
    assert not [r for r in server.requests if r.endswith("/ack")]
    assert len(converge.calls) == 1


def test_the_result_is_on_disk_while_the_server_is_away(tmp_path: Path) -> None:
    server = FakeAgentServer()
    server.fail_path = "/result"
    server.failures = [503] * 10
    stop = threading.Event()
    server_down = FakeConverge()
    stop_after_first_wait = threading.Timer(0.1, stop.set)
    stop_after_first_wait.start()
    with pytest.raises(AgentUnreachable):
        _run(tmp_path, server, server_down, command("c1", ["web::setup"]), stop=stop)
    [entry] = Outbox(tmp_path / "outbox").pending()
    assert entry.result.status == "successful"
