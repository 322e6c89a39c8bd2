"""A wake-up signal for long-polling agents: bumped whenever commands are queued."""

from __future__ import annotations

import threading


class CommandSignal:
    """A counter that pollers compare against the value they last saw; cheap to read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0

    @property
    def version(self) -> int:
        return self._version

    def bump(self) -> None:
        with self._lock:
            self._version += 1
