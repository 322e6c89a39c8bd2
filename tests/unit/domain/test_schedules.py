"""Time-based instances, as a specification: which hours are on, and what a week of them does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from stackworks.domain.entities import Instance
from stackworks.domain.errors import InvalidInput
from stackworks.domain.schedules import (
    WeeklySchedule,
    hour_ranges,
    is_on,
    parse_schedule,
    schedule_actions,
    with_days,
)
from stackworks.domain.status import InstanceStatus, ScalingType

MONDAY = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday, 00:00 UTC


def instance(hostname: str, scaling: ScalingType, status: InstanceStatus) -> Instance:
    return Instance(
        id=hostname,
        stack_id="s",
        hostname=hostname,
        layers=("app",),
        status=status,
        scaling=scaling,
    )


@pytest.mark.parametrize(
    ("data", "moment", "on"),
    [
        ({"Monday": {"9": "on"}}, MONDAY + timedelta(hours=9), True),
        ({"Monday": {"9": "on"}}, MONDAY + timedelta(hours=9, minutes=59), True),
        ({"Monday": {"9": "on"}}, MONDAY + timedelta(hours=10), False),
        ({"Monday": {"9": "on"}}, MONDAY + timedelta(days=7, hours=9), True),  # next Monday
        ({"Monday": {"9": "on"}}, MONDAY + timedelta(days=1, hours=9), False),  # Tuesday
        ({"Monday": {"9": "off"}}, MONDAY + timedelta(hours=9), False),
        ({"Sunday": {"23": "on"}}, MONDAY - timedelta(minutes=1), True),
        ({}, MONDAY + timedelta(hours=12), False),  # off unless said otherwise
    ],
)
def test_an_hour_is_on_only_when_its_weekday_names_it_on(
    data: dict[str, dict[str, str]], moment: datetime, on: bool
) -> None:
    assert is_on(parse_schedule(data), moment) is on


def test_is_on_reads_the_moment_in_utc() -> None:
    paris = datetime(2026, 11, 30, 10, 30, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Paris")
    )
    assert is_on(parse_schedule({"Monday": {"10": "on"}}), paris)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"Funday": {"9": "on"}}, "Funday"),
        ({"Monday": {"24": "on"}}, "Monday.24"),
        ({"Monday": {"nine": "on"}}, "Monday.nine"),
        ({"Monday": {"9": "yes"}}, "Monday.9"),
        ({"Monday": ["9"]}, "Monday"),
    ],
)
def test_a_wrong_day_hour_or_value_is_refused_naming_it(
    data: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_schedule(data, field_prefix="")
    assert refused.value.field == field


def test_the_wire_shape_names_only_the_hours_that_are_on() -> None:
    schedule = parse_schedule({"Monday": {"9": "on", "10": "off"}, "Friday": {"12": "ON"}})
    assert schedule.to_dict() == {"Monday": {"9": "on"}, "Friday": {"12": "on"}}
    assert parse_schedule(schedule.to_dict()) == schedule


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("9-17", set(range(9, 17))),
        ("9", {9}),
        ("0-6,20-24", set(range(0, 6)) | set(range(20, 24))),
        ("off", set()),
    ],
)
def test_hour_ranges_run_from_the_start_hour_up_to_the_end_hour(text: str, hours: set[int]) -> None:
    assert hour_ranges(text, field="--monday") == frozenset(hours)


@pytest.mark.parametrize("text", ["17-9", "9-25", "x", "9-"])
def test_a_bad_hour_range_is_refused_naming_the_option(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        hour_ranges(text, field="--monday")
    assert refused.value.field == "--monday"


def test_with_days_replaces_only_the_days_named() -> None:
    schedule = parse_schedule({"Monday": {"9": "on"}, "Friday": {"9": "on"}})
    changed = with_days(schedule, {"Monday": frozenset({10}), "Friday": frozenset()})
    assert changed == WeeklySchedule({"Monday": frozenset({10})})


@pytest.mark.parametrize(
    ("scaling", "status", "on", "expected"),
    [
        (ScalingType.TIME, InstanceStatus.STOPPED, True, "start"),
        (ScalingType.TIME, InstanceStatus.ONLINE, True, None),
        (ScalingType.TIME, InstanceStatus.BOOTING, True, None),
        (ScalingType.TIME, InstanceStatus.START_FAILED, True, None),  # healing's business
        (ScalingType.TIME, InstanceStatus.ONLINE, False, "stop"),
        (ScalingType.TIME, InstanceStatus.BOOTING, False, "stop"),
        (ScalingType.TIME, InstanceStatus.SETUP_FAILED, False, "stop"),
        (ScalingType.TIME, InstanceStatus.STOPPED, False, None),
        (ScalingType.TIME, InstanceStatus.STOPPING, False, None),
        (ScalingType.ALWAYS, InstanceStatus.STOPPED, True, None),
        (ScalingType.ALWAYS, InstanceStatus.ONLINE, False, None),
        (ScalingType.LOAD, InstanceStatus.ONLINE, False, None),
        (ScalingType.LOAD, InstanceStatus.STOPPED, True, None),
    ],
)
def test_only_time_based_instances_are_started_when_on_and_stopped_when_off(
    scaling: ScalingType, status: InstanceStatus, on: bool, expected: str | None
) -> None:
    schedule = parse_schedule({"Monday": {"9": "on"}})
    moment = MONDAY + timedelta(hours=9 if on else 8)
    actions = schedule_actions([instance("web1", scaling, status)], {"web1": schedule}, moment)
    assert [("start" if a.start else "stop") for a in actions] == ([expected] if expected else [])


def test_a_time_based_instance_without_a_schedule_is_off() -> None:
    running = instance("web1", ScalingType.TIME, InstanceStatus.ONLINE)
    [action] = schedule_actions([running], {}, MONDAY + timedelta(hours=12))
    assert not action.start
    assert "off at Monday 12:00 UTC" in action.reason


def simulate_week(
    schedules: dict[str, WeeklySchedule], step: timedelta
) -> list[tuple[str, str, str]]:
    """A week in `step`s; each start brings the instance online at once, each stop stops it."""
    fleet = {
        "web1": instance("web1", ScalingType.TIME, InstanceStatus.STOPPED),
        "web2": instance("web2", ScalingType.TIME, InstanceStatus.STOPPED),
        "always": instance("always", ScalingType.ALWAYS, InstanceStatus.ONLINE),
    }
    happened: list[tuple[str, str, str]] = []
    moment = MONDAY
    while moment < MONDAY + timedelta(days=7):
        for action in schedule_actions(fleet.values(), schedules, moment):
            status = InstanceStatus.ONLINE if action.start else InstanceStatus.STOPPED
            fleet[action.instance.id] = replace(action.instance, status=status)
            verb = "start" if action.start else "stop"
            happened.append((moment.strftime("%a %H:%M"), verb, action.instance.hostname))
        moment += step
    return happened


@pytest.mark.parametrize("step", [timedelta(minutes=10), timedelta(minutes=1)])
def test_a_simulated_week_gives_exactly_the_scheduled_starts_and_stops(step: timedelta) -> None:
    schedules = {
        "web1": parse_schedule(
            {
                "Monday": {str(h): "on" for h in range(9, 17)},
                "Friday": {str(h): "on" for h in range(9, 12)},
            }
        ),
        # over midnight: Saturday 22:00 to Sunday 02:00
        "web2": parse_schedule(
            {"Saturday": {"22": "on", "23": "on"}, "Sunday": {"0": "on", "1": "on"}}
        ),
    }
    assert simulate_week(schedules, step) == [
        ("Mon 09:00", "start", "web1"),
        ("Mon 17:00", "stop", "web1"),
        ("Fri 09:00", "start", "web1"),
        ("Fri 12:00", "stop", "web1"),
        ("Sat 22:00", "start", "web2"),
        ("Sun 02:00", "stop", "web2"),
    ]
