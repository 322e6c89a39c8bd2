"""A fleet that would beat faster than the server's cap is told a longer interval in each
heartbeat's answer, and its time-outs stretch with it: a silence the stretched interval
explains is not a lost instance, and a fleet that shrinks keeps the longer time-outs for a while.
A paced fleet is told to hold its long-polls longer too.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from stackworks.control.heartbeat_pacer import HOLD, HeartbeatPacer
from stackworks.domain.status import InstanceStatus
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from support.api_harness import Api

from .test_healing import silence
from .test_lifecycle import FakeAgent, status
from .test_timeouts import three_online_without_healing


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cap(api: Api, per_second: float, clock: Clock) -> HeartbeatPacer:
    """Give the server a heartbeat cap (and a clock the test moves)."""
    settings = replace(api.orchestrator.settings, max_heartbeats_per_second=per_second)
    pacer = HeartbeatPacer(settings, clock=clock)
    api.orchestrator.pacer = pacer
    api.client.app.state.pacer = pacer  # type: ignore[attr-defined]
    return pacer


def test_three_agents_over_a_cap_of_a_third_of_their_rate_are_told_three_times_the_interval(
    api: Api,
) -> None:
    three_online_without_healing(api)  # 3 agents every 5 s: 0.6 beats a second
    cap(api, 0.2, Clock())
    reply = FakeAgent(api, "app1").heartbeat()
    assert reply["heartbeat_interval"] == pytest.approx(15.0)
    assert reply["poll_wait"] == pytest.approx(60.0)  # 3 x 20 s, the longest a poll is held


def test_a_fleet_within_the_cap_keeps_its_stacks_own_interval(api: Api) -> None:
    three_online_without_healing(api)
    cap(api, 100.0, Clock())
    reply = FakeAgent(api, "app1").heartbeat()
    assert reply["heartbeat_interval"] == 5.0
    assert reply["poll_wait"] is None  # each agent keeps its own


def test_a_silence_the_stretched_interval_explains_is_not_a_lost_instance(api: Api) -> None:
    three_online_without_healing(api)
    cap(api, 0.3, Clock())  # stretched twice: beats every 10 s, lost after 30 s
    silence(api, "app2", 20)  # past the stack's own 15 s
    silence(api, "app3", 31)
    api.tick()
    assert [status(api, h) for h in ("app1", "app2", "app3")] == [
        "online",
        "online",
        "connection_lost",
    ]


def test_after_the_fleet_shrinks_the_time_outs_keep_the_stretch_until_the_hold_is_over(
    api: Api,
) -> None:
    three_online_without_healing(api)
    clock = Clock()
    pacer = cap(api, 0.3, clock)
    with api.db.transaction() as session:
        assert pacer.timeout_factor(session) == 2.0
    with api.db.transaction() as session:  # app1 is gone (how is tested elsewhere)
        stack = stack_store.get_by_name(session, "demo")
        app1 = instance_store.get_by_hostname(session, stack.id, "app1")
        instance_store.set_status(session, app1.id, InstanceStatus.STOPPED, "", None)
    clock.now += 10  # a new count: two agents, 0.4 a second
    with api.db.transaction() as session:
        assert pacer.interval_factor(session) < 2.0
        assert pacer.timeout_factor(session) == 2.0  # agents told 10 s may still be waiting
    clock.now += HOLD + 10
    with api.db.transaction() as session:
        assert pacer.timeout_factor(session) == pacer.interval_factor(session)
