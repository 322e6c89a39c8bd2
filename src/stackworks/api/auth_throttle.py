"""Throttling of failed authentications, by client address, apart from the auth code itself.

The middleware watches the status of every answer: each 401 (or answer marked `AUTH_FAILED`)
counts against the address that asked, in a sliding window. An address with `max_failures`
401s in the last `window` seconds is answered 429 (with Retry-After: the seconds until its
oldest failure leaves the window) for every request, whatever token it sends, until the window
slides. It needs no knowledge of
tokens, users or routes, so it holds whatever the auth dependencies become. Behind a reverse
proxy the address is the one uvicorn takes from X-Forwarded-For (docs/security.md).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stackworks.api.errors import EarlyAnswer, early_answer

#: set on `request.state` by an endpoint whose failed authentications are not 401s (the
#: OpsWorks API answers them 400, as AWS does), so they count all the same
AUTH_FAILED = "auth_failed"
#: client addresses remembered at most; past that, the ones with no recent failure go first
MAX_TRACKED_CLIENTS = 10_000


class FailedAuthThrottle:
    """ASGI middleware: 429 for an address after `max_failures` 401s within `window` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        max_failures: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        answer: EarlyAnswer = early_answer,
    ) -> None:
        self.app = app
        self.answer = answer
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_failures <= 0:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        retry_after = self.retry_after(address)
        if retry_after is not None:
            message = (
                f"too many failed authentications from {address}; try again in {retry_after} s"
            )
            response = self.answer(scope, 429, message, None, {"Retry-After": str(retry_after)})
            await response(scope, receive, send)
            return

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start" and (
                message.get("status") == 401 or scope.get("state", {}).get(AUTH_FAILED)
            ):
                self.record_failure(address)
            await send(message)

        await self.app(scope, receive, watching)

    def retry_after(self, address: str) -> int | None:
        """Whole seconds until `address` may try again, or None when it is not throttled."""
        recent = self._recent(address)
        if recent is None or len(recent) < self.max_failures:
            return None
        return max(1, math.ceil(recent[0] + self.window - self.clock()))

    def record_failure(self, address: str) -> None:
        recent = self._recent(address)
        if recent is None:
            if len(self._failures) >= MAX_TRACKED_CLIENTS:
                self._forget_quiet_clients()
            recent = self._failures.setdefault(address, deque())
        recent.append(self.clock())
        while len(recent) > self.max_failures:
            recent.popleft()

    def _recent(self, address: str) -> deque[float] | None:
        recent = self._failures.get(address)
        if recent is None:
            return None
        horizon = self.clock() - self.window
        while recent and recent[0] <= horizon:
            recent.popleft()
        if not recent:
            del self._failures[address]
            return None
        return recent

    def _forget_quiet_clients(self) -> None:
        horizon = self.clock() - self.window
        for address in [a for a, times in self._failures.items() if times[-1] <= horizon]:
            del self._failures[address]
        while len(self._failures) >= MAX_TRACKED_CLIENTS:
            del self._failures[next(iter(self._failures))]
