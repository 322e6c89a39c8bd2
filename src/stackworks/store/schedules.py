"""Time-based instances' weekly schedules in the store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.entities import Instance
from stackworks.domain.schedules import WeeklySchedule, parse_schedule
from stackworks.domain.status import InstanceStatus, ScalingType
from stackworks.store import instances as instance_store
from stackworks.store.tables import InstanceRow, InstanceScheduleRow, utcnow


def get(session: Session, instance_id: str) -> WeeklySchedule:
    """The instance's schedule; one never set is all off."""
    row = session.get(InstanceScheduleRow, instance_id)
    return parse_schedule(row.schedule) if row is not None else WeeklySchedule()


def put(session: Session, instance_id: str, schedule: WeeklySchedule) -> WeeklySchedule:
    row = session.get(InstanceScheduleRow, instance_id)
    if row is None:
        row = InstanceScheduleRow(instance_id=instance_id)
        session.add(row)
    row.schedule = schedule.to_dict()
    row.updated_at = utcnow()
    session.flush()
    return schedule


def clear(session: Session, instance_id: str) -> None:
    row = session.get(InstanceScheduleRow, instance_id)
    if row is not None:
        session.delete(row)
        session.flush()


def time_based(session: Session) -> list[tuple[Instance, WeeklySchedule]]:
    """Every stack's time-based instances (not terminated), each with its schedule."""
    rows = session.execute(
        select(InstanceRow, InstanceScheduleRow)
        .outerjoin(InstanceScheduleRow, InstanceScheduleRow.instance_id == InstanceRow.id)
        .where(
            InstanceRow.scaling == ScalingType.TIME.value,
            InstanceRow.status.not_in(
                [InstanceStatus.TERMINATING.value, InstanceStatus.TERMINATED.value]
            ),
        )
        .order_by(InstanceRow.stack_id, InstanceRow.hostname)
    )
    return [
        (
            instance_store.to_entity(instance),
            parse_schedule(schedule.schedule) if schedule is not None else WeeklySchedule(),
        )
        for instance, schedule in rows
    ]
