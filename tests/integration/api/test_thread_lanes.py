"""An agent's heartbeat is answered while every thread for the agents' other work is taken:
a fan-out's deliveries and results queue in their own lane, not in front of heartbeats; and a
poll is refused with a Retry-After, not queued, when too many polls wait for their first look."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from stackworks.api.poll_looks import PollLooks
from stackworks.api.thread_lanes import THREADS, Lane, ThreadLanes
from support.api_harness import Api

from .test_lifecycle import FakeAgent
from .test_timeouts import three_online_without_healing


def test_a_heartbeat_is_answered_while_the_agents_other_work_waits_for_a_thread(
    api: Api,
) -> None:
    three_online_without_healing(api)
    agent = FakeAgent(api, "app1")
    lanes: ThreadLanes = api.client.app.state.lanes  # type: ignore[attr-defined]
    release = threading.Event()
    assert api.client.portal is not None
    blockers = [
        api.client.portal.start_task_soon(lanes.run, Lane.AGENT_WORK, release.wait, 20.0)
        for _ in range(THREADS[Lane.AGENT_WORK])
    ]
    try:
        with ThreadPoolExecutor(1) as pool:
            poll = pool.submit(agent.next)  # queued behind the blockers
            assert agent.heartbeat()["status"] == "online"
            assert not any(blocker.done() for blocker in blockers)  # answered before release
            assert not poll.done()
            release.set()
            poll.result(timeout=30)  # then the poll is served (it answers, or raises)
    finally:
        release.set()
        for blocker in blockers:
            blocker.result(timeout=30)


def test_a_poll_is_answered_503_with_retry_after_when_too_many_polls_wait_for_a_look(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    three_online_without_healing(api)
    agent = FakeAgent(api, "app1")
    state = api.client.app.state  # type: ignore[attr-defined]
    # a server whose looks admit none: every poll finds the queue full
    monkeypatch.setattr(state, "poll_looks", PollLooks(api.db, state.lanes, admit_at_most=0))
    answer = api.get("/agent/commands", params={"wait": "0"}, headers=api.headers(agent.credential))
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["Retry-After"]) >= 1
    assert "busy" in answer.json()["detail"]["message"]
    assert agent.heartbeat()["status"] == "online"  # nothing of it was held against the agent
