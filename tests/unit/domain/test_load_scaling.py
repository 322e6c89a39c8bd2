"""Load-based scaling, as a specification: thresholds, wait and ignore times, who is touched."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from stackworks.domain.entities import Instance
from stackworks.domain.errors import InvalidInput
from stackworks.domain.load_scaling import (
    Direction,
    LoadScalingConfig,
    Sample,
    ScalingState,
    Thresholds,
    layer_averages,
    load_decision,
    validate_thresholds,
)
from stackworks.domain.status import InstanceStatus, ScalingType

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ON, OFF = InstanceStatus.ONLINE, InstanceStatus.STOPPED


def instance(
    hostname: str, scaling: ScalingType = ScalingType.LOAD, status: InstanceStatus = OFF
) -> Instance:
    return Instance(
        id=hostname,
        stack_id="s",
        hostname=hostname,
        layers=("app",),
        status=status,
        scaling=scaling,
    )


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def config(**up_down: float) -> LoadScalingConfig:
    """Up cpu 80 wait 5 ignore 5; down cpu 30 wait 10 ignore 10; overrides as up_x= / down_x=."""
    up = Thresholds(cpu_threshold=80, thresholds_wait_time=5, ignore_metrics_time=5)
    down = Thresholds(cpu_threshold=30, thresholds_wait_time=10, ignore_metrics_time=10)
    for key, value in up_down.items():
        direction, name = key.split("_", 1)
        if direction == "up":
            up = replace(up, **{name: value})
        else:
            down = replace(down, **{name: value})
    return LoadScalingConfig(enable=True, up=up, down=down)


def samples(fleet: list[Instance], at: datetime, **metrics: float) -> dict[str, list[Sample]]:
    return {i.id: [Sample(at=at, **metrics)] for i in fleet if i.status is ON}


# --- one decision ---------------------------------------------------------------------------

ALWAYS_ON = instance("always1", ScalingType.ALWAYS, ON)


@pytest.mark.parametrize(
    ("case", "cfg", "state", "metrics", "now", "starts", "stops"),
    [
        (
            "disabled: nothing",
            replace(config(up_thresholds_wait_time=0), enable=False),
            ScalingState(),
            {"cpu": 99},
            minutes(0),
            [],
            [],
        ),
        (
            "over up, waited enough",
            config(),
            ScalingState(up_since=minutes(0)),
            {"cpu": 90},
            minutes(5),
            ["load1"],
            [],
        ),
        (
            "over up, not yet waited",
            config(),
            ScalingState(up_since=minutes(0)),
            {"cpu": 90},
            minutes(4.9),
            [],
            [],
        ),
        (
            "over up, wait 0 acts at once",
            config(up_thresholds_wait_time=0),
            ScalingState(),
            {"cpu": 90},
            minutes(0),
            ["load1"],
            [],
        ),
        (
            "equal is not over",
            config(up_thresholds_wait_time=0),
            ScalingState(),
            {"cpu": 80},
            minutes(0),
            [],
            [],
        ),
        (
            "any up threshold: memory",
            config(up_thresholds_wait_time=0, up_memory_threshold=70),
            ScalingState(),
            {"cpu": 10, "memory": 75},
            minutes(0),
            ["load1"],
            [],
        ),
        (
            "any up threshold: load",
            config(up_thresholds_wait_time=0, up_load_threshold=2),
            ScalingState(),
            {"cpu": 40, "load1": 3},
            minutes(0),
            ["load1"],
            [],
        ),
        (
            "-1 disables a threshold",
            config(up_thresholds_wait_time=0, up_cpu_threshold=-1),
            ScalingState(),
            {"cpu": 99},
            minutes(0),
            [],
            [],
        ),
        (
            "count per step",
            config(up_thresholds_wait_time=0, up_instance_count=2),
            ScalingState(),
            {"cpu": 90},
            minutes(0),
            ["load1", "load2"],
            [],
        ),
        (
            "ignore time after up",
            config(up_thresholds_wait_time=0),
            ScalingState(last_action_at=minutes(0), last_action=Direction.UP),
            {"cpu": 90},
            minutes(4.9),
            [],
            [],
        ),
        (
            "ignore time over",
            config(up_thresholds_wait_time=0),
            ScalingState(last_action_at=minutes(0), last_action=Direction.UP),
            {"cpu": 90},
            minutes(5),
            ["load1"],
            [],
        ),
        (
            "down's ignore time after down",
            config(up_thresholds_wait_time=0),
            ScalingState(last_action_at=minutes(0), last_action=Direction.DOWN),
            {"cpu": 90},
            minutes(9),
            [],
            [],
        ),
        (
            "under every down, waited",
            config(),
            ScalingState(down_since=minutes(0)),
            {"cpu": 10},
            minutes(10),
            [],
            ["load9"],
        ),
        (
            "under cpu but memory still high",
            config(down_thresholds_wait_time=0, down_memory_threshold=50),
            ScalingState(),
            {"cpu": 10, "memory": 60},
            minutes(0),
            [],
            [],
        ),
        (
            "under cpu and memory",
            config(down_thresholds_wait_time=0, down_memory_threshold=50),
            ScalingState(),
            {"cpu": 10, "memory": 40},
            minutes(0),
            [],
            ["load9"],
        ),
        (
            "no down threshold: never down",
            config(down_thresholds_wait_time=0, down_cpu_threshold=-1),
            ScalingState(),
            {"cpu": 0},
            minutes(0),
            [],
            [],
        ),
        (
            "between thresholds: nothing",
            config(up_thresholds_wait_time=0, down_thresholds_wait_time=0),
            ScalingState(),
            {"cpu": 50},
            minutes(0),
            [],
            [],
        ),
    ],
)
def test_one_decision(
    case: str,
    cfg: LoadScalingConfig,
    state: ScalingState,
    metrics: dict[str, float],
    now: datetime,
    starts: list[str],
    stops: list[str],
) -> None:
    fleet = [
        ALWAYS_ON,
        instance("load1"),
        instance("load2"),
        instance("load9", status=ON),
        instance("time1", ScalingType.TIME),
    ]
    decision = load_decision(cfg, state, samples(fleet, now, **metrics), fleet, now)
    assert [i.hostname for i in decision.start] == starts, case
    assert [i.hostname for i in decision.stop] == stops, case


def test_24_7_and_time_based_instances_are_never_started_or_stopped() -> None:
    fleet = [
        ALWAYS_ON,
        instance("always2", ScalingType.ALWAYS),
        instance("time1", ScalingType.TIME),
    ]
    cfg = config(up_thresholds_wait_time=0, down_thresholds_wait_time=0)
    up = load_decision(cfg, ScalingState(), samples(fleet, T0, cpu=99), fleet, T0)
    fleet.append(instance("time2", ScalingType.TIME, ON))
    down = load_decision(cfg, ScalingState(), samples(fleet, T0, cpu=1), fleet, T0)
    assert (up.start, up.stop, down.start, down.stop) == ((), (), (), ())
    assert up.reason == "no stopped load-based instance to start"


def test_the_average_is_over_online_instances_and_their_latest_fresh_sample() -> None:
    online = [instance("a", status=ON), instance("b", status=ON)]
    by_instance = {
        "a": [Sample(at=minutes(-1), cpu=100), Sample(at=minutes(0), cpu=20)],
        "b": [Sample(at=minutes(0), cpu=60, memory=50)],
    }
    assert layer_averages(by_instance, online, minutes(0)) == {"cpu": 40, "memory": 50}
    stale = {"a": [Sample(at=minutes(-3), cpu=100)]}
    assert layer_averages(stale, online, minutes(0)) == {}


def test_an_instance_not_online_does_not_count_in_the_average() -> None:
    fleet = [ALWAYS_ON, instance("load1"), instance("load2", status=InstanceStatus.BOOTING)]
    by_instance = {
        "always1": [Sample(at=T0, cpu=50)],
        "load2": [Sample(at=T0, cpu=100)],  # booting: its setup's cpu says nothing of the load
    }
    decision = load_decision(
        config(up_thresholds_wait_time=0), ScalingState(), by_instance, fleet, T0
    )
    assert decision.averages == {"cpu": 50}
    assert not decision.acts


def test_a_threshold_that_stops_being_exceeded_restarts_the_wait() -> None:
    fleet = [ALWAYS_ON, instance("load1")]
    state = ScalingState()
    for at, cpu in [(0, 90), (3, 90), (4, 50), (5, 90), (9, 90)]:
        decision = load_decision(
            config(), state, samples(fleet, minutes(at), cpu=cpu), fleet, minutes(at)
        )
        assert not decision.acts, at
        state = decision.state
    assert state.up_since == minutes(5)


def test_no_metrics_no_action() -> None:
    fleet = [ALWAYS_ON, instance("load1")]
    decision = load_decision(config(up_thresholds_wait_time=0), ScalingState(), {}, fleet, T0)
    assert not decision.acts


@pytest.mark.parametrize(
    ("thresholds", "field"),
    [
        (Thresholds(instance_count=0), "up_scaling.instance_count"),
        (Thresholds(thresholds_wait_time=-1), "up_scaling.thresholds_wait_time"),
        (Thresholds(ignore_metrics_time=101), "up_scaling.ignore_metrics_time"),
        (Thresholds(cpu_threshold=101), "up_scaling.cpu_threshold"),
        (Thresholds(memory_threshold=-0.5), "up_scaling.memory_threshold"),
        (Thresholds(load_threshold=-2), "up_scaling.load_threshold"),
    ],
)
def test_out_of_range_thresholds_are_refused_naming_the_field(
    thresholds: Thresholds, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_thresholds(thresholds, field_prefix="up_scaling")
    assert refused.value.field == field


def test_fractional_minutes_and_minus_one_are_accepted() -> None:
    ok = Thresholds(
        thresholds_wait_time=0.05, ignore_metrics_time=0.1, cpu_threshold=-1, load_threshold=12
    )
    assert validate_thresholds(ok, field_prefix="up_scaling") is ok


# --- a simulated hour of load ---------------------------------------------------------------


def cpu_at(minute: int) -> float:
    """Quiet, a spike from minute 10 to 40, then quiet again."""
    return 90.0 if 10 <= minute < 40 else 10.0


def simulate(
    cfg: LoadScalingConfig, load: dict[int, float], until: int
) -> list[tuple[int, str, str]]:
    """A pass a minute; online instances report the given cpu; a start is online at once."""
    fleet = {i.id: i for i in [ALWAYS_ON, instance("load1"), instance("load2"), instance("load3")]}
    state = ScalingState()
    happened: list[tuple[int, str, str]] = []
    for minute in range(until):
        now = minutes(minute)
        decision = load_decision(
            cfg, state, samples(list(fleet.values()), now, cpu=load[minute]), fleet.values(), now
        )
        state = decision.state
        for i in decision.start:
            fleet[i.id] = replace(i, status=ON)
            happened.append((minute, "start", i.hostname))
        for i in decision.stop:
            fleet[i.id] = replace(i, status=OFF)
            happened.append((minute, "stop", i.hostname))
    return happened


def test_a_load_spike_and_fall_give_exactly_the_expected_starts_and_stops() -> None:
    # up: wait 5 min, then ignore 5; the spike starts at 10: start at 15, again at 20 + 5 = 25,
    # and at 35 (load3). Down: the fall at 40, wait 10 -> stop at 50; ignore 10 then wait 10
    # again -> 70, then 90.
    assert simulate(config(), {m: cpu_at(m) for m in range(100)}, 100) == [
        (15, "start", "load1"),
        (25, "start", "load2"),
        (35, "start", "load3"),
        (50, "stop", "load3"),
        (70, "stop", "load2"),
        (90, "stop", "load1"),
    ]


def test_a_spike_shorter_than_the_wait_time_starts_nothing() -> None:
    load = {m: 90.0 if 10 <= m < 14 else 50.0 for m in range(60)}
    assert simulate(config(), load, 60) == []


def test_bigger_steps_and_no_ignore_time() -> None:
    cfg = config(
        up_instance_count=2,
        up_ignore_metrics_time=0,
        down_instance_count=3,
        down_ignore_metrics_time=0,
    )
    assert simulate(cfg, {m: cpu_at(m) for m in range(60)}, 60) == [
        (15, "start", "load1"),
        (15, "start", "load2"),
        (21, "start", "load3"),  # the wait runs again from the first pass after the step
        (50, "stop", "load3"),
        (50, "stop", "load2"),
        (50, "stop", "load1"),
    ]
