"""Each lane has its own threads and its own queue: work waiting in one never holds up another,
a lane never runs more at once than its threads, and a call that may be shed is refused, not
queued, when its lane is too backed up to do it in time."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from stackworks.api.thread_lanes import RETRY_AFTER, Lane, Shed, Shedding, ThreadLanes

SMALL = {lane: 1 for lane in Lane} | {Lane.AGENT_WORK: 2}


def test_a_lane_whose_threads_are_all_taken_does_not_hold_up_another_lane() -> None:
    lanes = ThreadLanes(SMALL)
    release = threading.Event()

    async def scenario() -> tuple[str, bool]:
        busy = [
            asyncio.create_task(lanes.run(Lane.AGENT_WORK, release.wait, 30.0)) for _ in range(3)
        ]
        await asyncio.sleep(0.05)  # the lane's two threads taken, a third call queued
        beat = await lanes.run(Lane.HEARTBEAT, lambda: "beat")
        still_blocked = not any(task.done() for task in busy)
        release.set()
        await asyncio.gather(*busy)
        return beat, still_blocked

    assert asyncio.run(scenario()) == ("beat", True)


def test_a_lane_runs_at_most_as_many_calls_at_once_as_it_has_threads() -> None:
    lanes = ThreadLanes(SMALL)
    lock = threading.Lock()
    running = [0]
    most = [0]

    def work() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        threading.Event().wait(0.02)
        with lock:
            running[0] -= 1

    async def scenario() -> None:
        await asyncio.gather(*(lanes.run(Lane.AGENT_WORK, work) for _ in range(8)))

    asyncio.run(scenario())
    assert most[0] == 2


def test_lanes_serve_each_event_loop_they_are_used_on() -> None:
    lanes = ThreadLanes(SMALL)
    for _ in range(2):  # a limiter made on the first loop would not serve the second
        assert asyncio.run(lanes.run(Lane.WAKE_UP, lambda: 1)) == 1


def test_a_shedding_call_is_refused_at_once_when_its_lane_holds_enough_waiting() -> None:
    lanes = ThreadLanes(SMALL)
    release = threading.Event()
    ran = []

    async def scenario() -> Shed:
        busy = [
            asyncio.create_task(lanes.run(Lane.AGENT_WORK, release.wait, 30.0)) for _ in range(4)
        ]
        await asyncio.sleep(0.05)  # two running, two waiting
        try:
            with pytest.raises(Shed) as refused:
                await lanes.run(Lane.AGENT_WORK, ran.append, 1, shedding=Shedding(admit_at_most=2))
        finally:
            release.set()
            await asyncio.gather(*busy)
        return refused.value

    refused = asyncio.run(scenario())
    assert ran == []
    assert refused.lane is Lane.AGENT_WORK
    assert RETRY_AFTER[0] <= refused.retry_after <= RETRY_AFTER[1]


def test_a_shedding_call_that_waited_too_long_for_a_thread_is_skipped_not_run() -> None:
    lanes = ThreadLanes(SMALL)
    ran = []

    async def scenario() -> None:
        busy = [asyncio.create_task(lanes.run(Lane.AGENT_WORK, time.sleep, 0.3)) for _ in range(2)]
        await asyncio.sleep(0.05)
        late = lanes.run(Lane.AGENT_WORK, ran.append, 1, shedding=Shedding(waited_at_most=0.1))
        prompt = lanes.run(Lane.AGENT_WORK, ran.append, 2, shedding=Shedding(waited_at_most=5))
        outcomes = await asyncio.gather(late, prompt, return_exceptions=True)
        await asyncio.gather(*busy)
        assert isinstance(outcomes[0], Shed)
        assert outcomes[1] is None

    asyncio.run(scenario())
    assert ran == [2]
