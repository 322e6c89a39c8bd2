"""Polls waiting when commands are queued get them from the long-poll hub, delivered for all of
them in one transaction, each shaped by what its own poll asked for; a poll with nothing for it
keeps waiting. A poll the hub delivered nothing to looks for itself, as before."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from stackworks.api.poll_hub import PollHub
from stackworks.api.routes import agent as agent_routes
from support.api_harness import Api
from support.processes import wait_until

from .test_lifecycle import FakeAgent
from .test_timeouts import three_online_without_healing


def quiet_stack_of_three(api: Api) -> dict[str, FakeAgent]:
    """app1, app2 and app3 online, each with nothing pending."""
    three_online_without_healing(api)
    agents = {h: FakeAgent(api, h) for h in ("app1", "app2", "app3")}
    for agent in agents.values():
        agent.drain()
    return agents


def long_poll(agent: FakeAgent, wait: float, **asks: str) -> list[dict[str, Any]]:
    got = agent.api.get(
        "/agent/commands",
        params={"wait": str(wait), **asks},
        headers=agent.api.headers(agent.credential),
    )
    assert got.status_code == 200, got.text
    return list(got.json()["commands"])


def test_polls_waiting_when_a_deployment_is_queued_get_their_commands_from_the_hub(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    agents = quiet_stack_of_three(api)
    looked_for_themselves: list[str] = []
    own_look = agent_routes._fetch

    def fetch(*args: Any) -> Any:
        looked_for_themselves.append(args[1])
        return own_look(*args)

    monkeypatch.setattr(agent_routes, "_fetch", fetch)
    hub: PollHub = api.client.app.state.poll_hub  # type: ignore[attr-defined]
    on_delivery = {"stack_configuration": "by_version", "acknowledge": "on_delivery"}
    with ThreadPoolExecutor(3) as pool:
        polls = {
            "app1": pool.submit(long_poll, agents["app1"], 20, **on_delivery),
            "app2": pool.submit(long_poll, agents["app2"], 20, **on_delivery),
            "app3": pool.submit(long_poll, agents["app3"], 20),  # acks apart, inline sections
        }
        wait_until(lambda: hub.waiting() == 3, what="three polls waiting in the hub")
        created = api.post(
            "/stacks/demo/deployments",
            {"command": {"name": "execute_recipes", "args": {"recipes": ["probe::x"]}}},
        )
        assert created.status_code == 201, created.text
        got = {host: poll.result(timeout=30) for host, poll in polls.items()}
    assert {host: [c["type"] for c in commands] for host, commands in got.items()} == {
        host: ["execute_recipes"] for host in agents
    }
    assert [got[h][0]["acknowledged"] for h in ("app1", "app2", "app3")] == [True, True, False]
    assert got["app1"][0]["stack_configuration"] is not None  # by version, as it asked
    assert got["app3"][0]["stack_configuration"] is None  # inline, as it asked
    assert "stack" in got["app3"][0]["configuration"]
    assert looked_for_themselves == []  # all three came with the hub's wake-up
    assert len({c[0]["id"] for c in got.values()}) == 3


def test_a_poll_with_nothing_queued_for_it_keeps_waiting_while_others_are_served(
    api: Api,
) -> None:
    agents = quiet_stack_of_three(api)
    hub: PollHub = api.client.app.state.poll_hub  # type: ignore[attr-defined]
    app1, app2 = agents["app1"], agents["app2"]
    with ThreadPoolExecutor(2) as pool:
        idle = pool.submit(long_poll, app2, 3)
        wait_until(lambda: hub.waiting() == 1, what="app2's poll waiting in the hub")
        created = api.post(
            "/stacks/demo/deployments",
            {
                "command": {"name": "execute_recipes", "args": {"recipes": ["probe::x"]}},
                "instances": ["app1"],
            },
        )
        assert created.status_code == 201, created.text
        assert [c["type"] for c in long_poll(app1, 5)] == ["execute_recipes"]
        assert not idle.done()
        assert idle.result(timeout=30) == []  # its wait ran out with nothing for it
