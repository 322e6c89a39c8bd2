"""A log line while the agents' lanes are backed up: the sign that a server needs a replica.

A lane whose queue grows (api/thread_lanes.py) means agents wait for answers; past their
clients' timeouts they send again, and the fleet's work outruns the server. The operator sees
it in the server's log as it happens: which lane, how many calls wait, how many run; and a
last line when every lane has caught up again. Quiet when nothing waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from stackworks.api.thread_lanes import LaneLoad, ThreadLanes

log = logging.getLogger("stackworks.api")

#: calls waiting in one lane from which the log says so
BACKED_UP_AT = 100
EVERY = 5.0  # seconds between looks


def describe(loads: dict[str, LaneLoad]) -> str:
    """`loads` as one log line's text: each lane with calls running or waiting."""
    busy = [
        f"{lane} {load.running} running, {load.waiting} waiting"
        for lane, load in loads.items()
        if load.running or load.waiting
    ]
    return "; ".join(busy) or "idle"


class LaneWatch:
    """Looks at the lanes every `every` seconds on the app's event loop."""

    def __init__(
        self, lanes: ThreadLanes, every: float = EVERY, backed_up_at: int = BACKED_UP_AT
    ) -> None:
        self._lanes = lanes
        self._every = every
        self._backed_up_at = backed_up_at
        self._task: asyncio.Task[None] | None = None
        self.backed_up = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="lane-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def look(self) -> None:
        """One look: a line if a lane is backed up, or has just caught up."""
        loads = {str(lane): load for lane, load in self._lanes.backlog().items()}
        backed_up = any(load.waiting >= self._backed_up_at for load in loads.values())
        if backed_up:
            log.warning("agents' lanes backed up: %s", describe(loads))
        elif self.backed_up:
            log.warning("agents' lanes caught up: %s", describe(loads))
        self.backed_up = backed_up

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            self.look()
