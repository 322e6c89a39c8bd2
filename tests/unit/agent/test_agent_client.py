"""The agent's HTTP client: its route paths, its retry policy and its errors."""

from __future__ import annotations

import threading
from itertools import islice

import httpx
import pytest
from fake_agent_server import CREDENTIAL, FakeAgentServer

from stackworks.agent.client import (
    AgentAuthError,
    AgentClient,
    AgentRequestError,
    AgentUnreachable,
    backoff_delays,
)


class RecordingStop(threading.Event):
    """A stop flag whose waits return at once and are recorded (no real sleeping in tests)."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.stop_after = stop_after

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        if self.stop_after is not None and len(self.waits) >= self.stop_after:
            self.set()
        return self.is_set()


def _client(server: FakeAgentServer, stop: threading.Event | None = None) -> AgentClient:
    return AgentClient("http://server.test", CREDENTIAL, transport=server.transport(), stop=stop)


def test_backoff_doubles_from_half_a_second_to_ten() -> None:
    assert list(islice(backoff_delays(lambda: 1.0), 7)) == [0.5, 1, 2, 4, 8, 10, 10]


def test_backoff_jitter_stays_within_half_of_each_step() -> None:
    assert list(islice(backoff_delays(lambda: 0.0), 6)) == [0.25, 0.5, 1, 2, 4, 5]


def test_calls_use_the_api_prefix_and_the_bearer_credential() -> None:
    server = FakeAgentServer()
    with _client(server) as client:
        reply = client.heartbeat({"load1": 0.1})
    assert reply.heartbeat_interval == 60
    assert server.requests == ["POST /api/v1/agent/heartbeat"]
    assert server.heartbeats[0]["metrics"] == {"load1": 0.1}


def test_503_and_connection_errors_are_retried_until_an_answer() -> None:
    server = FakeAgentServer()
    server.failures = [503, httpx.ConnectError("refused"), 502]
    stop = RecordingStop()
    with _client(server, stop) as client:
        client.ack("c1")
    assert server.acks == ["c1"]
    bounds = [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0)]
    assert [low <= wait <= high for wait, (low, high) in zip(stop.waits, bounds, strict=True)] == [
        True
    ] * 3


def test_a_429_is_retried_after_the_wait_it_asks_for() -> None:
    server = FakeAgentServer()
    throttled = [httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "slow"})]

    def handle(request: httpx.Request) -> httpx.Response:
        return throttled.pop() if throttled else server.handle(request)

    stop = RecordingStop()
    with AgentClient(
        "http://server.test", CREDENTIAL, transport=httpx.MockTransport(handle), stop=stop
    ) as client:
        client.ack("c1")
    assert server.acks == ["c1"]
    assert stop.waits == [7.0]


def test_401_raises_the_auth_error_without_retrying() -> None:
    server = FakeAgentServer()
    stop = RecordingStop()
    with (
        AgentClient(
            "http://server.test", "stale", transport=server.transport(), stop=stop
        ) as client,
        pytest.raises(AgentAuthError, match="replaced"),
    ):
        client.commands(wait=1)
    assert stop.waits == []


def test_other_4xx_is_a_request_error_not_retried() -> None:
    server = FakeAgentServer()
    server.status_for["/api/v1/agent/commands/c9/ack"] = 404
    stop = RecordingStop()
    with _client(server, stop) as client, pytest.raises(AgentRequestError) as error:
        client.ack("c9")
    assert error.value.status_code == 404
    assert stop.waits == []


def test_a_single_try_gives_up_on_the_first_failure() -> None:
    server = FakeAgentServer()
    server.failures = [503]
    with _client(server) as client, pytest.raises(AgentUnreachable):
        client.ack("c1", retry=False)
    assert server.acks == []


def test_stopping_ends_the_retries() -> None:
    server = FakeAgentServer()
    server.failures = [503] * 100
    stop = RecordingStop(stop_after=3)
    with _client(server, stop) as client, pytest.raises(AgentUnreachable, match="stopped"):
        client.ack("c1")
    assert len(stop.waits) == 3


def test_a_call_refused_because_a_rotation_just_ended_its_credential_is_resent() -> None:
    seen: list[str] = []
    client: AgentClient

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        if len(seen) == 1:
            client.use_credential("new")  # the heartbeat thread, between build and answer
            return httpx.Response(401, json={"detail": {"message": "bad credential"}})
        return httpx.Response(200, json={"commands": []})

    client = AgentClient("http://server.test", "old", transport=httpx.MockTransport(handle))
    assert client.commands(wait=0) == []
    assert seen == ["Bearer old", "Bearer new"]
