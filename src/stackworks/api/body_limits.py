"""Request bodies the server refuses before any route sees them: too large, or nested too deep.

A body over the size limit is answered 413 as soon as its Content-Length says so, or as soon as
the bytes received pass the limit, so the server never holds more than the limit (plus one
chunk) of it. A JSON body nested deeper than the depth limit is answered 422 from a scan of the
raw bytes, before the JSON parser (which recurses, and would end in a RecursionError and a 500
on a body nested 10,000 deep) ever sees it. Both answers have the API's one error shape.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterator

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stackworks.api.errors import EarlyAnswer, early_answer

#: a JSON string, escapes and all (possessive, so it never backtracks)
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
#: keep brackets and braces only: openers become 2, closers 0
_OPENERS_AS_2 = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b"[]{}")


def json_nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays and objects in `body` nest deeper than `limit` (brackets inside strings
    do not count). Works on any bytes: invalid JSON is left for the parser to report.

    All of it runs in C (byte counts, a regex, translate, accumulate): with strings removed
    and openers as 2, closers as 0, the running sum minus the count so far is the depth."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the common case: too few openers to nest that deep
    structure = _STRING.sub(b"", body).translate(_OPENERS_AS_2, _NOT_STRUCTURE)
    if len(structure) <= limit:
        return False
    if b"\x02" * (limit + 1) in structure:
        return True  # that many openers in a row: no need to add anything up
    depths: Iterator[int] = map(
        operator.sub, itertools.accumulate(structure), range(1, len(structure) + 1)
    )
    return max(depths) > limit


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return not kind or kind == "application/json" or kind.endswith("+json")


class BodyLimits:
    """ASGI middleware: reads each HTTP request's body within `max_bytes`, checks a JSON body's
    nesting against `max_depth`, then hands the body to the app as if never read."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, max_depth: int, answer: EarlyAnswer = early_answer
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away before it finished sending
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if (
            body
            and _is_json(_header(scope, b"content-type"))
            and json_nesting_exceeds(body, self.max_depth)
        ):
            message_text = (
                f"the JSON body nests arrays and objects deeper than {self.max_depth} levels"
            )
            await self.answer(scope, 422, message_text, "body", {})(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than the server's limit of {self.max_bytes} bytes"
        response = self.answer(scope, 413, message, "body", {"Connection": "close"})
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the whole body once, then whatever the client sends next (the
    disconnect a long poll waits for)."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
