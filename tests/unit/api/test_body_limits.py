"""Bodies refused before a route sees them: too large (413, read no further) or too deep (422)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from stackworks.api.body_limits import BodyLimits, json_nesting_exceeds

MIB = 1024 * 1024


def test_nesting_is_counted_on_arrays_and_objects_but_not_inside_strings() -> None:
    assert not json_nesting_exceeds(b'{"a": [1, {"b": [2]}]}', 4)
    assert json_nesting_exceeds(b'{"a": [1, {"b": [2]}]}', 3)
    assert not json_nesting_exceeds(json.dumps({"s": "[[[[{{{{" * 100}).encode(), 1)
    assert not json_nesting_exceeds(json.dumps({"s": 'a\\"[[[[\\'}).encode(), 1)
    assert json_nesting_exceeds(b"[" * 10_000 + b"]" * 10_000, 64)


class FakeClient:
    """Sends a body in chunks, counting how many the server pulled."""

    def __init__(self, chunks: list[bytes], headers: dict[str, str]) -> None:
        self.chunks = chunks
        self.pulled = 0
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.pulled >= len(self.chunks):
            return {"type": "http.disconnect"}
        self.pulled += 1
        more = self.pulled < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.pulled - 1], "more_body": more}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(next(m["status"] for m in self.sent if m["type"] == "http.response.start"))

    @property
    def body(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))


def run(client: FakeClient, *, max_bytes: int = 10 * MIB, max_depth: int = 64) -> list[bytes]:
    """Pass one request through the middleware; what the app behind it was given."""
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        seen.append(message["body"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    scope = {"type": "http", "method": "POST", "path": "/", "headers": client.headers}
    middleware = BodyLimits(app, max_bytes=max_bytes, max_depth=max_depth)
    asyncio.run(middleware(scope, client.receive, client.send))  # type: ignore[arg-type]
    return seen


def test_a_declared_20_mib_body_is_refused_with_413_without_reading_a_byte() -> None:
    client = FakeClient([b"x" * MIB] * 20, {"content-length": str(20 * MIB)})
    assert run(client) == []
    assert client.status == 413
    assert client.pulled == 0
    assert "larger than the server's limit of 10485760 bytes" in client.body["detail"]["message"]


def test_an_undeclared_20_mib_body_is_refused_once_it_passes_the_limit() -> None:
    client = FakeClient([b"x" * MIB] * 20, {"transfer-encoding": "chunked"})
    assert run(client) == []
    assert client.status == 413
    assert client.pulled == 11  # ten chunks fit, the eleventh passes the limit: no more read


def test_a_json_body_nested_10000_deep_is_refused_with_422_naming_the_limit() -> None:
    body = b'{"custom_json": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    client = FakeClient([body], {"content-type": "application/json"})
    assert run(client) == []
    assert client.status == 422
    assert client.body["detail"] == {
        "message": "the JSON body nests arrays and objects deeper than 64 levels",
        "field": "body",
    }


def test_a_body_within_the_limits_reaches_the_app_whole() -> None:
    body = json.dumps({"a": [[1]] * 1000}).encode()
    client = FakeClient([body[:100], body[100:]], {"content-type": "application/json"})
    assert run(client) == [body]
    assert client.status == 200
