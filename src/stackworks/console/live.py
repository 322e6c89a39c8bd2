"""Server-sent events that keep a page current without reloading it (console/static/console.js).

A feed is polled (in a worker thread: it reads the store) every `interval` seconds and answers
the messages to send since its last poll, and whether nothing more will come. The messages:

    event: swap    data: {"key": "instance:web1", "html": "<tr ...>"}  replace [data-live-key]
    event: append  data: {"key": "log:<id>", "text": "..."}            append text to it
    event: done    data: {}                                             the page is final

A stream ends after `lifetime` seconds (the browser's EventSource reconnects, and the feed's
first poll sends whatever the page missed: see `version`), or once the feed is done, or when
the client goes away. A comment line every `keepalive` seconds keeps proxies from closing it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Protocol

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse


@dataclass(frozen=True)
class LiveSettings:
    """How the live streams run; the app keeps one on `app.state.console_live`."""

    interval: float = 1.0  # seconds between polls
    lifetime: float = 300.0  # seconds a stream lasts before the browser reconnects
    keepalive: float = 15.0


@dataclass(frozen=True)
class Swap:
    key: str
    html: str


@dataclass(frozen=True)
class Append:
    key: str
    text: str


Message = Swap | Append


class Feed(Protocol):
    def poll(self) -> tuple[list[Message], bool]:
        """The messages since the last poll, and whether the feed is done."""
        ...


def version(parts: Iterable[object]) -> str:
    """A short digest of what a page shows; the page passes it back as `?v=` so the first poll
    knows whether anything changed between the render and the stream's start."""
    digest = hashlib.sha256(repr(list(parts)).encode())
    return digest.hexdigest()[:16]


def encode(message: Message) -> str:
    if isinstance(message, Swap):
        data = json.dumps({"key": message.key, "html": message.html})
        return f"event: swap\ndata: {data}\n\n"
    data = json.dumps({"key": message.key, "text": message.text})
    return f"event: append\ndata: {data}\n\n"


def settings_of(request: Request) -> LiveSettings:
    found = getattr(request.app.state, "console_live", None)
    return found if isinstance(found, LiveSettings) else LiveSettings()


async def _events(request: Request, feed: Feed, settings: LiveSettings) -> AsyncIterator[str]:
    yield f"retry: {int(max(settings.interval, 1.0) * 3000)}\n\n"
    started = last_sent = time.monotonic()
    while True:
        messages, done = await run_in_threadpool(feed.poll)
        for message in messages:
            yield encode(message)
        now = time.monotonic()
        if messages:
            last_sent = now
        if done:
            yield "event: done\ndata: {}\n\n"
            return
        if now - started >= settings.lifetime or await request.is_disconnected():
            return
        if now - last_sent >= settings.keepalive:
            yield ": keep-alive\n\n"
            last_sent = now
        await anyio.sleep(settings.interval)


def stream(request: Request, feed: Feed) -> StreamingResponse:
    """The feed as an event stream answer."""
    return StreamingResponse(
        _events(request, feed, settings_of(request)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
