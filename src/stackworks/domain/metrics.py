"""The metrics history: heartbeat samples, per-minute averages, and how long each is kept.

Full resolution (one point per heartbeat) is kept for `RAW_RETENTION`; older samples are
compacted into per-minute averages, kept for `MINUTE_RETENTION`, then dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

RAW_RETENTION = timedelta(days=1)
MINUTE_RETENTION = timedelta(days=14)
#: what a heartbeat's metrics hold that the history keeps (the agent's names)
FIELDS = ("cpu", "memory", "disk", "load1", "load5", "load15")


class Resolution(StrEnum):
    RAW = "raw"  # one point per heartbeat
    MINUTE = "minute"  # one point per minute: the average of its samples


@dataclass(frozen=True)
class MetricPoint:
    """One instance's (or a layer's) metrics at `at`; `samples` is how many it averages."""

    at: datetime
    cpu: float | None = None
    memory: float | None = None
    disk: float | None = None
    load1: float | None = None
    load5: float | None = None
    load15: float | None = None
    samples: int = 1

    def values(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in FIELDS}


def from_heartbeat(metrics: Mapping[str, Any], at: datetime) -> MetricPoint | None:
    """A point from a heartbeat's metrics; None when it carries none of the known numbers."""
    values: dict[str, float] = {}
    for name in FIELDS:
        value = metrics.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = float(value)
    return _point(at, values, 1) if values else None


def _point(at: datetime, values: Mapping[str, float], samples: int) -> MetricPoint:
    return MetricPoint(
        at=at,
        cpu=values.get("cpu"),
        memory=values.get("memory"),
        disk=values.get("disk"),
        load1=values.get("load1"),
        load5=values.get("load5"),
        load15=values.get("load15"),
        samples=samples,
    )


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def average(points: Iterable[MetricPoint], at: datetime) -> MetricPoint:
    """One point averaging `points`, weighted by how many samples each already averages."""
    listed = list(points)
    totals: dict[str, float] = defaultdict(float)
    weights: dict[str, int] = defaultdict(int)
    for point in listed:
        for name, value in point.values().items():
            if value is not None:
                totals[name] += value * point.samples
                weights[name] += point.samples
    means = {name: round(totals[name] / weights[name], 3) for name in totals}
    return _point(at, means, sum(p.samples for p in listed))


def minute_averages(points: Iterable[MetricPoint]) -> list[MetricPoint]:
    """Per-minute averages of `points`, oldest first, each at its minute's start."""
    by_minute: dict[datetime, list[MetricPoint]] = defaultdict(list)
    for point in points:
        by_minute[minute_of(point.at)].append(point)
    return [average(by_minute[minute], minute) for minute in sorted(by_minute)]
