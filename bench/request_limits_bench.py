"""What the request limits cost: the JSON depth scan, and a request through both middlewares.

Why it matters: every request's body passes BodyLimits (read within the size limit, scanned for
nesting) and FailedAuthThrottle before any route runs, so they must cost little next to the
route itself. Prints, for bodies of several sizes, the scan's throughput and the time of a
POST through the middlewares to an app that answers at once, with and without them. Asserts
nothing. Run: `PYTHONPATH=src .venv/bin/python bench/request_limits_bench.py`.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from stackworks.api.auth_throttle import FailedAuthThrottle
from stackworks.api.body_limits import BodyLimits, json_nesting_exceeds

SIZES = (1_000, 100_000, 1_000_000, 10_000_000)
REPEATS = 20


def deep_body(size: int) -> bytes:
    """The worst case for the scan: nothing but brackets, nesting two deep, `size` bytes."""
    return b"[" + b"[[]]," * (size // 5) + b"[]]"


def body_of(size: int) -> bytes:
    """A stack-document-like JSON body of about `size` bytes: strings, nested objects, lists."""
    item = {"shortname": "web", "recipes": {"setup": ["a::b"]}, "custom_json": {"k": "v" * 40}}
    one = len(json.dumps(item)) + 2
    return json.dumps({"layers": [item] * max(1, size // one)}).encode()


async def bare(scope: Any, receive: Any, send: Any) -> None:
    message = await receive()
    while message.get("more_body"):
        message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def through(app: Any, body: bytes) -> float:
    """Seconds for one POST of `body` (in 64 KiB chunks) through `app`."""
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)] or [b""]
    headers = [(b"content-type", b"application/json")]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    scope["client"] = ("127.0.0.1", 1)

    async def one() -> None:
        pending = list(chunks)

        async def receive() -> dict[str, Any]:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

        async def send(_message: dict[str, Any]) -> None:
            return None

        await app(scope, receive, send)

    started = time.perf_counter()
    asyncio.run(one())
    return time.perf_counter() - started


def best(fn: Any, repeats: int = REPEATS) -> float:
    return min(fn() for _ in range(repeats))


def main() -> None:
    limited = FailedAuthThrottle(
        BodyLimits(bare, max_bytes=16 * 1024 * 1024, max_depth=64), max_failures=20, window=60
    )
    columns = ("body", "scan", "scan MB/s", "bare", "limited", "added")
    print("  ".join(f"{name:>10}" for name in columns))
    for body in [*(body_of(size) for size in SIZES), deep_body(10_000_000)]:

        def scanned(payload: bytes = body) -> float:
            started = time.perf_counter()
            json_nesting_exceeds(payload, 64)
            return time.perf_counter() - started

        scan = best(scanned)
        plain = best(lambda payload=body: through(bare, payload))
        with_limits = best(lambda payload=body: through(limited, payload))
        print(
            f"{len(body):>10,}  {scan * 1000:>8.2f}ms  {len(body) / scan / 1e6:>10.0f}  "
            f"{plain * 1000:>8.2f}ms  {with_limits * 1000:>8.2f}ms  "
            f"{(with_limits - plain) * 1000:>8.2f}ms"
        )


if __name__ == "__main__":
    main()
