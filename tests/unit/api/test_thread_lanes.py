"""Each lane has its own threads and its own queue: work waiting in one never holds up another,
and a lane never runs more at once than its threads."""

from __future__ import annotations

import asyncio
import threading

from stackworks.api.thread_lanes import Lane, ThreadLanes

SMALL = {Lane.HEARTBEAT: 1, Lane.WAKE_UP: 1, Lane.AGENT_WORK: 2}


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
