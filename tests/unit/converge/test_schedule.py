"""Cron schedules: parsing errors that name the field, and next_run as a table."""

from __future__ import annotations

from datetime import datetime

import pytest

from stackworks.converge.providers.cron_units import on_calendar
from stackworks.converge.schedule import ScheduleError, next_run, parse_schedule

# 2026-12-01 is a Tuesday.
T = datetime(2026, 12, 1, 10, 7, 30)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("* * * * *", T, datetime(2026, 12, 1, 10, 8)),
        ("* * * * *", datetime(2026, 12, 1, 10, 7), datetime(2026, 12, 1, 10, 8)),  # strictly after
        ("*/15 * * * *", T, datetime(2026, 12, 1, 10, 15)),
        ("0 * * * *", T, datetime(2026, 12, 1, 11, 0)),
        ("5 10 * * *", T, datetime(2026, 12, 2, 10, 5)),
        ("30 2 * * *", T, datetime(2026, 12, 2, 2, 30)),
        ("0 9-17/4 * * *", T, datetime(2026, 12, 1, 13, 0)),
        ("0 0 1 * *", T, datetime(2027, 1, 1, 0, 0)),
        ("0 0 * * mon", T, datetime(2026, 12, 7, 0, 0)),
        ("0 0 * * 0", T, datetime(2026, 12, 6, 0, 0)),
        ("0 0 * * 7", T, datetime(2026, 12, 6, 0, 0)),  # 7 is Sunday too
        ("0 0 * * sat,sun", T, datetime(2026, 12, 5, 0, 0)),
        ("0 12 15 * fri", T, datetime(2026, 12, 4, 12, 0)),  # day-of-month OR day-of-week
        ("0 12 3 * fri", T, datetime(2026, 12, 3, 12, 0)),
        ("0 0 29 feb *", T, datetime(2028, 2, 29, 0, 0)),
        ("0 0 1 jan-mar *", T, datetime(2027, 1, 1, 0, 0)),
        ("59 23 31 12 *", T, datetime(2026, 12, 31, 23, 59)),
        ("@hourly", T, datetime(2026, 12, 1, 11, 0)),
        ("@daily", T, datetime(2026, 12, 2, 0, 0)),
        ("@weekly", T, datetime(2026, 12, 6, 0, 0)),
        ("@monthly", T, datetime(2027, 1, 1, 0, 0)),
        ("@yearly", T, datetime(2027, 1, 1, 0, 0)),
        ("1,31 * * * *", T, datetime(2026, 12, 1, 10, 31)),
        ("0 0 */10 * *", T, datetime(2026, 12, 11, 0, 0)),
    ],
)
def test_next_run(schedule: str, after: datetime, expected: datetime) -> None:
    assert next_run(schedule, after) == expected


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        ("61 * * * *", "schedule: minute 61 is out of range (0-59)"),
        ("* 24 * * *", "schedule: hour 24 is out of range (0-23)"),
        ("* * 0 * *", "schedule: day of month 0 is out of range (1-31)"),
        ("* * * 13 *", "schedule: month 13 is out of range (1-12)"),
        ("* * * * 8", "schedule: day of week 8 is out of range (0-7)"),
        ("* * * * funday", "schedule: day of week 'funday' is not a number"),
        ("*/0 * * * *", "schedule: minute step '0' must be a number >= 1"),
        ("10-5 * * * *", "schedule: minute range '10-5' runs backwards"),
        ("1,,2 * * * *", "schedule: minute has an empty list item"),
        ("* * * *", "schedule: expected 5 fields"),
        ("", "schedule: expected 5 fields"),
        ("@often", "schedule: unknown nickname '@often'"),
    ],
)
def test_bad_schedules_name_the_field(schedule: str, error: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(schedule)
    assert str(caught.value).startswith(error)


def test_a_schedule_that_can_never_run_says_so() -> None:
    with pytest.raises(ScheduleError, match="never runs"):
        next_run("0 0 30 feb *", T)


@pytest.mark.parametrize(
    ("schedule", "calendars"),
    [
        ("*/30 * * * *", ["*-*-* *:00,30:00"]),
        ("5 3 * * *", ["*-*-* 03:05:00"]),
        ("0 9 * * mon-fri", ["Mon,Tue,Wed,Thu,Fri *-*-* 09:00:00"]),
        ("0 0 1 jan *", ["*-01-01 00:00:00"]),
        ("0 12 15 * fri", ["*-*-15 12:00:00", "Fri *-*-* 12:00:00"]),
    ],
)
def test_systemd_calendars_fire_when_cron_would(schedule: str, calendars: list[str]) -> None:
    assert on_calendar(parse_schedule(schedule)) == calendars
