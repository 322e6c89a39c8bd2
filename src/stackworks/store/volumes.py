"""Volumes and their snapshots in the store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.resources import Snapshot, SnapshotReason, Volume
from stackworks.store.tables import SnapshotRow, VolumeRow


def to_entity(row: VolumeRow) -> Volume:
    return Volume(
        id=row.id,
        stack_id=row.stack_id,
        name=row.name,
        path=row.path,
        size=row.size,
        mount_point=row.mount_point,
        instance_id=row.instance_id,
        layer_id=row.layer_id,
        snapshot_every_hours=row.snapshot_every_hours,
        snapshot_keep=row.snapshot_keep,
        created_at=row.created_at,
    )


def _apply(row: VolumeRow, volume: Volume) -> None:
    row.name = volume.name
    row.path = volume.path
    row.size = volume.size
    row.mount_point = volume.mount_point
    row.instance_id = volume.instance_id
    row.layer_id = volume.layer_id
    row.snapshot_every_hours = volume.snapshot_every_hours
    row.snapshot_keep = volume.snapshot_keep


def list_for_stack(session: Session, stack_id: str) -> list[Volume]:
    rows = session.scalars(
        select(VolumeRow).where(VolumeRow.stack_id == stack_id).order_by(VolumeRow.name)
    )
    return [to_entity(r) for r in rows]


def list_scheduled(session: Session) -> list[Volume]:
    """Every volume of every stack whose snapshot schedule is on."""
    rows = session.scalars(
        select(VolumeRow).where(VolumeRow.snapshot_every_hours > 0).order_by(VolumeRow.id)
    )
    return [to_entity(r) for r in rows]


def list_for_instance(session: Session, instance_id: str) -> list[Volume]:
    rows = session.scalars(
        select(VolumeRow).where(VolumeRow.instance_id == instance_id).order_by(VolumeRow.name)
    )
    return [to_entity(r) for r in rows]


def get(session: Session, stack_id: str, name: str) -> Volume:
    row = session.scalar(
        select(VolumeRow).where(VolumeRow.stack_id == stack_id, VolumeRow.name == name)
    )
    if row is None:
        raise NotFound("volume", name)
    return to_entity(row)


def find_by_id(session: Session, volume_id: str) -> Volume | None:
    row = session.get(VolumeRow, volume_id)
    return to_entity(row) if row else None


def create(session: Session, volume: Volume) -> Volume:
    taken = session.scalar(
        select(VolumeRow.id).where(
            VolumeRow.stack_id == volume.stack_id, VolumeRow.name == volume.name
        )
    )
    if taken:
        raise Conflict(f"name: the stack already has a volume {volume.name!r}", field="name")
    row = VolumeRow(id=volume.id, stack_id=volume.stack_id)
    _apply(row, volume)
    session.add(row)
    session.flush()
    return to_entity(row)


def update(session: Session, volume: Volume) -> Volume:
    row = session.get(VolumeRow, volume.id)
    if row is None:
        raise NotFound("volume", volume.name)
    if row.name != volume.name:
        taken = session.scalar(
            select(VolumeRow.id).where(
                VolumeRow.stack_id == volume.stack_id, VolumeRow.name == volume.name
            )
        )
        if taken:
            raise Conflict(f"name: the stack already has a volume {volume.name!r}", field="name")
    _apply(row, volume)
    session.flush()
    return to_entity(row)


def delete(session: Session, volume_id: str) -> None:
    row = session.get(VolumeRow, volume_id)
    if row is not None:
        session.delete(row)
        session.flush()


# --- snapshots ------------------------------------------------------------------------------


def snapshot_to_entity(row: SnapshotRow) -> Snapshot:
    return Snapshot(
        id=row.id,
        stack_id=row.stack_id,
        volume_id=row.volume_id,
        volume_name=row.volume_name,
        path=row.path,
        reason=SnapshotReason(row.reason),
        size_bytes=row.size_bytes,
        created_at=row.created_at,
    )


def add_snapshot(session: Session, snapshot: Snapshot) -> Snapshot:
    row = SnapshotRow(
        id=snapshot.id,
        stack_id=snapshot.stack_id,
        volume_id=snapshot.volume_id,
        volume_name=snapshot.volume_name,
        path=snapshot.path,
        reason=snapshot.reason.value,
        size_bytes=snapshot.size_bytes,
    )
    if snapshot.created_at is not None:
        row.created_at = snapshot.created_at
    session.add(row)
    session.flush()
    return snapshot_to_entity(row)


def snapshots_for_volume(session: Session, volume_id: str) -> list[Snapshot]:
    """The volume's snapshots, oldest first."""
    rows = session.scalars(
        select(SnapshotRow)
        .where(SnapshotRow.volume_id == volume_id)
        .order_by(SnapshotRow.created_at, SnapshotRow.id)
    )
    return [snapshot_to_entity(r) for r in rows]


def snapshots_for_stack(session: Session, stack_id: str) -> list[Snapshot]:
    rows = session.scalars(
        select(SnapshotRow)
        .where(SnapshotRow.stack_id == stack_id)
        .order_by(SnapshotRow.created_at, SnapshotRow.id)
    )
    return [snapshot_to_entity(r) for r in rows]


def get_snapshot(session: Session, stack_id: str, snapshot_id: str) -> Snapshot:
    row = session.get(SnapshotRow, snapshot_id)
    if row is None or row.stack_id != stack_id:
        raise NotFound("snapshot", snapshot_id)
    return snapshot_to_entity(row)


def delete_snapshot(session: Session, snapshot_id: str) -> None:
    row = session.get(SnapshotRow, snapshot_id)
    if row is not None:
        session.delete(row)
        session.flush()
