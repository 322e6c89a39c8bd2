"""`acknowledge=on_delivery`: an agent that asks for it has each command acknowledged by its
delivery (one request fewer per command); one that does not acks as before. A command taken as
acknowledged is started: a newer configure queues after it instead of superseding it."""

from __future__ import annotations

from typing import Any

from support.api_harness import Api

from .test_lifecycle import FakeAgent, bring_online, setup_stack


def poll(agent: FakeAgent, acknowledge: str | None) -> dict[str, Any] | None:
    asks = {"acknowledge": acknowledge} if acknowledge else {}
    return agent.next(stack_configuration="by_version", **asks)


def lb_with_a_configure_pending(api: Api) -> FakeAgent:
    """lb1 online with nothing pending, then app1 online: lb1 has a configure to get."""
    setup_stack(api)
    lb = bring_online(api, "lb1")
    lb.drain()
    bring_online(api, "app1")
    return lb


def shown(api: Api, command_id: str) -> dict[str, Any]:
    answer = api.get(f"/stacks/demo/commands/{command_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def report(agent: FakeAgent, command: dict[str, Any]) -> None:
    answer = agent.api.post(
        f"/agent/commands/{command['id']}/result",
        {"status": "successful", "exit_code": 0},
        headers=agent.api.headers(agent.credential),
    )
    assert answer.status_code == 204, answer.text


def test_a_command_delivered_on_delivery_terms_is_acknowledged_then(api: Api) -> None:
    lb = lb_with_a_configure_pending(api)
    configure = poll(lb, "on_delivery")
    assert configure is not None and configure["type"] == "configure"
    assert configure["acknowledged"] is True
    recorded = shown(api, configure["id"])
    assert recorded["acknowledged_at"] is not None
    assert recorded["sent_at"] is not None
    ack = api.post(f"/agent/commands/{configure['id']}/ack", headers=api.headers(lb.credential))
    assert ack.status_code == 204  # an ack sent anyway changes nothing
    report(lb, configure)
    assert shown(api, configure["id"])["status"] == "successful"


def test_an_agent_that_does_not_ask_acks_as_before(api: Api) -> None:
    lb = lb_with_a_configure_pending(api)
    configure = poll(lb, None)
    assert configure is not None
    assert configure["acknowledged"] is False
    assert shown(api, configure["id"])["acknowledged_at"] is None
    separately = poll(lb, "separately")
    assert separately is not None and separately["id"] == configure["id"]
    assert shown(api, configure["id"])["acknowledged_at"] is None


def test_a_configure_acknowledged_by_delivery_is_not_superseded_by_a_newer_one(
    api: Api,
) -> None:
    lb = lb_with_a_configure_pending(api)
    first = poll(lb, "on_delivery")
    assert first is not None and first["type"] == "configure"
    bring_online(api, "app2")  # queues another configure on lb1 while the first runs
    assert shown(api, first["id"])["status"] == "pending"
    report(lb, first)
    second = poll(lb, "on_delivery")
    assert second is not None and second["type"] == "configure"
    assert second["id"] != first["id"]
    assert shown(api, first["id"])["status"] == "successful"
