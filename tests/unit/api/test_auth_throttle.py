"""Failed authentications counted per address in a sliding window; 429 past the limit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from stackworks.api.auth_throttle import FailedAuthThrottle
from stackworks.api.limits import RequestLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(status: int, clock: Clock, max_failures: int = 3) -> tuple[FailedAuthThrottle, list[str]]:
    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["client"][0])
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return FailedAuthThrottle(app, max_failures=max_failures, window=60, clock=clock), reached


def call(throttle: FailedAuthThrottle, address: str) -> tuple[int, dict[str, str]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "client": (address, 1)}
    asyncio.run(throttle(scope, receive, send))  # type: ignore[arg-type]
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return int(start["status"]), headers


def test_after_n_failures_the_address_gets_429_with_retry_after_and_the_app_is_not_called() -> None:
    clock = Clock()
    throttle, reached = make(401, clock)
    assert [call(throttle, "10.0.0.5")[0] for _ in range(3)] == [401, 401, 401]
    clock.now += 15
    status, headers = call(throttle, "10.0.0.5")
    assert status == 429
    assert headers["retry-after"] == "45"
    assert len(reached) == 3


def test_other_addresses_are_not_throttled() -> None:
    throttle, _ = make(401, Clock())
    for _ in range(3):
        call(throttle, "10.0.0.5")
    assert call(throttle, "10.0.0.6")[0] == 401


def test_the_window_slides_and_the_address_may_try_again() -> None:
    clock = Clock()
    throttle, _ = make(401, clock)
    for _ in range(3):
        call(throttle, "10.0.0.5")
    clock.now += 60.5
    assert call(throttle, "10.0.0.5")[0] == 401


def test_answers_other_than_401_never_count() -> None:
    throttle, reached = make(403, Clock())
    assert {call(throttle, "10.0.0.5")[0] for _ in range(10)} == {403}
    assert len(reached) == 10


def test_the_server_throttles_by_default_and_the_environment_can_change_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "STACKWORKS_AUTH_FAILURES",
        "STACKWORKS_AUTH_WINDOW",
        "STACKWORKS_MAX_BODY_BYTES",
        "STACKWORKS_MAX_JSON_DEPTH",
    ):
        monkeypatch.delenv(name, raising=False)
    assert RequestLimits() == RequestLimits(
        max_body_bytes=10 * 1024 * 1024, max_json_depth=64, auth_failures=20, auth_window=60.0
    )
    monkeypatch.setenv("STACKWORKS_AUTH_FAILURES", "5")
    monkeypatch.setenv("STACKWORKS_MAX_BODY_BYTES", "1000")
    assert (RequestLimits().auth_failures, RequestLimits().max_body_bytes) == (5, 1000)
