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
import math
import random
import time
import weakref
from collections import deque
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


#: seconds a shed call is told to wait when few are shed: spread, so they do not all come back
#: at once; more are told to wait longer (`LaneMeter.retry_after`), up to MAX_RETRY_AFTER
RETRY_AFTER = (1, 5)
#: the longest a shed call is told to wait (the agent waits at most this long, agent/client.py)
MAX_RETRY_AFTER = 60
#: seconds over which a lane's calls done and shed are counted
METER_SPAN = 5.0


class LaneMeter:
    """A lane's calls done and shed in the last METER_SPAN seconds: how long a shed call
    should wait for the lane to have caught up with it.

    Told 1-5 s whatever the load, 5,000 agents whose first configure's fetches and polls were
    shed came back about 1,600 times a second, each refusal a request the server parses,
    authorizes and answers: 108,000 polls and 39,000 fetches shed in one run at N=5,000, the
    server at 98 % of a core, and the configure not done in 180 s (bench/README.md, round 9).
    So the wait told spreads the calls shed lately, with those queued, over the time the lane
    takes to do that many at the rate it has been doing them: they come back about as fast as
    they can be served."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._done: deque[float] = deque()
        self._shed: deque[float] = deque()

    def note_done(self, calls: int = 1) -> None:
        for _ in range(calls):
            self._note(self._done)

    def note_shed(self) -> None:
        self._note(self._shed)

    def retry_after(self, waiting: int) -> int:
        """Seconds for a call shed now to wait, `waiting` calls being queued in the lane."""
        now = self._clock()
        for times in (self._done, self._shed):
            _forget_before(times, now - METER_SPAN)
        rate = max(1.0, len(self._done) / METER_SPAN)  # calls a second the lane gets done
        horizon = (waiting + len(self._shed)) / rate  # seconds to do the queued and the shed
        longest = min(MAX_RETRY_AFTER, max(RETRY_AFTER[1], math.ceil(horizon)))
        return random.randint(RETRY_AFTER[0], longest)

    def _note(self, times: deque[float]) -> None:
        now = self._clock()
        times.append(now)
        _forget_before(times, now - METER_SPAN)


def _forget_before(times: deque[float], moment: float) -> None:
    while times and times[0] < moment:
        times.popleft()


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
        self._meters: dict[Lane, LaneMeter] = {}
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
        meter = self.meter(lane)
        shedding = shedding or Shedding()
        waiting = limiter.statistics().tasks_waiting
        if shedding.admit_at_most is not None and waiting >= shedding.admit_at_most:
            meter.note_shed()
            raise Shed(lane, meter.retry_after(waiting))
        if shedding.waited_at_most is not None:
            work = _skipped_after(time.monotonic() + shedding.waited_at_most, work)
        try:
            answer = await anyio.to_thread.run_sync(work, *args, limiter=limiter)
        except _TooLate:
            meter.note_shed()
            raise Shed(lane, meter.retry_after(limiter.statistics().tasks_waiting)) from None
        meter.note_done()
        return answer

    def meter(self, lane: Lane) -> LaneMeter:
        """The lane's count of calls done and shed lately (one for all event loops)."""
        if lane not in self._meters:
            self._meters[lane] = LaneMeter()
        return self._meters[lane]

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


class _TooLate(Exception):
    """A thread took the call after its caller's patience ran out: not run."""


def _skipped_after(give_up_at: float, work: Callable[[*Args], T]) -> Callable[[*Args], T]:
    """`work`, unless a thread takes it after `give_up_at`: its caller may be gone by then."""

    def unless_late(*args: *Args) -> T:
        if time.monotonic() > give_up_at:
            raise _TooLate
        return work(*args)

    return unless_late
