"""A wake-up signal for long-polling agents: bumped whenever commands are queued.

In one process the counter is all there is. Replicas on PostgreSQL also relay every bump to
the others (`relay_to`, store/wakeups.py), whose listener calls `wake`: a bump seen here only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class CommandSignal:
    """A counter that pollers compare against the value they last saw; cheap to read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._relay: Callable[[], None] | None = None

    @property
    def version(self) -> int:
        return self._version

    def relay_to(self, publish: Callable[[], None]) -> None:
        """Send every later `bump` on to `publish` too (the other replicas' pollers)."""
        self._relay = publish

    def bump(self) -> None:
        """Something was queued or ended here: wake this process's pollers, and the others'."""
        self.wake()
        if self._relay is not None:
            self._relay()

    def wake(self) -> None:
        """Wake this process's pollers only (a notification from another replica)."""
        with self._lock:
            self._version += 1
