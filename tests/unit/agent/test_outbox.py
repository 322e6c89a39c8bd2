"""The outbox: results survive restarts of the agent and of the server, and are sent once."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from fake_agent_server import CREDENTIAL, FakeAgentServer

from stackworks.agent.client import AgentClient, AgentUnreachable
from stackworks.agent.outbox import Outbox, OutboxEntry
from stackworks.wire.schemas import CommandResult, LogChunk


def _entry(command_id: str = "c1") -> OutboxEntry:
    return OutboxEntry(
        command_id=command_id,
        result=CommandResult(status="successful", exit_code=0, report={"ok": True}),
        chunks=[LogChunk(seq=0, lines=["a"]), LogChunk(seq=1, lines=["b"])],
    )


def _client(server: FakeAgentServer) -> AgentClient:
    return AgentClient(
        "http://server.test", CREDENTIAL, transport=server.transport(), stop=threading.Event()
    )


def test_an_entry_survives_a_restart_and_is_resent(tmp_path: Path) -> None:
    Outbox(tmp_path / "outbox").put(_entry())
    server = FakeAgentServer()
    restarted = Outbox(tmp_path / "outbox")  # new objects over the same directory
    with _client(server) as client:
        assert restarted.flush(client) == 1
    assert server.log_lines("c1") == ["a", "b"]
    assert server.results["c1"]["status"] == "successful"
    assert list((tmp_path / "outbox").iterdir()) == []


def test_an_undelivered_entry_stays_with_what_is_still_owed(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(_entry())
    server = FakeAgentServer()
    server.fail_path = "/log"
    server.failures = [httpx.ConnectError("server went away")]
    with _client(server) as client, pytest.raises(AgentUnreachable):
        outbox.flush(client, retry=False)
    assert server.results == {}
    [left] = Outbox(tmp_path / "outbox").pending()
    assert (left.command_id, len(left.chunks)) == ("c1", 2)
    with _client(server) as client:
        Outbox(tmp_path / "outbox").flush(client)
    assert server.log_lines("c1") == ["a", "b"]
    assert "c1" in server.results
    assert Outbox(tmp_path / "outbox").pending() == []


def test_delivered_chunks_are_not_owed_again_and_the_last_stays_with_the_result(
    tmp_path: Path,
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(_entry())
    server = FakeAgentServer()
    server.fail_path = "/result"
    server.failures = [503]
    with _client(server) as client, pytest.raises(AgentUnreachable):
        outbox.flush(client, retry=False)
    [left] = outbox.pending()
    assert left.chunks == [LogChunk(seq=1, lines=["b"])]  # chunk 0 went out apart


def test_the_last_chunk_travels_in_the_result_request(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(_entry())
    server = FakeAgentServer()
    with _client(server) as client:
        outbox.flush(client)
    assert server.requests == [
        "POST /api/v1/agent/commands/c1/log",
        "POST /api/v1/agent/commands/c1/result",
    ]
    assert server.log_lines("c1") == ["a", "b"]


def test_a_server_that_refuses_a_log_in_the_result_gets_it_apart_from_then_on(
    tmp_path: Path,
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(_entry("c1"))
    server = FakeAgentServer()
    server.refuses_result_log = True  # a server older than CommandResult.log
    with _client(server) as client:
        outbox.flush(client)
        assert client.result_takes_log is False
        outbox.put(_entry("c2"))
        outbox.flush(client)
    assert server.log_lines("c1") == server.log_lines("c2") == ["a", "b"]
    assert (
        server.results["c1"]
        == server.results["c2"]
        == {
            "status": "successful",
            "exit_code": 0,
            "report": {"ok": True},
        }
    )
    second = [r for r in server.requests if "/c2/" in r]
    assert second == [
        f"POST /api/v1/agent/commands/c2/{action}" for action in ("log", "log", "result")
    ]
    assert outbox.pending() == []


@pytest.mark.parametrize("status", [404, 422])
def test_a_result_the_server_refuses_for_good_is_dropped(tmp_path: Path, status: int) -> None:
    """A 422 that does not name `log` is no older server: nothing is sent apart."""
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(_entry("gone"))
    server = FakeAgentServer()
    server.status_for["/api/v1/agent/commands/gone/result"] = status
    with _client(server) as client:
        outbox.flush(client)
        assert client.result_takes_log is True
    assert server.requests[-1] == "POST /api/v1/agent/commands/gone/result"
    assert outbox.pending() == []


def test_an_unreadable_file_is_set_aside(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    (tmp_path / "outbox" / "torn.json").write_text("{not json")
    outbox.put(_entry())
    assert [e.command_id for e in outbox.pending()] == ["c1"]
    assert (tmp_path / "outbox" / "torn.broken").exists()
