"""A command's output on its way to the server: scrubbed, batched, numbered.

Every line is scrubbed of the configuration's secure values BEFORE it is stored anywhere in
the agent, so no later step (buffer, outbox file, server) can leak one. Lines are sent in
chunks numbered from 0 (`seq`), when 100 lines are waiting or every ~0.5 s, by a background
thread that never blocks the converge run, so a long command's log shows while it runs. A
chunk that cannot be sent now stays queued; when the command ends, the queued chunks and the
lines not yet sent are handed to the outbox, whose last chunk travels with the result.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from stackworks.agent.client import AgentClientError, AgentRequestError
from stackworks.domain.scrubbing import Scrubber
from stackworks.wire.schemas import LogChunk

__all__ = ["LogSink", "Scrubber"]

log = logging.getLogger("stackworks.agent")

MAX_LINES = 100
INTERVAL = 0.5


class LogSink:
    """Collects one command's lines; call it like `print` (the converge engine's `log`).

    `send` delivers one chunk or raises AgentClientError; it must not wait long (the agent
    passes a single-try send). Use as a context manager, or call `start()` and `close()`.
    """

    def __init__(
        self,
        send: Callable[[LogChunk], None],
        scrubber: Scrubber,
        *,
        max_lines: int = MAX_LINES,
        interval: float = INTERVAL,
    ) -> None:
        self._send = send
        self._scrub = scrubber
        self._max_lines = max_lines
        self._interval = interval
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._buffer: list[str] = []
        self._queue: list[LogChunk] = []
        self._next_seq = 0
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-sender", daemon=True)

    def start(self) -> LogSink:
        self._thread.start()
        return self

    def __enter__(self) -> LogSink:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __call__(self, text: str) -> None:
        """Add output; a string with newlines becomes several lines."""
        lines = [self._scrub.line(line) for line in str(text).splitlines() or [""]]
        with self._lock:
            self._buffer.extend(lines)
            full = len(self._buffer) >= self._max_lines
        if full:
            self._cut()
            self._try_send()

    def _cut(self) -> None:
        """Move the buffered lines into numbered chunks of at most `max_lines`."""
        with self._lock:
            while self._buffer:
                lines = self._buffer[: self._max_lines]
                del self._buffer[: self._max_lines]
                self._queue.append(LogChunk(seq=self._next_seq, lines=lines))
                self._next_seq += 1

    def _try_send(self) -> None:
        """Send queued chunks in order; stop at the first that cannot go now."""
        with self._send_lock:
            while True:
                with self._lock:
                    if not self._queue:
                        return
                    chunk = self._queue[0]
                try:
                    self._send(chunk)
                except AgentRequestError as exc:
                    log.error("log chunk %d refused, dropped: %s", chunk.seq, exc)
                except AgentClientError:
                    return  # kept for later, or for the outbox
                with self._lock:
                    self._queue.pop(0)

    def _run(self) -> None:
        while not self._closed.wait(self._interval):
            self._cut()
            self._try_send()

    def close(self) -> list[LogChunk]:
        """Stop the sender and return the chunks still unsent, the last lines cut into chunks
        too (for the outbox): sent now, the tail would cost a request the result saves."""
        self._closed.set()
        if self._thread.is_alive():
            self._thread.join()
        self._cut()
        with self._lock:
            return list(self._queue)

    @property
    def chunks_made(self) -> int:
        return self._next_seq
