"""Volumes: register, update, assign, unassign, deregister; snapshots on demand and on a schedule;
restore into a new volume; the volumes a layer's configuration gives each of its instances.

OpsWorks' rules: a volume is assigned to, or unassigned from, a stopped instance only (its
mount is made when the instance sets up), it needs a mount point first, and it is deregistered
only once unassigned. Every change records a stack event (`resource`) saying what and why.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control import volume_storage
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import Conflict, InvalidInput
from stackworks.domain.resources import (
    Snapshot,
    SnapshotReason,
    Volume,
    check_mount_point,
    check_resource_name,
    check_schedule,
    check_size,
    snapshot_due,
    snapshots_to_prune,
    volume_name_for,
)
from stackworks.domain.status import EventKind, InstanceStatus
from stackworks.store import events
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import volumes as volume_store
from stackworks.store.ids import new_id
from stackworks.store.tables import utcnow
from stackworks.wire import schemas


def _event(
    session: Session,
    volume: Volume,
    message: str,
    instance: Instance | None = None,
    **details: Any,
) -> None:
    events.record(
        session,
        volume.stack_id,
        EventKind.RESOURCE,
        message,
        instance=instance,
        details={"volume": volume.name, **details},
    )


def _must_be_stopped(instance: Instance, doing: str) -> None:
    if instance.status is not InstanceStatus.STOPPED:
        raise Conflict(
            f"instance: {instance.hostname} is {instance.status.value}; stop it to {doing}",
            field="instance",
        )


def _check_free_mount(session: Session, instance: Instance, mount_point: str, own: str) -> None:
    for other in volume_store.list_for_instance(session, instance.id):
        if other.id != own and other.mount_point == mount_point:
            raise Conflict(
                f"mount_point: {instance.hostname} already has volume {other.name} at "
                f"{mount_point}",
                field="mount_point",
            )


def register_volume(
    session: Session, stack: Stack, body: schemas.VolumeRegister, data_dir: Path
) -> Volume:
    """A new empty volume, its directory made under the data dir."""
    check_resource_name(body.name)
    check_size(body.size)
    check_schedule(body.snapshot_every_hours, body.snapshot_keep)
    volume_id = new_id()
    path = volume_storage.volume_path(data_dir, stack.id, volume_id)
    volume = volume_store.create(
        session,
        Volume(
            id=volume_id,
            stack_id=stack.id,
            name=body.name,
            path=str(path),
            size=body.size,
            mount_point=check_mount_point(body.mount_point) if body.mount_point else None,
            snapshot_every_hours=body.snapshot_every_hours,
            snapshot_keep=body.snapshot_keep,
        ),
    )
    volume_storage.create_volume_dir(path)
    _event(session, volume, f"volume {volume.name} registered ({volume.size} GiB)")
    return volume


def update_volume(
    session: Session, stack: Stack, volume: Volume, body: schemas.VolumeUpdate
) -> Volume:
    changes: dict[str, Any] = {}
    if body.name is not None:
        changes["name"] = check_resource_name(body.name)
    if body.mount_point is not None:
        mount = check_mount_point(body.mount_point)
        if mount != volume.mount_point and volume.instance_id:
            instance = instance_store.get(session, volume.instance_id)
            _must_be_stopped(instance, "move its volume's mount point")
            _check_free_mount(session, instance, mount, volume.id)
            volume_storage.unlink_mount(instance.root_dir, volume.mount_point or "", volume.path)
        changes["mount_point"] = mount
    every = volume.snapshot_every_hours
    keep = volume.snapshot_keep
    if body.snapshot_every_hours is not None:
        every = body.snapshot_every_hours
    if body.snapshot_keep is not None:
        keep = body.snapshot_keep
    check_schedule(every, keep)
    changes.update(snapshot_every_hours=every, snapshot_keep=keep)
    updated = volume_store.update(session, replace(volume, **changes))
    if updated != volume:
        _event(session, updated, f"volume {updated.name} updated")
    return updated


def assign_volume(
    session: Session, volume: Volume, instance: Instance, mount_point: str | None = None
) -> Volume:
    """AssignVolume: the volume is linked at its mount point when the instance next sets up."""
    mount = check_mount_point(mount_point) if mount_point else volume.mount_point
    if volume.instance_id == instance.id and mount == volume.mount_point:
        return volume  # already so: nothing to do
    if volume.instance_id and volume.instance_id != instance.id:
        holder = instance_store.get(session, volume.instance_id)
        raise Conflict(
            f"volume: {volume.name} is assigned to {holder.hostname}; unassign it first",
            field="volume",
        )
    _must_be_stopped(instance, "assign a volume to it")
    if not mount:
        raise InvalidInput(
            f"mount_point: volume {volume.name} has no mount point; give one", field="mount_point"
        )
    _check_free_mount(session, instance, mount, volume.id)
    if volume.instance_id == instance.id:  # the same instance, a new mount point
        volume_storage.unlink_mount(instance.root_dir, volume.mount_point or "", volume.path)
    assigned = volume_store.update(
        session, replace(volume, instance_id=instance.id, mount_point=mount)
    )
    _event(
        session,
        assigned,
        f"volume {volume.name} assigned to {instance.hostname} at {mount}",
        instance,
    )
    return assigned


def unassign_volume(session: Session, volume: Volume) -> Volume:
    """UnassignVolume: it stays registered (and its data kept) for another instance."""
    if not volume.instance_id:
        return volume
    instance = instance_store.get(session, volume.instance_id)
    _must_be_stopped(instance, "unassign its volume")
    volume_storage.unlink_mount(instance.root_dir, volume.mount_point or "", volume.path)
    unassigned = volume_store.update(session, replace(volume, instance_id=None))
    _event(
        session, unassigned, f"volume {volume.name} unassigned from {instance.hostname}", instance
    )
    return unassigned


def deregister_volume(session: Session, volume: Volume) -> None:
    """DeregisterVolume: an unassigned volume goes with its data; its snapshots stay."""
    if volume.instance_id:
        holder = instance_store.get(session, volume.instance_id)
        raise Conflict(
            f"volume: {volume.name} is assigned to {holder.hostname}; unassign it first",
            field="volume",
        )
    volume_store.delete(session, volume.id)
    volume_storage.remove_volume_dir(Path(volume.path))
    _event(session, volume, f"volume {volume.name} deregistered; its data was removed")


def release_instance_volumes(session: Session, instance: Instance) -> None:
    """An instance being deleted gives its volumes back (unassigned, data kept)."""
    for volume in volume_store.list_for_instance(session, instance.id):
        volume_store.update(session, replace(volume, instance_id=None))
        _event(
            session,
            volume,
            f"volume {volume.name} unassigned: instance {instance.hostname} was deleted",
            instance,
        )


def ensure_layer_volumes(session: Session, instance: Instance, data_dir: Path) -> list[Volume]:
    """A volume for each mount point of the instance's layers' volume configurations that has
    none assigned yet (made at the instance's creation and checked again at each start)."""
    made: list[Volume] = []
    by_name = {
        layer.shortname: layer for layer in layer_store.list_for_stack(session, instance.stack_id)
    }
    mounted = {v.mount_point for v in volume_store.list_for_instance(session, instance.id)}
    taken = {v.name for v in volume_store.list_for_stack(session, instance.stack_id)}
    for shortname in instance.layers:
        layer = by_name.get(shortname)
        for config in layer.volume_configurations if layer else ():
            if config.mount_point in mounted:
                continue
            name = _free_name(volume_name_for(instance.hostname, config.mount_point), taken)
            volume_id = new_id()
            path = volume_storage.volume_path(data_dir, instance.stack_id, volume_id)
            volume = volume_store.create(
                session,
                Volume(
                    id=volume_id,
                    stack_id=instance.stack_id,
                    name=name,
                    path=str(path),
                    size=config.size,
                    mount_point=config.mount_point,
                    instance_id=instance.id,
                    layer_id=layer.id if layer else None,
                    snapshot_every_hours=config.snapshot_every_hours,
                    snapshot_keep=config.snapshot_keep,
                ),
            )
            volume_storage.create_volume_dir(path)
            mounted.add(config.mount_point)
            taken.add(name)
            _event(
                session,
                volume,
                f"volume {name} made for {instance.hostname} at {config.mount_point}: "
                f"layer {shortname}'s volume configuration",
                instance,
            )
            made.append(volume)
    return made


def _free_name(wanted: str, taken: set[str]) -> str:
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted[:58]}-{n}" in taken:
        n += 1
    return f"{wanted[:58]}-{n}"


# --- snapshots ------------------------------------------------------------------------------


def take_snapshot(
    session: Session,
    volume: Volume,
    *,
    reason: SnapshotReason = SnapshotReason.MANUAL,
    now: datetime | None = None,
) -> Snapshot:
    """Archive the volume's contents now (while its instance runs: crash-consistent)."""
    snapshot_id = new_id()
    target = volume_storage.snapshot_path(
        volume_storage.data_dir_of(volume.path), volume.stack_id, volume.id, snapshot_id
    )
    size = volume_storage.archive(Path(volume.path), target)
    snapshot = volume_store.add_snapshot(
        session,
        Snapshot(
            id=snapshot_id,
            stack_id=volume.stack_id,
            volume_id=volume.id,
            volume_name=volume.name,
            path=str(target),
            reason=reason,
            size_bytes=size,
            created_at=now or utcnow(),
        ),
    )
    _event(
        session,
        volume,
        f"snapshot {snapshot_id[:8]} of volume {volume.name} taken ({reason.value})",
        snapshot=snapshot_id,
    )
    return snapshot


def delete_snapshot(session: Session, snapshot: Snapshot, why: str = "deleted") -> None:
    volume_store.delete_snapshot(session, snapshot.id)
    volume_storage.remove_snapshot(Path(snapshot.path))
    events.record(
        session,
        snapshot.stack_id,
        EventKind.RESOURCE,
        f"snapshot {snapshot.id[:8]} of volume {snapshot.volume_name} {why}",
        details={"volume": snapshot.volume_name, "snapshot": snapshot.id},
    )


def restore_snapshot(
    session: Session,
    stack: Stack,
    snapshot: Snapshot,
    name: str,
    data_dir: Path,
    mount_point: str | None = None,
) -> Volume:
    """A new volume holding what the snapshot holds; assign it like any other."""
    if not Path(snapshot.path).is_file():
        raise Conflict(
            f"snapshot: {snapshot.id} has no archive at {snapshot.path}", field="snapshot"
        )
    volume = register_volume(
        session,
        stack,
        schemas.VolumeRegister(name=name, mount_point=mount_point),
        data_dir,
    )
    volume_storage.unpack(Path(snapshot.path), Path(volume.path))
    _event(
        session,
        volume,
        f"volume {volume.name} restored from snapshot {snapshot.id[:8]} of {snapshot.volume_name}",
        snapshot=snapshot.id,
    )
    return volume


def snapshot_pass(session: Session, now: datetime) -> bool:
    """The periodic pass of volume snapshot schedules: a snapshot of each volume whose
    schedule is due, then the scheduled ones beyond its retention removed, oldest first."""
    changed = False
    for volume in volume_store.list_scheduled(session):
        snapshots = volume_store.snapshots_for_volume(session, volume.id)
        scheduled = [s for s in snapshots if s.reason is SnapshotReason.SCHEDULED]
        last = max((s.created_at for s in scheduled if s.created_at), default=None)
        if snapshot_due(volume, last, now):
            snapshots.append(
                take_snapshot(session, volume, reason=SnapshotReason.SCHEDULED, now=now)
            )
            changed = True
        for old in snapshots_to_prune(snapshots, volume.snapshot_keep):
            delete_snapshot(
                session, old, f"removed: the schedule keeps {volume.snapshot_keep} snapshots"
            )
            changed = True
    return changed
