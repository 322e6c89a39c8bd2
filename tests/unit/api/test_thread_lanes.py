"""Each lane has its own threads and its own queue: work waiting in one never holds up another,
a lane never runs more at once than its threads, and a call that may be shed is refused, not
queued, when its lane is too backed up to do it in time."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from stackworks.api.thread_lanes import (
    MAX_RETRY_AFTER,
    METER_SPAN,
    RETRY_AFTER,
    Lane,
    LaneMeter,
    Shed,
    Shedding,
    ThreadLanes,
)

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


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _told(meter: LaneMeter, waiting: int = 0, times: int = 300) -> set[int]:
    return {meter.retry_after(waiting) for _ in range(times)}


def test_a_call_shed_by_a_lane_that_keeps_up_is_told_a_few_seconds() -> None:
    meter = LaneMeter(Clock())
    for _ in range(100):
        meter.note_done()
    meter.note_shed()
    told = _told(meter, waiting=50)  # 20 a second: the queued and the shed done in 2.6 s
    assert min(told) >= RETRY_AFTER[0] and max(told) <= RETRY_AFTER[1]


def test_the_more_are_shed_for_what_the_lane_gets_done_the_longer_they_are_told_to_wait() -> None:
    meter = LaneMeter(Clock())
    for _ in range(50):  # 10 a second
        meter.note_done()
    for _ in range(300):
        meter.note_shed()
    told = _told(meter, waiting=200)  # (200 + 300) / 10 a second: 50 s to catch up
    assert min(told) >= RETRY_AFTER[0] and max(told) <= 50
    assert max(told) > 40  # spread over the whole time, not bunched at the start
    for _ in range(3000):
        meter.note_shed()
    assert max(_told(meter, waiting=200)) == MAX_RETRY_AFTER


def test_sheds_older_than_the_meters_span_no_longer_count() -> None:
    clock = Clock()
    meter = LaneMeter(clock)
    for _ in range(1000):
        meter.note_shed()
    clock.now += METER_SPAN + 0.1
    assert max(_told(meter)) <= RETRY_AFTER[1]


def test_the_calls_a_lane_runs_count_as_what_it_gets_done() -> None:
    lanes = ThreadLanes(SMALL)

    async def scenario() -> None:
        for _ in range(50):  # 10 a second over the meter's span
            await lanes.run(Lane.AGENT_WORK, int)

    asyncio.run(scenario())
    meter = lanes.meter(Lane.AGENT_WORK)
    for _ in range(300):
        meter.note_shed()
    assert 20 < max(_told(meter)) <= 30  # 300 shed at 10 a second
