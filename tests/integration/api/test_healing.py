"""Auto-healing through the API and the orchestrator, with the agents played by the test and a
clock the test moves: a lost instance is replaced in place, healing respects a layer's setting,
backs off, gives up, and never touches a registered host."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.tables import utcnow
from support.api_harness import Api, make_instance, make_layer, make_stack

from .test_lifecycle import FakeAgent, bring_online, status


class Clock:
    """The orchestrator's clock: real time plus what the test skipped."""

    def __init__(self) -> None:
        self.skipped = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.skipped

    def skip(self, seconds: float) -> None:
        self.skipped += timedelta(seconds=seconds)


@pytest.fixture
def clock(api: Api) -> Clock:
    moved = Clock()
    api.orchestrator.clock = moved
    api.orchestrator.started_at = utcnow() - timedelta(hours=1)  # watching for a while
    return moved


def silence(api: Api, hostname: str, seconds: float) -> None:
    """Make the instance's last heartbeat `seconds` old, as if its agent had died then."""
    backdate(api, hostname, "last_heartbeat_at", seconds)


def backdate(api: Api, hostname: str, moment: str, seconds: float) -> None:
    """Set the instance's timestamp `moment` (a column) to `seconds` ago."""
    with api.db.transaction() as session:
        found = instance_store.get_by_hostname(
            session, stack_store.get_by_name(session, "demo").id, hostname
        )
        fields = {moment: utcnow() - timedelta(seconds=seconds)}
        instance_store.update_fields(session, found.id, **fields)


def events(api: Api, kind: str | None = None) -> list[dict[str, Any]]:
    query = f"?kind={kind}" if kind else ""
    return list(api.get(f"/stacks/demo/events{query}").json())


def instance(api: Api, hostname: str) -> dict[str, Any]:
    return dict(api.get(f"/stacks/demo/instances/{hostname}").json())


def starts(api: Api, hostname: str) -> int:
    return sum(1 for c in api.provider.calls if c.method == "start" and c.hostname == hostname)


def two_online(api: Api) -> tuple[FakeAgent, FakeAgent]:
    make_stack(api)
    make_layer(api, "demo", "lb")
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["lb"], "lb1")
    make_instance(api, "demo", ["app"], "app1")
    lb, app = bring_online(api, "lb1"), bring_online(api, "app1")
    lb.drain()
    app.drain()
    return lb, app


def test_a_lost_instance_is_replaced_in_place_and_comes_back_online(api: Api, clock: Clock) -> None:
    lb, _app = two_online(api)
    before = instance(api, "app1")
    silence(api, "app1", 20)  # app1 sent nothing for 20 s (the timeout is 15 s); lb1 beats on
    api.tick()
    after = instance(api, "app1")
    assert after["status"] == "booting"  # lost, then replaced in the same pass
    assert (after["id"], after["hostname"], after["layers"], after["private_ip"]) == (
        before["id"],
        "app1",
        ["app"],
        before["private_ip"],
    )
    assert starts(api, "app1") == 2
    assert [c.method for c in api.provider.calls if c.hostname == "app1"][-2:] == ["stop", "start"]
    # the load balancer was told at once that app1 left
    [left] = lb.drain()
    assert sorted(left["configuration"]["instances"]) == ["lb1"]
    # the replacement's agent (with a new credential) brings it online through setup
    fresh = FakeAgent(api, "app1")
    assert fresh.heartbeat()["status"] == "running_setup"
    setup = fresh.next()
    assert setup is not None and setup["type"] == "setup"
    fresh.run(setup)
    assert status(api, "app1") == "online"
    [back] = lb.drain()
    assert sorted(back["configuration"]["instances"]) == ["app1", "lb1"]
    said = [(e["kind"], e["instance"], e["message"]) for e in events(api)]
    assert ("lifecycle", "app1", said[0][2]) == said[0]
    assert "lost its connection: no heartbeat for 2" in said[0][2]
    assert said[1][:2] == ("healing", "app1")
    assert "replaces it (lost; replacement 1 in a row)" in said[1][2]


def test_with_auto_healing_off_on_one_of_its_layers_a_lost_instance_stays_lost(
    api: Api, clock: Clock
) -> None:
    two_online(api)
    assert api.patch("/stacks/demo/layers/app", {"auto_healing": False}).status_code == 200
    silence(api, "app1", 20)
    for _ in range(3):
        api.tick()
    assert status(api, "app1") == "connection_lost"
    assert starts(api, "app1") == 1
    [lost] = events(api)
    assert "not replaced: auto-healing is off on layer app" in lost["message"]
    assert events(api, "healing") == []


def one_online(api: Api) -> FakeAgent:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    return bring_online(api, "app1")


def test_failing_replacements_back_off_then_healing_gives_up_with_the_reason(
    api: Api, clock: Clock
) -> None:
    one_online(api)
    api.provider.fail_start = True
    clock.skip(20)
    api.tick()
    failed = instance(api, "app1")
    assert failed["status"] == "start_failed"
    assert "fake start failure" in failed["status_reason"]
    api.tick()  # within the back-off: nothing is tried
    assert starts(api, "app1") == 2
    assert "backs off" in instance(api, "app1")["status_reason"]
    for expected in (3, 4, 5, 6):  # back-offs of 30, 60, 120, 240 s
        clock.skip(api.orchestrator.healer.policy.backoff_max)
        api.tick()
        assert starts(api, "app1") == expected
    clock.skip(api.orchestrator.healer.policy.backoff_max)
    api.tick()
    assert starts(api, "app1") == 6  # five replacements in a row: no sixth
    gave_up = instance(api, "app1")
    assert gave_up["status"] == "start_failed"
    assert "auto-healing gave up: replaced 5 times in a row" in gave_up["status_reason"]
    healing = [e["details"].get("action") for e in events(api, "healing")]
    assert healing == ["replace"] * 5 + ["give_up"]


def test_a_registered_host_is_never_replaced_and_comes_back_by_itself(
    api: Api, clock: Clock
) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    token = api.post("/stacks/demo/registration-tokens", {}).json()["token"]
    answer = api.post(
        "/agent/register",
        {"stack": "demo", "layers": ["app"], "hostname": "box1", "private_ip": "10.9.0.1"},
        headers=api.headers(token),
    )
    assert answer.status_code == 201, answer.text
    credential = answer.json()["credential"]
    h = api.headers(credential)
    api.tick()
    assert api.post("/agent/heartbeat", {}, headers=h).json()["status"] == "running_setup"
    setup = api.get("/agent/commands?wait=0", headers=h).json()["commands"][0]
    api.post(f"/agent/commands/{setup['id']}/ack", headers=h)
    api.post(
        f"/agent/commands/{setup['id']}/result", {"status": "successful", "exit_code": 0}, headers=h
    )
    assert status(api, "box1") == "online"
    silence(api, "box1", 20)
    api.tick()
    api.tick()
    assert status(api, "box1") == "connection_lost"
    assert "cannot restart it" in events(api)[0]["message"]
    assert api.post("/agent/heartbeat", {}, headers=h).json()["status"] == "online"
    assert events(api)[-1]["message"] == "box1 is back: its agent called again"


def test_the_stack_budget_caps_replacements_at_once(api: Api, clock: Clock) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    hosts = [f"app{n}" for n in range(1, 8)]
    for host in hosts:
        make_instance(api, "demo", ["app"], host)
        bring_online(api, host)
    clock.skip(20)
    api.tick()
    statuses = sorted(instance(api, h)["status"] for h in hosts)
    assert statuses == ["booting"] * 5 + ["connection_lost"] * 2
    waiting = [instance(api, h) for h in hosts if instance(api, h)["status"] == "connection_lost"]
    assert all("the stack had 5 replacements" in w["status_reason"] for w in waiting)


def test_heartbeat_settings_are_per_stack_and_checked(api: Api) -> None:
    make_stack(api)
    shown = api.get("/stacks/demo").json()
    assert (shown["heartbeat_interval"], shown["heartbeat_timeout"]) == (5.0, 15.0)
    changed = api.patch("/stacks/demo", {"heartbeat_interval": 2, "heartbeat_timeout": 8})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["heartbeat_interval"], changed.json()["heartbeat_timeout"]) == (2, 8)
    refused = api.patch("/stacks/demo", {"heartbeat_timeout": 3})
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "heartbeat_timeout"
    assert api.get("/stacks/demo").json()["heartbeat_timeout"] == 8


def test_reboot_leaves_online_and_comes_back_through_setup(api: Api) -> None:
    lb, _app = two_online(api)
    answer = api.post("/stacks/demo/instances/app1/reboot")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "rebooting"
    [left] = lb.drain()
    assert sorted(left["configuration"]["instances"]) == ["lb1"]
    api.tick()
    assert status(api, "app1") == "booting"
    fresh = FakeAgent(api, "app1")
    fresh.heartbeat()
    setup = fresh.next()
    assert setup is not None
    fresh.run(setup)
    assert status(api, "app1") == "online"
    refused = api.post("/stacks/demo/instances/lb1/stop")
    assert refused.status_code == 200
    assert api.post("/stacks/demo/instances/lb1/reboot").status_code == 409
