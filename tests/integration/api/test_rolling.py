"""Rolling deployments: one app instance at a time, drained on every load balancer meanwhile."""

from __future__ import annotations

from typing import Any

from support.api_harness import Api, make_instance, make_layer, make_stack

from .test_lifecycle import FakeAgent, bring_online


def rolling_stack(api: Api, lb_type: str = "lb") -> dict[str, FakeAgent]:
    make_stack(api)
    make_layer(api, "demo", "lb", lb_type)
    make_layer(api, "demo", "app", "python-app")
    api.post("/stacks/demo/apps", {"shortname": "web", "source": {"url": "file:///r"}})
    make_instance(api, "demo", ["lb"], "lb1")
    for host in ("app1", "app2"):
        make_instance(api, "demo", ["app"], host)
    agents = {h: bring_online(api, h) for h in ("lb1", "app1", "app2")}
    for agent in agents.values():
        agent.drain()
    return agents


def step_through(api: Api, agents: dict[str, FakeAgent]) -> list[tuple[str, str]]:
    """Run pending commands round by round until none is left; returns (host, what) in order."""
    order: list[tuple[str, str]] = []
    while True:
        ran = False
        for host, agent in agents.items():
            command = agent.next()
            if command is None:
                continue
            what = (
                command["type"]
                if command["type"] != "execute_recipes"
                else (
                    f"{command['run_list'][0]} "
                    f"{command['configuration']['command']['args']['server']}"
                )
            )
            order.append((host, what))
            agent.run(command)
            ran = True
        if not ran:
            return order


def deployment(api: Api, deployment_id: str) -> dict[str, Any]:
    return dict(api.get(f"/stacks/demo/deployments/{deployment_id}").json())


def test_a_rolling_deploy_drains_deploys_and_enables_one_instance_at_a_time(api: Api) -> None:
    agents = rolling_stack(api)
    created = api.post(
        "/stacks/demo/deployments", {"command": {"name": "deploy"}, "app": "web", "rolling": True}
    ).json()
    assert created["rolling"] is True
    assert created["revision"] == "HEAD"  # the app's revision, kept in the history
    assert [(s["kind"], s["target"]) for s in created["steps"]] == [
        ("deploy", ""),
        ("drain", "app1"),
        ("deploy", "app1"),
        ("enable", "app1"),
        ("drain", "app2"),
        ("deploy", "app2"),
        ("enable", "app2"),
    ]
    order = step_through(api, agents)
    assert order == [
        ("lb1", "deploy"),
        ("lb1", "haproxy::drain app1"),
        ("app1", "deploy"),
        ("lb1", "haproxy::enable app1"),
        ("lb1", "haproxy::drain app2"),
        ("app2", "deploy"),
        ("lb1", "haproxy::enable app2"),
    ]
    assert deployment(api, created["id"])["status"] == "successful"


def test_a_failure_stops_the_roll_puts_the_instance_back_and_leaves_the_rest(api: Api) -> None:
    agents = rolling_stack(api)
    created = api.post(
        "/stacks/demo/deployments", {"command": {"name": "deploy"}, "app": "web", "rolling": True}
    ).json()
    order: list[tuple[str, str]] = []
    while True:
        ran = False
        for host, agent in agents.items():
            command = agent.next()
            if command is None:
                continue
            ran = True
            order.append((host, command["type"]))
            agent.run(command, status="failed" if host == "app1" else "successful")
        if not ran:
            break
    assert order == [
        ("lb1", "deploy"),
        ("lb1", "execute_recipes"),
        ("app1", "deploy"),
        ("lb1", "execute_recipes"),
    ]
    shown = deployment(api, created["id"])
    assert shown["status"] == "failed"
    assert "app2" not in {c["instance"] for c in shown["commands"]}


def test_the_stack_default_makes_deploys_roll_unless_asked_otherwise(api: Api) -> None:
    rolling_stack(api)
    api.patch("/stacks/demo", {"custom_json": {"stackworks": {"rolling": True}}})
    rolled = api.post("/stacks/demo/deployments", {"command": {"name": "deploy"}, "app": "web"})
    assert rolled.json()["rolling"] is True
    plain = api.post(
        "/stacks/demo/deployments", {"command": {"name": "deploy"}, "app": "web", "rolling": False}
    )
    assert plain.json()["rolling"] is False
    refused = api.post(
        "/stacks/demo/deployments", {"command": {"name": "configure"}, "rolling": True}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "rolling"


def test_a_plone_frontend_runs_haproxy_so_rolling_deploys_drain_on_it_too(api: Api) -> None:
    agents = rolling_stack(api, lb_type="plone-frontend")
    created = api.post(
        "/stacks/demo/deployments", {"command": {"name": "deploy"}, "app": "web", "rolling": True}
    ).json()
    order = step_through(api, agents)
    assert order[:4] == [
        ("lb1", "deploy"),
        ("lb1", "haproxy::drain app1"),
        ("app1", "deploy"),
        ("lb1", "haproxy::enable app1"),
    ]
    assert deployment(api, created["id"])["status"] == "successful"
