"""Time-based schedules, load-based thresholds and the metrics history, under /stacks/{stack}.

- `/instances/{hostname}/schedule`: GET, PUT (the whole week), DELETE (back to all off)
- `/layers/{layer}/load-scaling`: GET, PATCH (fields left out keep their values)
- `/instances/{hostname}/metrics`: an instance's history, raw or per minute
- `/layers/{layer}/metrics`: the per-minute average over the layer's instances
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from stackworks.api.access import ManageStack, ShowStack
from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.control import scaling_settings
from stackworks.domain.entities import Instance, Layer, Stack
from stackworks.domain.errors import InvalidInput
from stackworks.domain.load_scaling import LoadScalingConfig, ScalingState
from stackworks.domain.metrics import MetricPoint, Resolution
from stackworks.domain.schedules import WeeklySchedule, is_on
from stackworks.domain.status import ScalingType
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import load_scaling as load_scaling_store
from stackworks.store import metrics as metric_store
from stackworks.store import schedules as schedule_store
from stackworks.store.tables import utcnow
from stackworks.wire import schemas

router = APIRouter(prefix="/stacks/{stack}", tags=["scaling"])

DEFAULT_WINDOW = timedelta(hours=1)  # what a metrics read without `since` covers
MAX_POINTS = 100_000

Since = Annotated[datetime | None, Query(description="from (ISO 8601); default: an hour ago")]
Until = Annotated[datetime | None, Query(description="up to (ISO 8601); default: now")]
Limit = Annotated[int, Query(ge=1, le=MAX_POINTS, description="points at most, oldest first")]


# --- schedules ------------------------------------------------------------------------------


def _schedule_out(
    stack: Stack, instance: Instance, schedule: WeeklySchedule
) -> schemas.ScheduleOut:
    return schemas.ScheduleOut(
        stack=stack.name,
        hostname=instance.hostname,
        scaling=instance.scaling,
        schedule=schedule.to_dict(),
        on_now=is_on(schedule, utcnow()),
    )


@router.get("/instances/{hostname}/schedule")
def show_schedule(
    stack: str, hostname: str, db: DatabaseDep, _user: ShowStack
) -> schemas.ScheduleOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        return _schedule_out(found, instance, schedule_store.get(session, instance.id))


@router.put("/instances/{hostname}/schedule")
def set_schedule(
    stack: str, hostname: str, body: schemas.WeeklyScheduleIn, db: DatabaseDep, _admin: ManageStack
) -> schemas.ScheduleOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        schedule = scaling_settings.set_schedule(session, instance, body)
        return _schedule_out(found, instance, schedule)


@router.delete("/instances/{hostname}/schedule", status_code=204)
def clear_schedule(stack: str, hostname: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        scaling_settings.clear_schedule(session, instance)
    return Response(status_code=204)


# --- load-based scaling ---------------------------------------------------------------------


def _load_scaling_out(
    stack: Stack,
    layer: Layer,
    config: LoadScalingConfig,
    state: ScalingState,
    instances: list[Instance],
) -> schemas.LoadScalingOut:
    return schemas.LoadScalingOut(
        stack=stack.name,
        layer=layer.shortname,
        enable=config.enable,
        up_scaling=scaling_settings.thresholds_out(config.up),
        down_scaling=scaling_settings.thresholds_out(config.down),
        state=schemas.LoadScalingStateOut(
            up_since=state.up_since,
            down_since=state.down_since,
            last_action_at=state.last_action_at,
            last_action=state.last_action.value if state.last_action else None,
        ),
        load_based_instances=[
            i.hostname
            for i in instances
            if layer.shortname in i.layers and i.scaling is ScalingType.LOAD
        ],
    )


@router.get("/layers/{layer}/load-scaling")
def show_load_scaling(
    stack: str, layer: str, db: DatabaseDep, _user: ShowStack
) -> schemas.LoadScalingOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        the_layer = layer_store.get(session, found.id, layer)
        config, state = load_scaling_store.get(session, the_layer.id)
        instances = instance_store.list_for_stack(session, found.id)
        return _load_scaling_out(found, the_layer, config, state, instances)


@router.patch("/layers/{layer}/load-scaling")
def update_load_scaling(
    stack: str, layer: str, body: schemas.LoadScalingUpdate, db: DatabaseDep, _admin: ManageStack
) -> schemas.LoadScalingOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        the_layer = layer_store.get(session, found.id, layer)
        scaling_settings.update_load_scaling(session, the_layer, body)
        config, state = load_scaling_store.get(session, the_layer.id)
        instances = instance_store.list_for_stack(session, found.id)
        return _load_scaling_out(found, the_layer, config, state, instances)


# --- metrics history ------------------------------------------------------------------------


def _window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime | None]:
    start = since if since is not None else utcnow() - DEFAULT_WINDOW
    if until is not None and until < start:
        raise InvalidInput("until is before since", field="until")
    return start, until


def _points(points: list[MetricPoint]) -> list[schemas.MetricPointOut]:
    return [schemas.MetricPointOut(at=p.at, samples=p.samples, **p.values()) for p in points]


@router.get("/instances/{hostname}/metrics")
def instance_metrics(
    stack: str,
    hostname: str,
    db: DatabaseDep,
    _user: ShowStack,
    since: Since = None,
    until: Until = None,
    resolution: Resolution = Resolution.RAW,
    limit: Limit = 10_000,
) -> schemas.MetricsOut:
    """An instance's metrics: raw heartbeats (kept a day) or per-minute averages (two weeks)."""
    start, end = _window(since, until)
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        points = metric_store.series(
            session, instance.id, since=start, until=end, resolution=resolution, limit=limit
        )
    return schemas.MetricsOut(
        stack=found.name,
        instance=instance.hostname,
        resolution=resolution.value,
        since=start,
        until=end,
        points=_points(points),
    )


@router.get("/layers/{layer}/metrics")
def layer_metrics(
    stack: str,
    layer: str,
    db: DatabaseDep,
    _user: ShowStack,
    since: Since = None,
    until: Until = None,
    limit: Limit = 10_000,
) -> schemas.MetricsOut:
    """The per-minute average over the layer's instances (each reporting instance counts once)."""
    start, end = _window(since, until)
    with db.transaction() as session:
        found = stack_named(session, stack)
        the_layer = layer_store.get(session, found.id, layer)
        members = [
            i
            for i in instance_store.list_for_stack(session, found.id)
            if the_layer.shortname in i.layers
        ]
        points = metric_store.layer_series(
            session, [i.id for i in members], since=start, until=end, limit=limit
        )
    return schemas.MetricsOut(
        stack=found.name,
        layer=the_layer.shortname,
        instances=[i.hostname for i in members],
        resolution="minute",
        since=start,
        until=end,
        points=_points(points),
    )
