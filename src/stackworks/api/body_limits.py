"""Request bodies the server refuses before any route sees them: too large, or nested too deep.

A body over the size limit is answered 413 as soon as its Content-Length says so, or as soon as
the bytes received pass the limit, so the server never holds more than the limit (plus one
chunk) of it. A JSON body nested deeper than the depth limit is answered 422 from a scan of the
raw bytes, before the JSON parser (which recurses, and would end in a RecursionError and a 500
on a body nested 10,000 deep) ever sees it. Both answers have the API's one error shape.
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stackworks.api.errors import error_body

#: the bytes that matter to nesting: quotes and backslashes (strings), brackets and braces
_STRUCTURE = re.compile(rb'["\\\[\]{}]')
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPENERS = (ord("["), ord("{"))
_CLOSERS = (ord("]"), ord("}"))


def json_nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays and objects in `body` nest deeper than `limit` (brackets inside strings
    do not count). Works on any bytes: invalid JSON is left for the parser to report."""
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _STRUCTURE.finditer(body):
        position = match.start()
        if position == escaped_at:
            continue
        byte = body[position]
        if in_string:
            if byte == _BACKSLASH:
                escaped_at = position + 1
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


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

    def __init__(self, app: ASGIApp, max_bytes: int, max_depth: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

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
            await JSONResponse(error_body(message_text, "body"), status_code=422)(
                scope, receive, send
            )
            return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than the server's limit of {self.max_bytes} bytes"
        response = JSONResponse(
            error_body(message, "body"), status_code=413, headers={"Connection": "close"}
        )
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
