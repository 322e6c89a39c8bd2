"""Time-based instances: a weekly schedule of UTC hours, OpsWorks' WeeklyAutoScalingSchedule.

The wire shape is OpsWorks' own: `{"Monday": {"9": "on", "10": "on"}, ...}`; a day or hour not
named is off. Parsing checks every key and value and names the one that is wrong, so an API
caller learns which field to fix. The decision (`schedule_actions`) is pure: instances and
schedules in, the starts and stops their current UTC hour asks for out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stackworks.domain.entities import Instance
from stackworks.domain.errors import InvalidInput
from stackworks.domain.status import InstanceStatus, ScalingType

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = range(24)
ON = "on"
OFF = "off"


@dataclass(frozen=True)
class WeeklySchedule:
    """The UTC hours each weekday an instance should run; every other hour it is stopped."""

    on_hours: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def hours(self, day: str) -> frozenset[int]:
        return self.on_hours.get(day, frozenset())

    def to_dict(self) -> dict[str, dict[str, str]]:
        """OpsWorks' shape, naming only the hours that are on (off is the default)."""
        return {
            day: {str(hour): ON for hour in sorted(self.hours(day))}
            for day in DAYS
            if self.hours(day)
        }

    @property
    def empty(self) -> bool:
        return not any(self.on_hours.values())


def parse_schedule(data: Mapping[str, Any], *, field_prefix: str = "") -> WeeklySchedule:
    """A schedule from OpsWorks' shape; InvalidInput names the day or hour that is wrong."""
    on_hours: dict[str, frozenset[int]] = {}
    for day, hours in data.items():
        where = f"{field_prefix}{day}"
        if day not in DAYS:
            raise InvalidInput(
                f"{day!r} is not a weekday: use one of {', '.join(DAYS)}", field=where
            )
        if hours is None:
            continue
        if not isinstance(hours, Mapping):
            raise InvalidInput('a day is an object of hours, e.g. {"9": "on"}', field=where)
        on: set[int] = set()
        for key, value in hours.items():
            hour = _hour(key, f"{where}.{key}")
            state = str(value).lower() if isinstance(value, str) else value
            if state not in (ON, OFF):
                raise InvalidInput(f"{value!r}: an hour is 'on' or 'off'", field=f"{where}.{key}")
            if state == ON:
                on.add(hour)
        if on:
            on_hours[day] = frozenset(on)
    return WeeklySchedule(on_hours)


def _hour(key: object, where: str) -> int:
    text = str(key).strip()
    if not text.isdigit() or int(text) not in HOURS:
        raise InvalidInput(f"{key!r} is not a UTC hour: use 0 to 23", field=where)
    return int(text)


def hour_ranges(text: str, *, field: str) -> frozenset[int]:
    """Hours from `9-17` (09:00 to 17:00: hours 9..16 on), `9`, or `0-6,20-24`; `off`: none."""
    text = text.strip().lower()
    if text in ("", OFF, "none"):
        return frozenset()
    hours: set[int] = set()
    for part in text.split(","):
        first, sep, last = part.strip().partition("-")
        try:
            start = int(first)
            end = int(last) if sep else start + 1
        except ValueError:
            raise InvalidInput(f"{part!r}: hours look like 9-17 or 9", field=field) from None
        if not (0 <= start < end <= 24):
            raise InvalidInput(f"{part!r}: hours go from 0 to 24, start before end", field=field)
        hours.update(range(start, end))
    return frozenset(hours)


def with_days(schedule: WeeklySchedule, days: Mapping[str, frozenset[int]]) -> WeeklySchedule:
    """The schedule with the named days replaced (the others kept)."""
    merged = dict(schedule.on_hours)
    merged.update(days)
    return WeeklySchedule({day: hours for day, hours in merged.items() if hours})


def is_on(schedule: WeeklySchedule, now: datetime) -> bool:
    """Whether the schedule says the instance should run at `now` (taken in UTC)."""
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    return moment.hour in schedule.hours(DAYS[moment.weekday()])


@dataclass(frozen=True)
class Action:
    """Start or stop one instance, and why (the reason becomes the stack event's message)."""

    instance: Instance
    start: bool
    reason: str


#: what the schedule starts from: a stopped instance (failures are auto-healing's business)
STARTABLE = frozenset({InstanceStatus.STOPPED})
#: what the schedule stops: anything that runs or tries to
STOPPABLE = frozenset(
    {
        InstanceStatus.REQUESTED,
        InstanceStatus.PENDING,
        InstanceStatus.BOOTING,
        InstanceStatus.RUNNING_SETUP,
        InstanceStatus.ONLINE,
        InstanceStatus.SETUP_FAILED,
        InstanceStatus.START_FAILED,
        InstanceStatus.CONNECTION_LOST,
    }
)


def schedule_actions(
    instances: Iterable[Instance], schedules: Mapping[str, WeeklySchedule], now: datetime
) -> list[Action]:
    """Starts and stops for the time-based instances; `schedules` by instance id (none: off)."""
    moment = now.astimezone(UTC)
    slot = f"{DAYS[moment.weekday()]} {moment.hour:02d}:00 UTC"
    actions: list[Action] = []
    for instance in instances:
        if instance.scaling is not ScalingType.TIME:
            continue
        on = is_on(schedules.get(instance.id, WeeklySchedule()), moment)
        if on and instance.status in STARTABLE:
            actions.append(
                Action(instance, True, f"the schedule of {instance.hostname} is on at {slot}")
            )
        elif not on and instance.status in STOPPABLE:
            actions.append(
                Action(instance, False, f"the schedule of {instance.hostname} is off at {slot}")
            )
    return actions
