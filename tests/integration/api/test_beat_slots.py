"""The server times its answers to each instance's slot (domain/beat_slots.py): a heartbeat's
answer says when to beat next, and an idle long-poll ends at the slot, within its wait."""

from __future__ import annotations

import time

import pytest

from stackworks.domain.beat_slots import slot_of, until_slot
from support.api_harness import Api

from .test_lifecycle import FakeAgent
from .test_timeouts import three_online_without_healing


def _instance_id(api: Api, hostname: str) -> str:
    return str(api.get(f"/stacks/demo/instances/{hostname}").json()["id"])


def test_a_heartbeat_answer_names_the_wait_to_the_instances_slot_within_the_interval(
    api: Api,
) -> None:
    three_online_without_healing(api)
    for hostname in ("app1", "app2", "app3"):
        slot = slot_of(_instance_id(api, hostname))
        before = time.time()
        reply = FakeAgent(api, hostname).heartbeat()
        after = time.time()
        assert 0 < reply["next_heartbeat_in"] <= reply["heartbeat_interval"] == 5.0
        # it lands on the slot, as reckoned at some moment while the call ran
        expected = {until_slot(slot, 5.0, before), until_slot(slot, 5.0, after)}
        assert min(expected) - 0.01 <= reply["next_heartbeat_in"] <= max(expected) + 0.01


@pytest.mark.parametrize("hostname", ["app1", "app2"])
def test_an_idle_poll_is_answered_at_the_instances_slot_not_after_the_whole_wait(
    api: Api, hostname: str
) -> None:
    three_online_without_healing(api)
    agent = FakeAgent(api, hostname)
    agent.drain()  # the configures the others' coming online queued
    slot, wait = slot_of(_instance_id(api, hostname)), 3.0
    began = time.time()
    answer = api.get(
        "/agent/commands", params={"wait": f"{wait:g}"}, headers=api.headers(agent.credential)
    )
    took = time.time() - began
    assert answer.status_code == 200 and answer.json()["commands"] == []
    # reckoned when the poll's first look ended, a moment after it was sent
    expected = [until_slot(slot, wait, began + delay) + delay for delay in (0.0, 0.1)]
    assert min(expected) - 0.05 <= took <= max(expected) + 0.5
    assert took <= wait + 0.5
