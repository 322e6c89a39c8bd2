"""Time- and load-based instances over a real database: the periodic passes drive the real
lifecycle (the fake provider, the agent's side played here) on a simulated clock, and the API
sets schedules and thresholds and serves the metrics history.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from stackworks.control import agents, periodic, scaling
from stackworks.domain.metrics import MetricPoint
from stackworks.domain.status import CommandStatus, EventKind, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import events
from stackworks.store import instances as instance_store
from stackworks.store import metrics as metric_store
from stackworks.store import stacks as stack_store
from support.api_harness import Api, make_layer, make_stack

MONDAY = datetime(2026, 11, 30, tzinfo=UTC)
PLAYED = (
    InstanceStatus.BOOTING,
    InstanceStatus.RUNNING_SETUP,
    InstanceStatus.ONLINE,
    InstanceStatus.STOPPING,
)


def add_instance(api: Api, hostname: str, scaling_type: str, layer: str = "app") -> None:
    body = {"layers": [layer], "hostname": hostname, "scaling": scaling_type}
    answer = api.post("/stacks/demo/instances", body)
    assert answer.status_code == 201, answer.text


def statuses(api: Api) -> dict[str, str]:
    return {i["hostname"]: i["status"] for i in api.get("/stacks/demo/instances").json()}


def settle(api: Api) -> None:
    """Provider work, then the agents' side: heartbeat, run every pending command, until quiet.

    The orchestrator's own periodic passes are off: the test runs them on its simulated clock.
    """
    api.orchestrator.passes = []
    for _ in range(8):
        api.tick()
        with api.db.transaction() as session:
            stack = stack_store.get_by_name(session, "demo")
            for instance in instance_store.list_for_stack(session, stack.id):
                if instance.status not in PLAYED:
                    continue
                if instance.status is InstanceStatus.BOOTING:
                    instance = agents.heartbeat(session, instance, {}).instance
                for row in command_store.pending_for_instance(session, instance.id):
                    agents.complete(session, instance, row.id, CommandStatus.SUCCESSFUL, 0, {})


def run_pass(api: Api, run: Any, now: datetime) -> None:
    with api.db.transaction() as session:
        run(session, now)
    settle(api)


def stack_events(api: Api, kind: EventKind) -> list[str]:
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "demo")
        return [e.message for e in events.list_for_stack(session, stack.id, kinds=[kind])]


# --- time-based ------------------------------------------------------------------------------


def test_a_simulated_week_of_schedules_starts_and_stops_exactly_on_the_hour(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    add_instance(api, "web1", "time")
    add_instance(api, "web2", "time")
    add_instance(api, "always1", "24/7")
    monday = {str(h): "on" for h in range(9, 17)}
    answer = api.put(
        "/stacks/demo/instances/web1/schedule", {"Monday": monday, "Friday": {"9": "on"}}
    )
    assert answer.status_code == 200, answer.text
    api.put("/stacks/demo/instances/web2/schedule", {"Sunday": {"23": "on"}})

    seen: list[tuple[str, str, str]] = []
    last = statuses(api)
    moment = MONDAY
    while moment < MONDAY + timedelta(days=7):
        run_pass(api, scaling.schedule_pass, moment)
        now = statuses(api)
        for host in now:
            if now[host] != last[host]:
                seen.append((moment.strftime("%a %H:%M"), host, now[host]))
        last = now
        moment += timedelta(minutes=30)

    assert seen == [
        ("Mon 09:00", "web1", "online"),
        ("Mon 17:00", "web1", "stopped"),
        ("Fri 09:00", "web1", "online"),
        ("Fri 10:00", "web1", "stopped"),
        ("Sun 23:00", "web2", "online"),
    ]
    messages = stack_events(api, EventKind.SCHEDULE)
    assert len(messages) == 5
    assert messages[0] == "started web1: the schedule of web1 is on at Monday 09:00 UTC"
    assert messages[1] == "stopped web1: the schedule of web1 is off at Monday 17:00 UTC"


def test_schedules_are_checked_whole_and_only_time_based_instances_have_one(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    add_instance(api, "web1", "time")
    add_instance(api, "always1", "24/7")
    api.put("/stacks/demo/instances/web1/schedule", {"Monday": {"9": "on"}})
    for body, field in [
        ({"Monday": {"9": "on"}, "Tuesday": {"24": "on"}}, "Tuesday.24"),
        ({"Monday": {"9": "maybe"}}, "Monday.9"),
        ({"Funday": {"9": "on"}}, "Funday"),
    ]:
        refused = api.put("/stacks/demo/instances/web1/schedule", body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"]["field"] == field
    shown = api.get("/stacks/demo/instances/web1/schedule").json()
    assert shown["schedule"] == {"Monday": {"9": "on"}}  # nothing half-written
    assert api.put("/stacks/demo/instances/always1/schedule", {}).status_code == 409
    assert api.delete("/stacks/demo/instances/web1/schedule").status_code == 204
    assert api.get("/stacks/demo/instances/web1/schedule").json()["schedule"] == {}


# --- load-based ------------------------------------------------------------------------------


def report(api: Api, at: datetime, cpu: float) -> None:
    """Every online instance reports `cpu` at `at` (the injected metrics source)."""
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "demo")
        for instance in instance_store.list_for_stack(session, stack.id):
            if instance.status is InstanceStatus.ONLINE:
                metric_store.add(session, instance.id, MetricPoint(at=at, cpu=cpu, memory=40.0))


def test_a_load_spike_and_fall_start_and_stop_only_load_based_instances(api: Api) -> None:
    make_stack(api)
    # the agents' side is played only at boot: on a busy machine the 80 simulated minutes
    # take long enough in real time for a heartbeat time-out to find the instances silent
    assert api.patch("/stacks/demo", {"heartbeat_timeout": 86400}).status_code == 200
    make_layer(api, "demo", "app")
    for host, kind in [
        ("always1", "24/7"),
        ("load1", "load"),
        ("load2", "load"),
        ("time1", "time"),
    ]:
        add_instance(api, host, kind)
    api.post("/stacks/demo/instances/always1/start")
    settle(api)
    config = {
        "enable": True,
        "up_scaling": {"cpu_threshold": 80, "thresholds_wait_time": 5, "ignore_metrics_time": 5},
        "down_scaling": {
            "cpu_threshold": 30,
            "thresholds_wait_time": 10,
            "ignore_metrics_time": 10,
        },
    }
    answer = api.patch("/stacks/demo/layers/app/load-scaling", config)
    assert answer.status_code == 200, answer.text
    assert answer.json()["load_based_instances"] == ["load1", "load2"]

    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    seen: list[tuple[int, str, str]] = []
    last = statuses(api)
    for minute in range(80):
        now = start + timedelta(minutes=minute)
        report(api, now, 90.0 if 10 <= minute < 40 else 10.0)
        run_pass(api, scaling.load_scaling_pass, now)
        current = statuses(api)
        seen += [(minute, h, current[h]) for h in current if current[h] != last[h]]
        last = current

    assert seen == [
        (15, "load1", "online"),
        (25, "load2", "online"),
        (50, "load2", "stopped"),
        (70, "load1", "stopped"),
    ]
    messages = stack_events(api, EventKind.SCALING)
    assert messages == [
        "layer app scaled up: started load1: layer average cpu 90.0 > 80 for 5 min",
        "layer app scaled up: started load2: layer average cpu 90.0 > 80 for 5 min",
        "layer app scaled down: stopped load2: layer average cpu 10.0 < 30 for 10 min",
        "layer app scaled down: stopped load1: layer average cpu 10.0 < 30 for 10 min",
    ]
    state = api.get("/stacks/demo/layers/app/load-scaling").json()["state"]
    assert state["last_action"] == "down"


def test_thresholds_are_merged_and_checked_naming_the_field(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    first = api.patch("/stacks/demo/layers/app/load-scaling", {"up_scaling": {"cpu_threshold": 70}})
    assert first.json()["enable"] is False
    assert first.json()["up_scaling"]["cpu_threshold"] == 70
    for body, field in [
        ({"enable": True, "up_scaling": {"cpu_threshold": 170}}, "up_scaling.cpu_threshold"),
        (
            {"enable": True, "down_scaling": {"thresholds_wait_time": -2}},
            "down_scaling.thresholds_wait_time",
        ),
        ({"enable": True, "down_scaling": {"instance_count": 0}}, "down_scaling.instance_count"),
        ({"enable": True, "up_scaling": {"cpu": 10}}, "up_scaling.cpu"),
    ]:
        refused = api.patch("/stacks/demo/layers/app/load-scaling", body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"]["field"] == field
    shown = api.get("/stacks/demo/layers/app/load-scaling").json()
    assert shown["enable"] is False and shown["up_scaling"]["cpu_threshold"] == 70
    fractional = {
        "enable": True,
        "up_scaling": {"thresholds_wait_time": 0.05, "load_threshold": -1},
    }
    changed = api.patch("/stacks/demo/layers/app/load-scaling", fractional).json()
    assert changed["enable"] is True
    assert changed["up_scaling"]["thresholds_wait_time"] == 0.05
    assert changed["up_scaling"]["cpu_threshold"] == 70  # kept


# --- metrics history -------------------------------------------------------------------------


def test_the_history_keeps_raw_samples_a_day_then_minutes_two_weeks(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    add_instance(api, "web1", "24/7")
    add_instance(api, "web2", "24/7")
    now = datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)
    old = now - timedelta(days=2)
    ancient = now - timedelta(days=15)
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "demo")
        ids = {i.hostname: i.id for i in instance_store.list_for_stack(session, stack.id)}
        for base in (ancient, old, now - timedelta(minutes=1)):
            for second, cpu in [(0, 10.0), (20, 20.0), (40, 60.0)]:
                metric_store.add(
                    session, ids["web1"], MetricPoint(at=base.replace(second=second), cpu=cpu)
                )
        metric_store.add(
            session,
            ids["web2"],
            MetricPoint(at=now.replace(second=0) - timedelta(minutes=1), cpu=70.0),
        )

    def read(path: str, **params: str) -> dict[str, Any]:
        answer = api.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    week_ago = (now - timedelta(days=20)).isoformat()
    raw = read("/stacks/demo/instances/web1/metrics", since=week_ago)
    assert len(raw["points"]) == 9
    for _ in range(3):  # an hour compacted per pass: the old hours take a few passes
        with api.db.transaction() as session:
            scaling.metrics_retention_pass(session, now)
    raw = read("/stacks/demo/instances/web1/metrics", since=week_ago)
    assert [p["cpu"] for p in raw["points"]] == [10.0, 20.0, 60.0]  # only the last day's
    minutes = read("/stacks/demo/instances/web1/metrics", since=week_ago, resolution="minute")
    assert (
        [(p["at"][:16], p["cpu"], p["samples"]) for p in minutes["points"]]
        == [
            (old.isoformat()[:16], 30.0, 3),  # compacted; the 15-day-old minute is gone
            ((now - timedelta(minutes=1)).isoformat()[:16], 30.0, 3),  # averaged on the fly
        ]
    )
    layer = read("/stacks/demo/layers/app/metrics", since=(now - timedelta(hours=1)).isoformat())
    assert layer["instances"] == ["web1", "web2"]
    assert [(p["cpu"], p["samples"]) for p in layer["points"]] == [(50.0, 2)]
    refused = api.get("/stacks/demo/instances/web1/metrics", params={"resolution": "hourly"})
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "resolution"


def test_the_orchestrator_runs_the_default_passes_on_its_injected_clock(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    add_instance(api, "web1", "time")
    api.put("/stacks/demo/instances/web1/schedule", {"Wednesday": {"3": "on"}})
    api.orchestrator.passes = periodic.default_passes()
    simulated = [MONDAY + timedelta(days=2, hours=2, minutes=59)]
    api.orchestrator.clock = lambda: simulated[0]
    api.tick()
    assert statuses(api)["web1"] == "stopped"
    simulated[0] += timedelta(minutes=1)  # Wednesday 03:00 UTC
    api.tick()
    assert statuses(api)["web1"] in ("pending", "booting")
    assert stack_events(api, EventKind.SCHEDULE) == [
        "started web1: the schedule of web1 is on at Wednesday 03:00 UTC"
    ]


def test_a_deploy_token_reads_schedules_thresholds_and_metrics_but_changes_none(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    add_instance(api, "web1", "time")
    ci = api.headers(api.post("/tokens", {"name": "ci", "role": "deploy"}).json()["token"])
    for path in (
        "/stacks/demo/instances/web1/schedule",
        "/stacks/demo/layers/app/load-scaling",
        "/stacks/demo/instances/web1/metrics",
        "/stacks/demo/layers/app/metrics",
    ):
        assert api.get(path, headers=ci).status_code == 200, path
    put = api.put("/stacks/demo/instances/web1/schedule", {"Monday": {"9": "on"}}, headers=ci)
    patch = api.patch("/stacks/demo/layers/app/load-scaling", {"enable": True}, headers=ci)
    delete = api.delete("/stacks/demo/instances/web1/schedule", headers=ci)
    assert (put.status_code, patch.status_code, delete.status_code) == (403, 403, 403)
    assert api.get("/stacks/demo/instances/web1/schedule").json()["schedule"] == {}
