"""The server says in its log when the agents' lanes are backed up, and when they have caught
up; it says nothing while they keep up."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from stackworks.api.lane_watch import LaneWatch
from stackworks.api.thread_lanes import Lane, LaneLoad, ThreadLanes

SMALL = {lane: 1 for lane in Lane}


def test_backlog_counts_the_calls_running_and_waiting_in_each_lane() -> None:
    lanes = ThreadLanes(SMALL)
    release = threading.Event()

    async def scenario() -> dict[Lane, LaneLoad]:
        busy = [asyncio.create_task(lanes.run(Lane.RESULTS, release.wait, 30.0)) for _ in range(3)]
        await asyncio.sleep(0.05)
        loads = lanes.backlog()
        release.set()
        await asyncio.gather(*busy)
        return loads

    loads = asyncio.run(scenario())
    assert loads[Lane.RESULTS] == LaneLoad(running=1, waiting=2)
    assert loads[Lane.AGENT_WORK] == LaneLoad(running=0, waiting=0)


def test_a_backed_up_lane_is_logged_and_so_is_its_catching_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lanes = ThreadLanes(SMALL)
    watch = LaneWatch(lanes, backed_up_at=2)
    release = threading.Event()

    async def scenario() -> None:
        watch.look()  # idle: nothing said
        busy = [
            asyncio.create_task(lanes.run(Lane.AGENT_WORK, release.wait, 30.0)) for _ in range(4)
        ]
        await asyncio.sleep(0.05)
        watch.look()
        release.set()
        await asyncio.gather(*busy)
        watch.look()
        watch.look()  # caught up already said: nothing more

    with caplog.at_level(logging.WARNING, logger="stackworks.api"):
        asyncio.run(scenario())
    assert [r.getMessage() for r in caplog.records] == [
        "agents' lanes backed up: agent work 1 running, 3 waiting",
        "agents' lanes caught up: idle",
    ]
