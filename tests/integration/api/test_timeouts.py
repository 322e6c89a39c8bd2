"""Time-outs through the orchestrator, with the agents played by the test: the pass asks the
store only for instances late by their stack's limits, and what fires is what the rules in
domain/timeouts.py say (a lost heartbeat, a boot that never called, a shutdown that ran past)."""

from __future__ import annotations

from datetime import timedelta

from stackworks.domain.status import InstanceStatus
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.tables import CommandRow, utcnow
from support.api_harness import Api, make_instance, make_layer, make_stack

from .test_healing import backdate, events, instance, silence
from .test_lifecycle import FakeAgent, bring_online, status


def backdate_status(api: Api, hostname: str, seconds: float) -> None:
    """Make the instance's last status change `seconds` old."""
    backdate(api, hostname, "status_changed_at", seconds)


def watching_for_an_hour(api: Api) -> None:
    api.orchestrator.started_at = utcnow() - timedelta(hours=1)


def three_online_without_healing(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app", auto_healing=False)
    for hostname in ("app1", "app2", "app3"):
        make_instance(api, "demo", ["app"], hostname)
        bring_online(api, hostname).drain()
    watching_for_an_hour(api)


def test_only_the_silent_instance_is_lost_and_a_shorter_stack_timeout_applies_next_pass(
    api: Api,
) -> None:
    three_online_without_healing(api)
    silence(api, "app2", 20)  # past the stack's 15 s
    silence(api, "app3", 10)  # within it
    api.tick()
    assert [status(api, h) for h in ("app1", "app2", "app3")] == [
        "online",
        "connection_lost",
        "online",
    ]
    lost = [e["message"] for e in events(api, "lifecycle") if e["instance"] == "app2"]
    assert any("lost its connection: no heartbeat for 20 s (timeout 15 s)" in m for m in lost)
    assert api.patch("/stacks/demo", {"heartbeat_timeout": 8}).status_code == 200
    api.tick()
    assert [status(api, h) for h in ("app1", "app3")] == ["online", "connection_lost"]


def test_the_store_returns_only_the_late_instances_by_their_own_stack_cutoff(api: Api) -> None:
    three_online_without_healing(api)
    silence(api, "app2", 20)
    silence(api, "app3", 10)
    now = utcnow()
    with api.db.transaction() as session:
        stack_id = stack_store.get_by_name(session, "demo").id

        def late(timeout: float, boot: float = 300) -> list[str]:
            return sorted(
                i.hostname
                for i in instance_store.due_for_timeouts(
                    session,
                    booting_since=now - timedelta(seconds=boot),
                    silent_since={now - timedelta(seconds=timeout): [stack_id]},
                )
            )

        assert late(15) == ["app2"]
        assert late(5) == ["app2", "app3"]
        assert late(30) == []
        # another stack's cutoff does not apply to this one
        assert (
            instance_store.due_for_timeouts(
                session,
                booting_since=now,
                silent_since={now - timedelta(seconds=1): ["another-stack"]},
            )
            == []
        )


def test_an_online_instance_that_never_beat_counts_from_its_status_change(api: Api) -> None:
    three_online_without_healing(api)
    with api.db.transaction() as session:
        found = instance_store.get_by_hostname(
            session, stack_store.get_by_name(session, "demo").id, "app1"
        )
        instance_store.update_fields(
            session,
            found.id,
            last_heartbeat_at=None,
            status_changed_at=utcnow() - timedelta(seconds=60),
        )
    api.tick()
    assert status(api, "app1") == "connection_lost"
    assert status(api, "app2") == "online"


def test_a_boot_that_never_calls_in_times_out_and_a_young_one_does_not(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app", auto_healing=False)
    make_instance(api, "demo", ["app"], "app1")
    make_instance(api, "demo", ["app"], "app2")
    api.post("/stacks/demo/instances/app1/start")
    api.post("/stacks/demo/instances/app2/start")
    api.tick()
    assert [status(api, h) for h in ("app1", "app2")] == ["booting", "booting"]
    watching_for_an_hour(api)
    backdate_status(api, "app1", api.orchestrator.settings.boot_timeout + 5)
    api.tick()
    assert instance(api, "app1")["status"] == InstanceStatus.START_FAILED.value
    assert status(api, "app2") == "booting"
    said = [e["message"] for e in events(api, "lifecycle") if e["instance"] == "app1"]
    assert any("failed to start: no heartbeat within" in m for m in said)


def test_a_shutdown_past_its_layers_timeout_is_ended_anyway(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app", auto_healing=False, shutdown_timeout=30)
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    agent.drain()
    watching_for_an_hour(api)
    api.post("/stacks/demo/instances/app1/stop")
    assert status(api, "app1") == "stopping"
    api.tick()
    assert status(api, "app1") == "stopping"  # within 30 s + the slack
    backdate_status(api, "app1", 40)
    agent.heartbeat()  # it still beats: only the shutdown ran long
    api.tick()
    # the shutdown command failed as timed out, which ends the stop as a failed shutdown does
    assert status(api, "app1") == "stopped"
    [shutdown] = [c for c in api.get("/stacks/demo/commands").json() if c["type"] == "shutdown"]
    assert shutdown["status"] == "failed"


def test_a_heartbeat_answers_with_the_stacks_own_interval_or_the_servers(api: Api) -> None:
    three_online_without_healing(api)
    agent = FakeAgent(api, "app1")
    assert agent.heartbeat()["heartbeat_interval"] == api.orchestrator.settings.heartbeat_interval
    assert api.patch("/stacks/demo", {"heartbeat_interval": 2}).status_code == 200
    assert agent.heartbeat()["heartbeat_interval"] == 2


def test_a_started_command_past_its_timeout_fails_and_a_recent_one_runs_on(api: Api) -> None:
    three_online_without_healing(api)
    api.orchestrator.started_at = utcnow() - timedelta(days=1)
    created = api.post(
        "/stacks/demo/deployments",
        {"command": {"name": "execute_recipes", "args": {"recipes": ["probe::x"]}}},
    )
    assert created.status_code == 201, created.text
    agents = {h: FakeAgent(api, h) for h in ("app1", "app2")}
    started = {}
    for hostname, agent in agents.items():
        command = agent.next()
        assert command is not None
        h = api.headers(agent.credential)
        assert api.post(f"/agent/commands/{command['id']}/ack", headers=h).status_code == 204
        started[hostname] = command["id"]
    limit = api.orchestrator.settings.command_timeout + 30  # its timeout plus the slack
    with api.db.transaction() as session:
        row = session.get(CommandRow, started["app1"])
        assert row is not None
        row.acknowledged_at = utcnow() - timedelta(seconds=limit + 5)
    api.tick()
    shown = {c["id"]: c for c in api.get("/stacks/demo/commands").json()}
    assert shown[started["app1"]]["status"] == "failed"
    assert shown[started["app2"]]["status"] == "pending"
