"""The lifecycle through the API, with the agent's side played by the test.

Start -> requested -> pending -> booting -> (heartbeat) running_setup -> (setup ok) online; each
time an instance enters or leaves online, configure goes to every online instance with the
stack state of that moment.
"""

from __future__ import annotations

from typing import Any

import pytest

from stackworks.control import agents
from stackworks.store import commands as command_store
from support.api_harness import Api, make_instance, make_layer, make_stack

FILTERED = "*****FILTERED*****"


class FakeAgent:
    """Plays one instance's agent over the real agent routes."""

    def __init__(self, api: Api, hostname: str) -> None:
        self.api = api
        call = [c for c in api.provider.calls if c.method == "start" and c.hostname == hostname]
        self.credential = str(call[-1].args["agent_config"]["credential"])

    def heartbeat(self) -> dict[str, Any]:
        answer = self.api.post(
            "/agent/heartbeat", {"metrics": {"cpu": 1.0}}, headers=self.api.headers(self.credential)
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def next(self, **asks: str) -> dict[str, Any] | None:
        """The first command a poll answers, `asks` its query parameters besides wait=0."""
        got = self.api.get(
            "/agent/commands",
            params={"wait": "0", **asks},
            headers=self.api.headers(self.credential),
        )
        assert got.status_code == 200, got.text
        commands = got.json()["commands"]
        return commands[0] if commands else None

    def run(self, command: dict[str, Any], status: str = "successful") -> None:
        h = self.api.headers(self.credential)
        assert self.api.post(f"/agent/commands/{command['id']}/ack", headers=h).status_code == 204
        self.api.post(
            f"/agent/commands/{command['id']}/log",
            {"seq": 0, "lines": [f"ran {command['type']}"]},
            headers=h,
        )
        result = {"status": status, "exit_code": 0 if status == "successful" else 1}
        answer = self.api.post(f"/agent/commands/{command['id']}/result", result, headers=h)
        assert answer.status_code == 204

    def drain(self) -> list[dict[str, Any]]:
        """Run every pending command; returns them."""
        ran = []
        while (command := self.next()) is not None:
            self.run(command)
            ran.append(command)
        return ran


def status(api: Api, hostname: str) -> str:
    return str(api.get(f"/stacks/demo/instances/{hostname}").json()["status"])


def bring_online(api: Api, hostname: str) -> FakeAgent:
    api.post(f"/stacks/demo/instances/{hostname}/start")
    assert status(api, hostname) == "requested"
    api.tick()
    assert status(api, hostname) == "booting"
    agent = FakeAgent(api, hostname)
    assert agent.heartbeat()["status"] == "running_setup"
    setup = agent.next()
    assert setup is not None and setup["type"] == "setup"
    agent.run(setup)
    assert status(api, hostname) == "online"
    return agent


def online_in(configuration: dict[str, Any]) -> list[str]:
    return sorted(configuration["instances"])


def setup_stack(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "lb", recipes={"configure": ["probe::configure"]})
    make_layer(api, "demo", "app", recipes={"setup": ["probe::setup"]})
    make_instance(api, "demo", ["lb"], "lb1")
    make_instance(api, "demo", ["app"], "app1")
    make_instance(api, "demo", ["app"], "app2")


def test_instances_go_online_and_configure_reaches_every_online_instance(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    configures = lb.drain()
    assert [online_in(c["configuration"]) for c in configures] == [["lb1"]]
    app1 = bring_online(api, "app1")
    for agent in (lb, app1):
        ran = agent.drain()
        assert [c["type"] for c in ran] == ["configure"]
        assert ran[0]["run_list"][0] == "stackworks::ssh_users"  # every layer type's configure
        assert online_in(ran[0]["configuration"]) == ["app1", "lb1"]
        assert ran[0]["configuration"]["layers"]["app"]["instances"]["app1"]["private_ip"]


def test_setup_runs_setup_then_deploy_recipes_of_the_layers(api: Api) -> None:
    setup_stack(api)
    api.post("/stacks/demo/instances/app1/start")
    api.tick()
    agent = FakeAgent(api, "app1")
    agent.heartbeat()
    setup = agent.next()
    assert setup is not None
    assert setup["run_list"] == [
        "stackworks::volumes",
        "stackworks::packages",
        "stackworks::ssh_users",
        "probe::setup",
    ]


def test_configures_not_yet_started_are_superseded_by_the_newest(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    bring_online(api, "app1")
    bring_online(api, "app2")
    ran = lb.drain()  # three configures were queued for lb1; only the newest runs
    assert len(ran) == 1
    assert online_in(ran[0]["configuration"]) == ["app1", "app2", "lb1"]
    listed = api.get("/stacks/demo/commands?instance=lb1&type=configure").json()
    assert [c["status"] for c in listed] == ["skipped", "skipped", "successful"]


def test_a_configure_deployment_supersedes_the_unstarted_configures_of_all_its_targets(
    api: Api,
) -> None:
    setup_stack(api)
    lb, app = bring_online(api, "lb1"), bring_online(api, "app1")
    answer = api.post("/stacks/demo/deployments", {"command": {"name": "configure"}})
    assert answer.status_code == 201, answer.text
    for agent, hostname in ((lb, "lb1"), (app, "app1")):
        ran = agent.drain()  # the configures of the others' coming online were never started
        assert [(c["type"], c["deployment_id"]) for c in ran] == [
            ("configure", answer.json()["id"])
        ]
        listed = api.get(f"/stacks/demo/commands?instance={hostname}&type=configure").json()
        assert listed[-1]["status"] == "successful"
        assert {c["status"] for c in listed[:-1]} == {"skipped"}


def test_a_shutdown_waits_for_the_others_configures_at_most_the_hold_time(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    app1 = bring_online(api, "app1")
    lb.drain()
    app1.drain()
    api.post("/stacks/demo/instances/app1/stop")
    assert app1.next() is None  # lb1 has not run its configure about app1 leaving
    monkeypatch.setattr(agents, "SHUTDOWN_HOLD", 0.0)  # ... and it never will, say
    shutdown = app1.next()
    assert shutdown is not None and shutdown["type"] == "shutdown"


def test_stop_runs_shutdown_configures_the_others_and_ends_processes(api: Api) -> None:
    setup_stack(api)
    lb = bring_online(api, "lb1")
    app1 = bring_online(api, "app1")
    lb.drain()
    app1.drain()
    api.post("/stacks/demo/instances/app1/stop")
    assert status(api, "app1") == "stopping"
    assert app1.next() is None  # shutdown waits until the others no longer route to it
    after = lb.drain()
    assert [online_in(c["configuration"]) for c in after] == [["lb1"]]
    shutdown = app1.next()
    assert shutdown is not None and shutdown["type"] == "shutdown"
    app1.run(shutdown)
    assert status(api, "app1") == "shutting_down"
    api.tick()
    assert status(api, "app1") == "stopped"
    assert ("stop", "app1") in [(c.method, c.hostname) for c in api.provider.calls]


def test_a_failed_setup_leaves_the_instance_setup_failed_and_sends_no_configure(
    api: Api,
) -> None:
    setup_stack(api)
    api.post("/stacks/demo/instances/app1/start")
    api.tick()
    agent = FakeAgent(api, "app1")
    agent.heartbeat()
    setup = agent.next()
    assert setup is not None
    agent.run(setup, status="failed")
    assert status(api, "app1") == "setup_failed"
    assert agent.next() is None


def test_a_provider_that_cannot_start_gives_start_failed(api: Api) -> None:
    setup_stack(api)
    api.provider.fail_start = True
    api.post("/stacks/demo/instances/app1/start")
    api.tick()
    assert status(api, "app1") == "start_failed"


def test_a_deployment_succeeds_when_every_command_does_and_fails_otherwise(api: Api) -> None:
    setup_stack(api)
    agents = [bring_online(api, h) for h in ("lb1", "app1", "app2")]
    for agent in agents:
        agent.drain()
    created = api.post(
        "/stacks/demo/deployments",
        {
            "command": {"name": "execute_recipes", "args": {"recipes": ["probe::x"]}},
            "comment": "try",
        },
    )
    assert created.status_code == 201, created.text
    deployment = created.json()
    assert sorted(deployment["instances"]) == ["app1", "app2", "lb1"]
    for agent in agents:
        agent.drain()
    shown = api.get(f"/stacks/demo/deployments/{deployment['id']}?logs=true").json()
    assert shown["status"] == "successful"
    assert all(c["log"] == "ran execute_recipes\n" for c in shown["commands"])
    failing = api.post(
        "/stacks/demo/deployments", {"command": {"name": "configure"}, "instances": ["app1"]}
    ).json()
    command = agents[1].next()
    assert command is not None
    agents[1].run(command, status="failed")
    assert api.get(f"/stacks/demo/deployments/{failing['id']}").json()["status"] == "failed"


def test_deployments_refuse_bad_requests_with_the_field(api: Api) -> None:
    setup_stack(api)
    bring_online(api, "app1")
    cases = [
        ({"command": {"name": "deploy"}}, "app"),
        ({"command": {"name": "execute_recipes"}}, "args.recipes"),
        (
            {"command": {"name": "execute_recipes", "args": {"recipes": ["bad name"]}}},
            "args.recipes",
        ),
        ({"command": {"name": "configure"}, "instances": ["ghost"]}, "instances"),
        ({"command": {"name": "configure"}, "instances": ["app2"]}, "instances"),
        ({"command": {"name": "reboot"}}, "command.name"),
        ({"command": {"name": "deploy"}, "app": "ghost"}, "app"),
    ]
    for body, field in cases:
        answer = api.post("/stacks/demo/deployments", body)
        assert answer.status_code in (409, 422), (body, answer.text)
        assert answer.json()["detail"]["field"] == field, (body, answer.json())
    assert api.get("/stacks/demo/deployments").json() == []


def make_secret_app(api: Api) -> None:
    """An app on layer app with a secure TOKEN."""
    api.post(
        "/stacks/demo/apps",
        {
            "shortname": "web",
            "source": {"url": "file:///r"},
            "layers": ["app"],
            "environment": [{"key": "TOKEN", "value": "s3cret-v4lue", "secure": True}],
        },
    )


def test_secure_values_reach_the_agent_but_not_the_command_listing(api: Api) -> None:
    setup_stack(api)
    make_secret_app(api)
    api.post("/stacks/demo/instances/app1/start")
    api.tick()
    agent = FakeAgent(api, "app1")
    agent.heartbeat()
    setup = agent.next()
    assert setup is not None
    assert setup["configuration"]["apps"]["web"]["environment"]["TOKEN"] == "s3cret-v4lue"
    assert setup["configuration"]["apps"]["web"]["deploy"] is True
    listing = api.get("/stacks/demo/commands?configuration=true&logs=true").text
    assert "s3cret-v4lue" not in listing


def test_the_server_scrubs_what_a_careless_agent_sends_and_others_get_no_secret(
    api: Api,
) -> None:
    setup_stack(api)
    make_secret_app(api)
    api.post("/stacks/demo/instances/app1/start")
    api.post("/stacks/demo/instances/lb1/start")
    api.tick()
    agent, balancer = FakeAgent(api, "app1"), FakeAgent(api, "lb1")
    agent.heartbeat()
    balancer.heartbeat()
    setup = agent.next()
    lb_setup = balancer.next()
    assert setup is not None and lb_setup is not None
    assert lb_setup["configuration"]["apps"]["web"]["environment"]["TOKEN"] == FILTERED
    h = api.headers(agent.credential)
    api.post(f"/agent/commands/{setup['id']}/ack", headers=h)
    leaked = {"seq": 0, "lines": ["TOKEN=s3cret-v4lue"]}
    assert api.post(f"/agent/commands/{setup['id']}/log", leaked, headers=h).status_code == 204
    result = {"status": "successful", "exit_code": 0, "report": {"diff": "+s3cret-v4lue"}}
    assert api.post(f"/agent/commands/{setup['id']}/result", result, headers=h).status_code == 204

    shown = api.get(f"/stacks/demo/commands/{setup['id']}?logs=true").json()
    assert shown["log"] == f"TOKEN={FILTERED}\n"
    with api.db.transaction() as session:
        assert command_store.row(session, setup["id"]).report == {"diff": f"+{FILTERED}"}


def test_commands_lost_with_a_stopped_instance_fail_their_deployment(api: Api) -> None:
    setup_stack(api)
    agent = bring_online(api, "app1")
    agent.drain()
    deployment = api.post("/stacks/demo/deployments", {"command": {"name": "configure"}}).json()
    api.post("/stacks/demo/instances/app1/stop")
    shutdown = agent.next()
    assert shutdown is not None and shutdown["type"] == "configure"  # queued before the stop
    api.tick()
    assert api.get(f"/stacks/demo/deployments/{deployment['id']}").json()["status"] == "running"
    agent.run(shutdown)
    agent.drain()
    api.tick()
    api.tick()
    assert status(api, "app1") == "stopped"
    assert api.get(f"/stacks/demo/deployments/{deployment['id']}").json()["status"] == "successful"
