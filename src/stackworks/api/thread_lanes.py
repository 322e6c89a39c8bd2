"""Worker-thread lanes for the agents' calls: a heartbeat never waits behind a fan-out's work.

Blocking work (every database transaction) runs on worker threads. FastAPI's one pool of 40
threads serves its calls first come, first served: when a fleet's configure queued thousands
of deliveries, fetches and results, a heartbeat queued behind them all waited tens of seconds
(bench/agents_bench.py, 5,000 agents), long enough for the agent's client to give up and send
it again, adding to the queue, and for a silence to look like a lost instance. So the agents'
calls run in lanes, each with its own few threads and its own queue:

- `Lane.HEARTBEAT`: heartbeats, short and the one thing whose delay has consequences;
- `Lane.WAKE_UP`: the long-poll hub's look for who has a command (api/poll_hub.py), one at a
  time, so wake-ups do not wait behind the work they start;
- `Lane.AGENT_WORK`: the rest (deliveries, results, logs, configuration fetches).

Users' API calls keep FastAPI's pool. A lane's threads all share one interpreter lock, so a
lane is not faster work, only a separate queue; fewer threads also wait less for that lock
between their statements, and a call queued in a lane costs nothing while it waits.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar, TypeVarTuple

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")
Args = TypeVarTuple("Args")


class Lane(StrEnum):
    HEARTBEAT = "heartbeat"
    WAKE_UP = "wake-up"
    AGENT_WORK = "agent work"


#: threads per lane (their sum stays well inside the PostgreSQL pool, store/db.py)
THREADS: Mapping[Lane, int] = {Lane.HEARTBEAT: 8, Lane.WAKE_UP: 1, Lane.AGENT_WORK: 4}


class ThreadLanes:
    """One app's lanes. A limiter belongs to the event loop it was made on, and tests run an
    app on more than one loop, so each loop gets its own set, made on first use."""

    def __init__(self, threads: Mapping[Lane, int] = THREADS) -> None:
        self._threads = dict(threads)
        self._by_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[Lane, CapacityLimiter]
        ] = weakref.WeakKeyDictionary()

    async def run(self, lane: Lane, work: Callable[[*Args], T], *args: *Args) -> T:
        """`work(*args)` on one of the lane's threads, once one is free."""
        return await anyio.to_thread.run_sync(work, *args, limiter=self.limiter(lane))

    def limiter(self, lane: Lane) -> CapacityLimiter:
        limiters = self._by_loop.setdefault(asyncio.get_running_loop(), {})
        if lane not in limiters:
            limiters[lane] = CapacityLimiter(self._threads[lane])
        return limiters[lane]
