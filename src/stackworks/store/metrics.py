"""The metrics history in the store: samples per instance, compaction, and series to read.

Compaction and reads work in Python over plain selects, so the SQL stays portable (no
dialect-specific date truncation): a minute's average is computed from the rows of that minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from stackworks.domain import metrics
from stackworks.domain.load_scaling import Sample
from stackworks.domain.metrics import MetricPoint, Resolution
from stackworks.store.tables import MetricSampleRow, table_of

#: raw samples compacted per pass at most (a day of 1 s heartbeats is 86,400 per instance)
COMPACT_WINDOW = timedelta(hours=1)


#: what reads select: plain columns, not mapped objects (a layer's hour is tens of thousands)
_READ_COLUMNS = (
    MetricSampleRow.at,
    MetricSampleRow.resolution,
    MetricSampleRow.samples,
    MetricSampleRow.cpu,
    MetricSampleRow.memory,
    MetricSampleRow.disk,
    MetricSampleRow.load1,
    MetricSampleRow.load5,
    MetricSampleRow.load15,
)


def _point(row: Any) -> MetricPoint:
    """A point from a mapped row or a row of `_READ_COLUMNS` (the same attribute names)."""
    return MetricPoint(
        at=row.at,
        cpu=row.cpu,
        memory=row.memory,
        disk=row.disk,
        load1=row.load1,
        load5=row.load5,
        load15=row.load15,
        samples=row.samples,
    )


def _row(instance_id: str, point: MetricPoint, resolution: Resolution) -> MetricSampleRow:
    return MetricSampleRow(
        instance_id=instance_id,
        at=point.at,
        resolution=resolution.value,
        samples=point.samples,
        **point.values(),
    )


_SAMPLES = table_of(MetricSampleRow)

#: built once (every heartbeat adds a sample): the values come as parameters
_INSERT_SAMPLE = insert(_SAMPLES)


def add(session: Session, instance_id: str, point: MetricPoint) -> None:
    """Keep one raw sample: a plain INSERT, not an ORM object flushed and its id read back."""
    session.execute(_INSERT_SAMPLE, _raw_sample(instance_id, point))


def record_heartbeats(
    session: Session, reported: Iterable[tuple[str, dict[str, object]]], at: datetime
) -> None:
    """Keep heartbeats' metrics, those that reported any: one INSERT sent with every sample's
    values (every heartbeat adds one)."""
    rows = []
    for instance_id, values in reported:
        point = metrics.from_heartbeat(values, at)
        if point is not None:
            rows.append(_raw_sample(instance_id, point))
    if rows:
        session.execute(_INSERT_SAMPLE, rows)


def _raw_sample(instance_id: str, point: MetricPoint) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "at": point.at,
        "resolution": Resolution.RAW.value,
        "samples": point.samples,
        **point.values(),
    }


def _rows(
    session: Session,
    instance_ids: Iterable[str],
    since: datetime,
    until: datetime | None,
) -> Sequence[Any]:
    """Raw and minute rows of the instances in the period, oldest first.

    The resolution is left to the caller on purpose: with a `resolution = ...` term SQLite
    (which has no statistics unless ANALYZE ran) picks the (resolution, at) index and reads the
    samples of every instance in the period for each one asked, 100 times too many for a layer
    of 100; without it, only the (instance_id, at) index fits.
    """
    query = select(*_READ_COLUMNS).where(
        MetricSampleRow.instance_id.in_(list(instance_ids)),
        MetricSampleRow.at >= since,
    )
    if until is not None:
        query = query.where(MetricSampleRow.at <= until)
    return session.execute(query.order_by(MetricSampleRow.at, MetricSampleRow.id)).all()


def series(
    session: Session,
    instance_id: str,
    *,
    since: datetime,
    until: datetime | None = None,
    resolution: Resolution = Resolution.RAW,
    limit: int = 10_000,
) -> list[MetricPoint]:
    """An instance's points from `since`, oldest first, at most `limit` of them.

    Raw: the heartbeats still kept at full resolution. Minute: the compacted minutes, then the
    raw samples averaged per minute, so the two together cover the whole history.
    """
    rows = _rows(session, [instance_id], since, until)
    raw = [_point(r) for r in rows if r.resolution == Resolution.RAW.value]
    if resolution is Resolution.RAW:
        return raw[:limit]
    minutes = [_point(r) for r in rows if r.resolution == Resolution.MINUTE.value]
    return _merge_minutes(minutes, metrics.minute_averages(raw))[:limit]


def _merge_minutes(stored: list[MetricPoint], fresh: list[MetricPoint]) -> list[MetricPoint]:
    """Stored minutes and minutes averaged now, one point per minute (a split one averaged)."""
    by_minute: dict[datetime, list[MetricPoint]] = defaultdict(list)
    for point in [*stored, *fresh]:
        by_minute[point.at].append(point)
    return [metrics.average(by_minute[m], m) for m in sorted(by_minute)]


def layer_series(
    session: Session,
    instance_ids: list[str],
    *,
    since: datetime,
    until: datetime | None = None,
    limit: int = 10_000,
) -> list[MetricPoint]:
    """Per-minute averages over the given instances: each instance's minute counts once."""
    by_minute: dict[datetime, list[MetricPoint]] = defaultdict(list)
    for instance_id in instance_ids:
        for point in _minutes_of(_rows(session, [instance_id], since, until)):
            by_minute[point.at].append(point)
    return [metrics.average(by_minute[m], m) for m in sorted(by_minute)][:limit]


def _minutes_of(rows: Sequence[Any]) -> list[MetricPoint]:
    """One instance's rows (raw and minute alike, of `_READ_COLUMNS`) as one point per minute,
    each field the mean weighted by samples, counting once (`samples=1`).

    The same figures as `series(..., resolution=MINUTE)` without a point per row: a layer's hour
    of heartbeats is tens of thousands of rows.
    """
    width = len(metrics.FIELDS)
    sums: dict[datetime, list[float]] = {}
    for row in rows:
        minute = metrics.minute_of(row[0])
        totals = sums.get(minute)
        if totals is None:
            totals = sums[minute] = [0.0] * (2 * width)
        weight = row[2]
        for index in range(width):
            value = row[3 + index]  # _READ_COLUMNS: at, resolution, samples, then FIELDS
            if value is not None:
                totals[index] += value * weight
                totals[width + index] += weight
    return [
        MetricPoint(
            at=minute,
            samples=1,
            **{
                name: round(totals[index] / totals[width + index], 3)
                for index, name in enumerate(metrics.FIELDS)
                if totals[width + index]
            },
        )
        for minute, totals in sorted(sums.items())
    ]


def latest(
    session: Session, instance_ids: list[str], *, since: datetime, until: datetime
) -> dict[str, list[Sample]]:
    """Each instance's newest raw sample in [since, until]: what load-based scaling reads."""
    found: dict[str, list[Sample]] = {}
    for instance_id in instance_ids:
        row = session.scalar(
            select(MetricSampleRow)
            .where(
                MetricSampleRow.instance_id == instance_id,
                MetricSampleRow.resolution == Resolution.RAW.value,
                MetricSampleRow.at >= since,
                MetricSampleRow.at <= until,
            )
            .order_by(MetricSampleRow.at.desc(), MetricSampleRow.id.desc())
            .limit(1)
        )
        if row is not None:
            found[instance_id] = [
                Sample(at=row.at, cpu=row.cpu, memory=row.memory, load1=row.load1)
            ]
    return found


def compact(session: Session, now: datetime) -> int:
    """Average raw samples older than the raw retention into minutes (an hour of them per call)
    and drop minutes older than the minute retention. Returns how many rows went."""
    cutoff = metrics.minute_of(now - metrics.RAW_RETENTION)
    oldest = session.scalar(
        select(func.min(MetricSampleRow.at)).where(
            MetricSampleRow.resolution == Resolution.RAW.value, MetricSampleRow.at < cutoff
        )
    )
    removed = 0
    if oldest is not None:
        upto = min(cutoff, metrics.minute_of(oldest) + COMPACT_WINDOW)
        rows = list(
            session.scalars(
                select(MetricSampleRow).where(
                    MetricSampleRow.resolution == Resolution.RAW.value, MetricSampleRow.at < upto
                )
            )
        )
        by_instance: dict[str, list[MetricPoint]] = defaultdict(list)
        for row in rows:
            by_instance[row.instance_id].append(_point(row))
        for instance_id, points in by_instance.items():
            for minute in metrics.minute_averages(points):
                session.add(_row(instance_id, minute, Resolution.MINUTE))
        session.execute(
            delete(MetricSampleRow).where(
                MetricSampleRow.resolution == Resolution.RAW.value, MetricSampleRow.at < upto
            )
        )
        removed += len(rows)
    expired = session.execute(
        delete(MetricSampleRow).where(
            MetricSampleRow.resolution == Resolution.MINUTE.value,
            MetricSampleRow.at < now - metrics.MINUTE_RETENTION,
        )
    )
    removed += int(getattr(expired, "rowcount", 0) or 0)
    session.flush()
    return removed
