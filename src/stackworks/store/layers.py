"""Layers in the store; custom JSON values marked secret are kept encrypted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.entities import Layer
from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.resources import VolumeConfiguration
from stackworks.domain.status import LayerType, LifecycleEvent
from stackworks.store import sealing
from stackworks.store.tables import LayerRow


def to_entity(session: Session, row: LayerRow) -> Layer:
    return Layer(
        id=row.id,
        stack_id=row.stack_id,
        shortname=row.shortname,
        name=row.name,
        type=LayerType(row.type),
        recipes={LifecycleEvent(k): tuple(v) for k, v in (row.recipes or {}).items()},
        packages=tuple(row.packages or ()),
        auto_healing=row.auto_healing,
        custom_json=sealing.open_json(session, dict(row.custom_json or {})),
        shutdown_timeout=row.shutdown_timeout,
        volume_configurations=tuple(
            VolumeConfiguration(
                mount_point=v["mount_point"],
                size=int(v.get("size", 1)),
                snapshot_every_hours=int(v.get("snapshot_every_hours", 0)),
                snapshot_keep=int(v.get("snapshot_keep", 15)),
            )
            for v in row.volume_configurations or []
        ),
        created_at=row.created_at,
    )


def _apply(session: Session, row: LayerRow, layer: Layer) -> None:
    row.name = layer.name
    row.type = layer.type.value
    row.recipes = {event.value: list(names) for event, names in layer.recipes.items()}
    row.packages = list(layer.packages)
    row.auto_healing = layer.auto_healing
    row.custom_json = sealing.seal_json(session, layer.custom_json)
    row.shutdown_timeout = layer.shutdown_timeout
    row.volume_configurations = [
        {
            "mount_point": v.mount_point,
            "size": v.size,
            "snapshot_every_hours": v.snapshot_every_hours,
            "snapshot_keep": v.snapshot_keep,
        }
        for v in layer.volume_configurations
    ]


def list_for_stack(session: Session, stack_id: str) -> list[Layer]:
    rows = session.scalars(
        select(LayerRow).where(LayerRow.stack_id == stack_id).order_by(LayerRow.created_at)
    )
    return [to_entity(session, r) for r in rows]


def get(session: Session, stack_id: str, shortname: str) -> Layer:
    row = session.scalar(
        select(LayerRow).where(LayerRow.stack_id == stack_id, LayerRow.shortname == shortname)
    )
    if row is None:
        raise NotFound("layer", shortname)
    return to_entity(session, row)


def find_by_id(session: Session, layer_id: str) -> Layer | None:
    row = session.get(LayerRow, layer_id)
    return to_entity(session, row) if row else None


def create(session: Session, layer: Layer) -> Layer:
    taken = session.scalar(
        select(LayerRow.id).where(
            LayerRow.stack_id == layer.stack_id, LayerRow.shortname == layer.shortname
        )
    )
    if taken:
        raise Conflict(
            f"shortname: the stack already has a layer {layer.shortname!r}", field="shortname"
        )
    row = LayerRow(id=layer.id, stack_id=layer.stack_id, shortname=layer.shortname)
    _apply(session, row, layer)
    session.add(row)
    session.flush()
    return to_entity(session, row)


def update(session: Session, layer: Layer) -> Layer:
    row = session.get(LayerRow, layer.id)
    if row is None:
        raise NotFound("layer", layer.shortname)
    _apply(session, row, layer)
    session.flush()
    return to_entity(session, row)


def delete(session: Session, layer_id: str) -> None:
    row = session.get(LayerRow, layer_id)
    if row is not None:
        session.delete(row)
        session.flush()
