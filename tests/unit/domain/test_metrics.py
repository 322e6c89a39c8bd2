"""The metrics history's arithmetic: what a heartbeat keeps, and per-minute averages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stackworks.domain.metrics import MetricPoint, average, from_heartbeat, minute_averages

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reported", "kept"),
    [
        ({"cpu": 12.5, "memory": 40, "load1": 0.5}, {"cpu": 12.5, "memory": 40.0, "load1": 0.5}),
        ({"cpu": "high", "memory": True, "disk": 7}, {"disk": 7.0}),  # only numbers
        ({"custom": 1.0}, None),  # nothing the history keeps: no point
        ({}, None),
    ],
)
def test_a_heartbeat_keeps_only_the_known_numbers(
    reported: dict[str, object], kept: dict[str, float] | None
) -> None:
    point = from_heartbeat(reported, T0)
    if kept is None:
        assert point is None
    else:
        assert point is not None
        assert {k: v for k, v in point.values().items() if v is not None} == kept


def test_minute_averages_group_by_minute_and_skip_missing_values() -> None:
    points = [
        MetricPoint(at=T0 + timedelta(seconds=5), cpu=10.0, memory=50.0),
        MetricPoint(at=T0 + timedelta(seconds=35), cpu=30.0),
        MetricPoint(at=T0 + timedelta(minutes=1, seconds=1), cpu=80.0),
    ]
    first, second = minute_averages(points)
    assert (first.at, first.cpu, first.memory, first.samples) == (T0, 20.0, 50.0, 2)
    assert (second.at, second.cpu, second.samples) == (T0 + timedelta(minutes=1), 80.0, 1)


def test_an_average_of_averages_weighs_each_by_its_samples() -> None:
    merged = average([MetricPoint(at=T0, cpu=10.0, samples=3), MetricPoint(at=T0, cpu=50.0)], T0)
    assert (merged.cpu, merged.samples) == (20.0, 4)
