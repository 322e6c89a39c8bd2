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
- `Lane.RESULTS`: commands' results, many to a transaction (api/result_batches.py): they end
  work, so they never wait behind the polls and fetches that start more;
- `Lane.CONFIGURATION`: fetches of a stack configuration version (the body is encoded once,
  api/encoded_bodies.py; each fetch is one short transaction to check who asks);
- `Lane.AGENT_WORK`: the rest (polls' looks for a command, acks, logs).

At 5,000 agents in one lane, a fleet's first configure (every agent fetching the version, then
reporting) queued its results behind thousands of polls' first looks. Split, the fetches still
queued by the thousand: a call that waited past its client's timeout was sent again, and the
abandoned one still ran, so after a minute the lane did nothing but work no one waited for
(bench/README.md, round 8). So a call may be `Shed`: refused at once when its lane already
holds `admit_at_most` waiting calls, or skipped when a thread takes it after more than
`waited_at_most` seconds; either answers 503 with a Retry-After, and the agent tries again
then (agent/client.py), when the work can be done. Results are never shed: they end work.
`ThreadLanes.backlog` says what waits where; the server logs it while a lane is backed up
(api/lane_watch.py).

Users' API calls keep FastAPI's pool. A lane's threads all share one interpreter lock, so a
lane is not faster work, only a separate queue; fewer threads also wait less for that lock
between their statements, and a call queued in a lane costs nothing while it waits.
"""

from __future__ import annotations

import asyncio
import random
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar, TypeVarTuple

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")
Args = TypeVarTuple("Args")


class Lane(StrEnum):
    HEARTBEAT = "heartbeat"
    WAKE_UP = "wake-up"
    RESULTS = "results"
    CONFIGURATION = "configuration"
    AGENT_WORK = "agent work"


#: threads per lane (their sum stays well inside the PostgreSQL pool, store/db.py)
THREADS: Mapping[Lane, int] = {
    Lane.HEARTBEAT: 8,
    Lane.WAKE_UP: 1,
    Lane.RESULTS: 2,
    Lane.CONFIGURATION: 2,
    Lane.AGENT_WORK: 4,
}


@dataclass(frozen=True)
class Shedding:
    """When a lane refuses a call rather than queue it (None: never on that count)."""

    admit_at_most: int | None = None  # calls waiting in the lane, beyond which one is refused
    waited_at_most: float | None = None  # seconds queued, beyond which a call is skipped


class Shed(Exception):
    """A call refused (or skipped) because its lane is backed up: 503, try again later."""

    def __init__(self, lane: Lane, retry_after: int) -> None:
        super().__init__(f"the server is busy ({lane} backed up): try again in {retry_after} s")
        self.lane = lane
        self.retry_after = retry_after


#: seconds a shed call is told to wait: spread, so the shed do not all come back at once
RETRY_AFTER = (1, 5)


@dataclass(frozen=True)
class LaneLoad:
    """What one lane is doing now: calls on its threads, and calls queued for one."""

    running: int
    waiting: int


class ThreadLanes:
    """One app's lanes. A limiter belongs to the event loop it was made on, and tests run an
    app on more than one loop, so each loop gets its own set, made on first use."""

    def __init__(self, threads: Mapping[Lane, int] = THREADS) -> None:
        self._threads = dict(threads)
        self._by_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[Lane, CapacityLimiter]
        ] = weakref.WeakKeyDictionary()

    async def run(
        self,
        lane: Lane,
        work: Callable[[*Args], T],
        *args: *Args,
        shedding: Shedding | None = None,
    ) -> T:
        """`work(*args)` on one of the lane's threads, once one is free; with `shedding`,
        `Shed` instead when the lane is too backed up to do it in time."""
        limiter = self.limiter(lane)
        shedding = shedding or Shedding()
        if shedding.admit_at_most is not None and (
            limiter.statistics().tasks_waiting >= shedding.admit_at_most
        ):
            raise _shed(lane)
        if shedding.waited_at_most is not None:
            work = _skipped_after(time.monotonic() + shedding.waited_at_most, lane, work)
        return await anyio.to_thread.run_sync(work, *args, limiter=limiter)

    def backlog(self) -> dict[Lane, LaneLoad]:
        """Each lane's load on the running event loop (a lane not used yet: none)."""
        limiters = self._by_loop.get(asyncio.get_running_loop(), {})
        loads = {}
        for lane in Lane:
            limiter = limiters.get(lane)
            if limiter is None:
                loads[lane] = LaneLoad(0, 0)
            else:
                stats = limiter.statistics()
                loads[lane] = LaneLoad(int(stats.borrowed_tokens), stats.tasks_waiting)
        return loads

    def limiter(self, lane: Lane) -> CapacityLimiter:
        limiters = self._by_loop.setdefault(asyncio.get_running_loop(), {})
        if lane not in limiters:
            limiters[lane] = CapacityLimiter(self._threads[lane])
        return limiters[lane]


def _shed(lane: Lane) -> Shed:
    return Shed(lane, random.randint(*RETRY_AFTER))


def _skipped_after(
    give_up_at: float, lane: Lane, work: Callable[[*Args], T]
) -> Callable[[*Args], T]:
    """`work`, unless a thread takes it after `give_up_at`: its caller may be gone by then."""

    def unless_late(*args: *Args) -> T:
        if time.monotonic() > give_up_at:
            raise _shed(lane)
        return work(*args)

    return unless_late
