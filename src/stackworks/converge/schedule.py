"""Cron schedules (`m h dom mon dow`), parsed into sets and stepped through: pure, no clock.

    parse_schedule("*/15 9-17 * * mon-fri")     # or @hourly, @daily, @weekly, @monthly, @yearly
    next_run(schedule, after=datetime(...))     # the first minute strictly after `after`

Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month and day
names (`jan`, `mon`); day-of-week 0 and 7 are both Sunday. As in cron, when both day-of-month
and day-of-week are restricted a day matches if EITHER does. Errors name the field:
`schedule: minute 61 is out of range (0-59)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
#: (field name, lowest, highest, names)
FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, DAYS),
)
#: a schedule that never matches (e.g. 30 February) gives up after this many years
SEARCH_YEARS = 8


class ScheduleError(ValueError):
    """A schedule that is not valid cron syntax; the message names the field."""


@dataclass(frozen=True)
class Schedule:
    """The minutes, hours, days, months and weekdays (0 = Sunday) a schedule runs at."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, moment: datetime) -> bool:
        if moment.month not in self.months:
            return False
        day_ok = moment.day in self.days
        weekday_ok = (moment.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return day_ok or weekday_ok
        return day_ok and weekday_ok

    def matches(self, moment: datetime) -> bool:
        return (
            moment.minute in self.minutes and moment.hour in self.hours and self.matches_day(moment)
        )


def _number(token: str, name: str, low: int, high: int, names: tuple[str, ...]) -> int:
    lowered = token.lower()
    if names and lowered in names:
        return names.index(lowered) + (1 if names is MONTHS else 0)
    if not token.isdigit():
        raise ScheduleError(f"schedule: {name} {token!r} is not a number")
    value = int(token)
    if not low <= value <= high:
        raise ScheduleError(f"schedule: {name} {value} is out of range ({low}-{high})")
    return value


def parse_field(text: str, name: str, low: int, high: int, names: tuple[str, ...] = ()) -> set[int]:
    """One field's values, e.g. `1-10/3,20` -> {1, 4, 7, 10, 20}."""
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ScheduleError(f"schedule: {name} has an empty list item in {text!r}")
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleError(f"schedule: {name} step {step_text!r} must be a number >= 1")
            step = int(step_text)
        if base == "*":
            first, last = low, high
        elif "-" in base:
            start, _, end = base.partition("-")
            first = _number(start, name, low, high, names)
            last = _number(end, name, low, high, names)
            if first > last:
                raise ScheduleError(f"schedule: {name} range {base!r} runs backwards")
        else:
            first = _number(base, name, low, high, names)
            last = high if slash else first
        values.update(range(first, last + 1, step))
    return values


def parse_schedule(text: str) -> Schedule:
    """A cron schedule of five fields (or an @nickname) as a `Schedule`; `ScheduleError` says
    what is wrong and in which field."""
    source = str(text).strip()
    expanded = NICKNAMES.get(source.lower(), source)
    if expanded.startswith("@"):
        raise ScheduleError(f"schedule: unknown nickname {source!r} ({', '.join(NICKNAMES)})")
    parts = expanded.split()
    if len(parts) != len(FIELDS):
        raise ScheduleError(
            f"schedule: expected 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(parts)} in {source!r}"
        )
    sets = [parse_field(part, *spec) for part, spec in zip(parts, FIELDS, strict=True)]
    weekdays = {0 if d == 7 else d for d in sets[4]}
    return Schedule(
        text=source,
        minutes=frozenset(sets[0]),
        hours=frozenset(sets[1]),
        days=frozenset(sets[2]),
        months=frozenset(sets[3]),
        weekdays=frozenset(weekdays),
        days_restricted=not parts[2].startswith("*"),
        weekdays_restricted=not parts[4].startswith("*"),
    )


def next_run(schedule: Schedule | str, after: datetime) -> datetime:
    """The first minute strictly after `after` the schedule runs at (same tzinfo as `after`).

    Steps day by day to a matching day, then through that day's hours and minutes, so it
    costs at most a few thousand comparisons; a schedule that can never run fails."""
    parsed = parse_schedule(schedule) if isinstance(schedule, str) else schedule
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    limit = after + timedelta(days=366 * SEARCH_YEARS)
    hours = sorted(parsed.hours)
    minutes = sorted(parsed.minutes)
    while moment <= limit:
        if not parsed.matches_day(moment):
            moment = (moment + timedelta(days=1)).replace(hour=0, minute=0)
            continue
        for hour in hours:
            if hour < moment.hour:
                continue
            for minute in minutes:
                if hour == moment.hour and minute < moment.minute:
                    continue
                return moment.replace(hour=hour, minute=minute)
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0)
    raise ScheduleError(f"schedule: {parsed.text!r} never runs")
