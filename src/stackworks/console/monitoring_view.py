"""What the monitoring pages show: CPU, memory and load charts per layer and per instance, over
the last hour or the last day, from the stored metrics history (store/metrics.py).

The last hour is drawn from the raw heartbeats (one point per beat); the last day from
per-minute averages, as a layer's history always is. A series is thinned to what a chart can
show (`MAX_POINTS`), and points further apart than a few beats (or minutes) are not joined: the
instance was not reporting then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from stackworks.console.charts import LineChart, Series, thin
from stackworks.domain.entities import Instance, Layer, Stack
from stackworks.domain.metrics import MetricPoint, Resolution
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import metrics as metric_store

#: points per line at most: about one per unit of the chart's width
MAX_POINTS = 360


class Period(StrEnum):
    HOUR = "hour"
    DAY = "day"

    @property
    def label(self) -> str:
        return "Last hour" if self is Period.HOUR else "Last day"

    @property
    def length(self) -> timedelta:
        return timedelta(hours=1) if self is Period.HOUR else timedelta(days=1)

    @property
    def resolution(self) -> Resolution:
        return Resolution.RAW if self is Period.HOUR else Resolution.MINUTE


def max_gap(period: Period, heartbeat_interval: float) -> timedelta:
    """How far apart two points may be and still be joined: a few missed beats (or minutes)."""
    if period is Period.DAY:
        return timedelta(minutes=3)
    return timedelta(seconds=max(4 * heartbeat_interval, 20.0))


@dataclass(frozen=True)
class Panel:
    """The three charts of one layer or instance; `key` makes their element ids unique."""

    key: str
    charts: tuple[LineChart, ...]
    points: int  # how many points the history had, before thinning

    def chart_ids(self) -> list[tuple[str, LineChart]]:
        names = ("cpu", "memory", "load")
        return [
            (f"{self.key}-{name}", chart) for name, chart in zip(names, self.charts, strict=True)
        ]


def _line(label: str, points: Sequence[MetricPoint], field: str) -> Series:
    return Series(label, thin([(p.at, getattr(p, field)) for p in points], MAX_POINTS))


def panel(
    key: str,
    subject: str,
    points: Sequence[MetricPoint],
    *,
    start: datetime,
    end: datetime,
    gap: timedelta,
) -> Panel:
    """CPU and memory (percent, 0 to 100) and the 1, 5 and 15 minute load averages."""

    def chart(title: str, series: list[Series], unit: str, ceiling: float | None) -> LineChart:
        return LineChart(
            title=f"{title}, {subject}",
            start=start,
            end=end,
            series=series,
            unit=unit,
            ceiling=ceiling,
            max_gap=gap,
        )

    return Panel(
        key=key,
        charts=(
            chart("CPU", [_line("CPU", points, "cpu")], "%", 100.0),
            chart("Memory", [_line("memory", points, "memory")], "%", 100.0),
            chart(
                "Load",
                [
                    _line("1 min", points, "load1"),
                    _line("5 min", points, "load5"),
                    _line("15 min", points, "load15"),
                ],
                "",
                None,
            ),
        ),
        points=len(points),
    )


@dataclass(frozen=True)
class LayerMonitoring:
    layer: Layer
    instances: tuple[Instance, ...]
    panel: Panel


def layers(
    session: Session, stack: Stack, period: Period, now: datetime, heartbeat_interval: float
) -> list[LayerMonitoring]:
    """Each layer of the stack: its instances and the per-minute average over them."""
    start, gap = now - period.length, max_gap(Period.DAY, heartbeat_interval)
    everyone = instance_store.list_for_stack(session, stack.id)
    found = []
    for layer in layer_store.list_for_stack(session, stack.id):
        members = tuple(i for i in everyone if layer.shortname in i.layers)
        points = metric_store.layer_series(session, [i.id for i in members], since=start, until=now)
        found.append(
            LayerMonitoring(
                layer,
                members,
                panel(
                    f"layer-{layer.shortname}",
                    f"layer {layer.shortname}",
                    points,
                    start=start,
                    end=now,
                    gap=gap,
                ),
            )
        )
    return found


def instance(
    session: Session,
    instance: Instance,
    period: Period,
    now: datetime,
    heartbeat_interval: float,
) -> Panel:
    """One instance's history: its heartbeats over the hour, its minutes over the day."""
    start = now - period.length
    points = metric_store.series(
        session, instance.id, since=start, until=now, resolution=period.resolution
    )
    return panel(
        f"instance-{instance.hostname}",
        instance.hostname,
        points,
        start=start,
        end=now,
        gap=max_gap(period, heartbeat_interval),
    )
