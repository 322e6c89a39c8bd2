"""Stack configuration versions over the agent routes: commands name the version of their
shared sections, which an agent fetches once per change, 304 when asked again, 404 for another
stack's; an agent that does not ask for versions gets the whole configuration inline."""

from __future__ import annotations

from typing import Any

from stackworks.domain import shared_configuration
from stackworks.domain.configuration_delta import ConfigurationDelta, apply
from stackworks.wire.schemas import StackConfigurationDelta
from support.api_harness import Api, make_instance, make_layer, make_stack

from .test_lifecycle import FakeAgent, bring_online, setup_stack


def poll_by_version(agent: FakeAgent) -> dict[str, Any] | None:
    got = agent.api.get(
        "/agent/commands?wait=0&stack_configuration=by_version",
        headers=agent.api.headers(agent.credential),
    )
    assert got.status_code == 200, got.text
    commands = got.json()["commands"]
    return commands[0] if commands else None


def fetch(agent: FakeAgent, version: str, **headers: str) -> Any:
    return agent.api.get(
        f"/agent/stack-configuration/{version}",
        headers={**agent.api.headers(agent.credential), **headers},
    )


def test_a_configure_names_its_version_and_carries_only_its_own_sections(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    lb.drain()
    bring_online(api, "app1")
    configure = poll_by_version(lb)
    assert configure is not None and configure["type"] == "configure"
    version = configure["stack_configuration"]
    assert len(version) == 64
    assert "instances" not in configure["configuration"]
    assert "layers" not in configure["configuration"]
    assert configure["configuration"]["self"]["hostname"] == "lb1"
    answer = fetch(lb, version)
    assert answer.status_code == 200
    assert answer.headers["etag"] == f'"{version}"'
    assert sorted(answer.json()["instances"]) == ["app1", "lb1"]
    assert sorted(answer.json()["layers"]["app"]["instances"]) == ["app1"]


def test_a_version_fetched_again_without_change_answers_304_with_no_body(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    configure = poll_by_version(lb)
    assert configure is not None
    version = configure["stack_configuration"]
    first = fetch(lb, version)
    again = fetch(lb, version, **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert fetch(lb, version, **{"If-None-Match": '"another"'}).status_code == 200


def test_every_instance_of_one_change_gets_the_same_version_and_a_change_a_new_one(
    api: Api,
) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    lb.drain()
    app1 = bring_online(api, "app1")
    on_lb, on_app1 = poll_by_version(lb), poll_by_version(app1)
    assert on_lb is not None and on_app1 is not None
    assert on_lb["stack_configuration"] == on_app1["stack_configuration"]
    lb.run(on_lb)
    app1.run(on_app1)
    bring_online(api, "app2")
    after = poll_by_version(lb)
    assert after is not None
    assert after["stack_configuration"] != on_lb["stack_configuration"]
    assert sorted(fetch(lb, after["stack_configuration"]).json()["instances"]) == [
        "app1",
        "app2",
        "lb1",
    ]
    old = fetch(lb, on_lb["stack_configuration"]).json()  # still stored: history shows it
    assert sorted(old["instances"]) == ["app1", "lb1"]


def agent_of_another_stack(api: Api) -> FakeAgent:
    """web1 of stack `other`, started and heard from."""
    make_stack(api, "other")
    make_layer(api, "other", "web")
    make_instance(api, "other", ["web"], "web1")
    api.post("/stacks/other/instances/web1/start")
    api.tick()
    stranger = FakeAgent(api, "web1")
    stranger.heartbeat()
    return stranger


def test_an_agent_of_another_stack_gets_404_for_this_stack_version(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    configure = poll_by_version(lb)
    assert configure is not None
    stranger = agent_of_another_stack(api)
    refused = fetch(stranger, configure["stack_configuration"])
    assert refused.status_code == 404
    assert "lb1" not in refused.text  # nothing of the other stack's state
    assert fetch(stranger, "0" * 64).status_code == 404
    assert fetch(lb, configure["stack_configuration"]).status_code == 200


def test_an_agent_that_does_not_ask_for_versions_gets_the_whole_configuration(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    lb.drain()
    bring_online(api, "app1")
    inline = lb.next()  # the poll an agent older than versions makes
    assert inline is not None
    assert inline.get("stack_configuration") is None
    assert sorted(inline["configuration"]["instances"]) == ["app1", "lb1"]
    by_version = poll_by_version(lb)  # the same command, asked the new way
    assert by_version is not None and by_version["id"] == inline["id"]
    shared = fetch(lb, by_version["stack_configuration"]).json()
    assert {**by_version["configuration"], **shared} == inline["configuration"]


def test_the_command_history_shows_the_whole_configuration(api: Api) -> None:
    setup_stack(api)
    bring_online(api, "lb1")
    bring_online(api, "app1")
    listed = api.get("/stacks/demo/commands?instance=lb1&type=configure&configuration=true")
    assert listed.status_code == 200
    assert sorted(listed.json()[-1]["configuration"]["instances"]) == ["app1", "lb1"]
    shown = api.get(f"/stacks/demo/commands/{listed.json()[-1]['id']}?configuration=true")
    assert sorted(shown.json()["configuration"]["instances"]) == ["app1", "lb1"]


def poll_having(agent: FakeAgent, have: str) -> dict[str, Any] | None:
    return agent.next(stack_configuration="by_version", have=have)


def as_delta(wire: dict[str, Any]) -> ConfigurationDelta:
    return StackConfigurationDelta.model_validate(wire).to_delta()


def test_a_poll_that_names_the_version_held_gets_the_delta_to_the_new_one(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    lb.drain()
    app1 = bring_online(api, "app1")
    held = poll_by_version(lb)
    assert held is not None
    old_version = held["stack_configuration"]
    old = fetch(lb, old_version).json()
    lb.run(held)
    app1.drain()
    bring_online(api, "app2")
    configure = poll_having(lb, old_version)
    assert configure is not None and configure["type"] == "configure"
    delta = configure["stack_configuration_delta"]
    assert delta is not None and delta["base"] == old_version
    new = fetch(lb, configure["stack_configuration"]).json()
    assert apply(old, as_delta(delta)) == new
    assert "lb1" not in str(delta["set"])  # only what changed: app2 came
    assert (
        shared_configuration.digest(new_stack_id(api), apply(old, as_delta(delta)))
        == (configure["stack_configuration"])
    )


def test_no_delta_from_a_version_unknown_or_of_another_stack(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    lb.drain()
    stranger = agent_of_another_stack(api)
    setup = poll_by_version(stranger)
    assert setup is not None
    theirs = setup["stack_configuration"]
    bring_online(api, "app1")
    configure = poll_having(lb, theirs)
    assert configure is not None
    assert configure["stack_configuration_delta"] is None
    assert "web1" not in str(configure)  # nothing of the other stack's state
    again = poll_having(lb, "0" * 64)
    assert again is not None and again["id"] == configure["id"]
    assert again["stack_configuration_delta"] is None


def new_stack_id(api: Api) -> str:
    return str(api.get("/stacks/demo").json()["id"])
