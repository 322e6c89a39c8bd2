"""What people set for scaling: a time-based instance's schedule, a layer's thresholds.

Each request is checked whole before anything is stored, so a refused one writes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from sqlalchemy.orm import Session

from stackworks.domain.entities import Instance, Layer
from stackworks.domain.errors import Conflict
from stackworks.domain.load_scaling import LoadScalingConfig, Thresholds, validate_thresholds
from stackworks.domain.schedules import WeeklySchedule, parse_schedule
from stackworks.domain.status import ScalingType
from stackworks.store import load_scaling as load_scaling_store
from stackworks.store import schedules as schedule_store
from stackworks.wire import schemas


def _time_based(instance: Instance) -> None:
    if instance.scaling is not ScalingType.TIME:
        raise Conflict(
            f"instance {instance.hostname!r} is {instance.scaling.value}: only time-based "
            "instances (created with --scaling time) have a schedule"
        )


def set_schedule(
    session: Session, instance: Instance, body: schemas.WeeklyScheduleIn
) -> WeeklySchedule:
    """Replace the instance's weekly schedule."""
    _time_based(instance)
    schedule = parse_schedule(body.model_dump(exclude_none=True))
    return schedule_store.put(session, instance.id, schedule)


def clear_schedule(session: Session, instance: Instance) -> None:
    """Back to all off."""
    _time_based(instance)
    schedule_store.clear(session, instance.id)


def _merged(current: Thresholds, change: schemas.ThresholdsIn | None, name: str) -> Thresholds:
    if change is None:
        return current
    merged = replace(current, **change.model_dump(exclude_none=True))
    return validate_thresholds(merged, field_prefix=name)


def update_load_scaling(
    session: Session, layer: Layer, body: schemas.LoadScalingUpdate
) -> LoadScalingConfig:
    """Change the layer's configuration; fields left out keep their values."""
    current, _state = load_scaling_store.get(session, layer.id)
    config = LoadScalingConfig(
        enable=current.enable if body.enable is None else body.enable,
        up=_merged(current.up, body.up_scaling, "up_scaling"),
        down=_merged(current.down, body.down_scaling, "down_scaling"),
    )
    return load_scaling_store.put(session, layer, config)


def thresholds_out(thresholds: Thresholds) -> schemas.ThresholdsOut:
    return schemas.ThresholdsOut(**asdict(thresholds))
