"""`stackworks volume register|list|show|update|assign|unassign|deregister|snapshot|snapshots|
restore|delete-snapshot`: a stack's persistent volumes and their snapshots."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.client import ApiClient
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Cell, short_id
from stackworks.cli.runtime import runtime
from stackworks.wire.schemas import (
    SnapshotOut,
    SnapshotRestore,
    VolumeAssign,
    VolumeOut,
    VolumeRegister,
    VolumeUpdate,
)

app = typer.Typer(help="Volumes: data that outlives an instance's stop, start and replacement.")

Json = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
MountPoint = Annotated[
    str | None, typer.Option("--mount-point", help="where instances see it, e.g. /srv/data")
]
Every = Annotated[
    int | None,
    typer.Option("--snapshot-every", help="hours between scheduled snapshots (0: none)"),
]
Keep = Annotated[
    int | None, typer.Option("--snapshot-keep", help="scheduled snapshots to keep (default 15)")
]


def _rows(volumes: list[VolumeOut]) -> list[tuple[Cell, ...]]:
    return [
        (
            v.name,
            v.status,
            f"{v.size} GiB",
            v.mount_point,
            v.instance,
            f"every {v.snapshot_every_hours} h, keep {v.snapshot_keep}"
            if v.snapshot_every_hours
            else "-",
        )
        for v in volumes
    ]


def _snapshot_rows(snapshots: list[SnapshotOut]) -> list[tuple[Cell, ...]]:
    return [(short_id(s.id), s.volume, s.reason, s.size_bytes, s.created_at) for s in snapshots]


@app.command("register")
def register(
    ctx: typer.Context,
    stack: str,
    name: str,
    size: Annotated[int, typer.Option("--size", help="GiB")] = 1,
    mount_point: MountPoint = None,
    snapshot_every: Every = None,
    snapshot_keep: Keep = None,
    as_json: Json = False,
) -> None:
    """Register a new, empty volume with a stack."""
    rt = runtime(ctx)
    body = VolumeRegister(name=name, size=size, mount_point=mount_point)
    if snapshot_every is not None:
        body.snapshot_every_hours = snapshot_every
    if snapshot_keep is not None:
        body.snapshot_keep = snapshot_keep
    volume = rt.client.register_volume(stack, body)
    if as_json:
        rt.output.json(volume)
    else:
        rt.output.line(f"Registered volume {volume.name} in stack {stack}.")


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """List a stack's volumes."""
    rt = runtime(ctx)
    volumes = rt.client.list_volumes(stack)
    if as_json:
        rt.output.json(volumes)
        return
    rt.output.table(
        None, ["name", "status", "size", "mount point", "instance", "snapshots"], _rows(volumes)
    )


@app.command("show")
def show(ctx: typer.Context, stack: str, name: str, as_json: Json = False) -> None:
    """Show one volume."""
    rt = runtime(ctx)
    v = rt.client.get_volume(stack, name)
    if as_json:
        rt.output.json(v)
        return
    rt.output.fields(
        f"volume {v.name}",
        [
            ("id", v.id),
            ("status", v.status),
            ("size", f"{v.size} GiB"),
            ("mount point", v.mount_point),
            ("instance", v.instance),
            ("made by layer", v.layer),
            ("data", v.path),
            (
                "snapshots",
                f"every {v.snapshot_every_hours} h, keep {v.snapshot_keep}"
                if v.snapshot_every_hours
                else "on demand only",
            ),
            ("created", v.created_at),
        ],
    )


@app.command("update")
def update(
    ctx: typer.Context,
    stack: str,
    name: str,
    new_name: Annotated[str | None, typer.Option("--name", help="a new name")] = None,
    mount_point: MountPoint = None,
    snapshot_every: Every = None,
    snapshot_keep: Keep = None,
    as_json: Json = False,
) -> None:
    """Rename a volume, move its mount point (its instance stopped) or change its schedule."""
    rt = runtime(ctx)
    body = VolumeUpdate()
    if new_name is not None:
        body.name = new_name
    if mount_point is not None:
        body.mount_point = mount_point
    if snapshot_every is not None:
        body.snapshot_every_hours = snapshot_every
    if snapshot_keep is not None:
        body.snapshot_keep = snapshot_keep
    if not body.model_fields_set:
        raise UsageError(
            "nothing to update: give --name, --mount-point, --snapshot-every or --snapshot-keep"
        )
    volume = rt.client.update_volume(stack, name, body)
    if as_json:
        rt.output.json(volume)
    else:
        rt.output.line(f"Updated volume {volume.name}.")


@app.command("assign")
def assign(
    ctx: typer.Context,
    stack: str,
    name: str,
    instance: Annotated[str, typer.Option("--instance", help="a stopped instance's hostname")],
    mount_point: MountPoint = None,
    as_json: Json = False,
) -> None:
    """Assign a volume to a stopped instance; it is linked at its mount point at setup."""
    rt = runtime(ctx)
    body = VolumeAssign(instance=instance)
    if mount_point is not None:
        body.mount_point = mount_point
    volume = rt.client.assign_volume(stack, name, body)
    if as_json:
        rt.output.json(volume)
    else:
        rt.output.line(f"Assigned volume {volume.name} to {instance} at {volume.mount_point}.")


@app.command("unassign")
def unassign(ctx: typer.Context, stack: str, name: str, as_json: Json = False) -> None:
    """Take a volume from its (stopped) instance; the volume and its data stay registered."""
    rt = runtime(ctx)
    volume = rt.client.unassign_volume(stack, name)
    if as_json:
        rt.output.json(volume)
    else:
        rt.output.line(f"Unassigned volume {volume.name}.")


@app.command("deregister")
def deregister(ctx: typer.Context, stack: str, name: str) -> None:
    """Remove an unassigned volume and its data (its snapshots are kept)."""
    rt = runtime(ctx)
    rt.client.deregister_volume(stack, name)
    rt.output.line(f"Deregistered volume {name}; its data was removed.")


@app.command("snapshot")
def snapshot(ctx: typer.Context, stack: str, name: str, as_json: Json = False) -> None:
    """Take a snapshot of a volume now."""
    rt = runtime(ctx)
    taken = rt.client.take_snapshot(stack, name)
    if as_json:
        rt.output.json(taken)
    else:
        rt.output.line(f"Took snapshot {taken.id} of volume {name} ({taken.size_bytes} bytes).")


@app.command("snapshots")
def snapshots(
    ctx: typer.Context,
    stack: str,
    name: Annotated[str | None, typer.Argument(help="one volume; all when left out")] = None,
    as_json: Json = False,
) -> None:
    """List snapshots, oldest first."""
    rt = runtime(ctx)
    found = rt.client.list_snapshots(stack, name)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(None, ["id", "volume", "reason", "bytes", "taken"], _snapshot_rows(found))


@app.command("restore")
def restore(
    ctx: typer.Context,
    stack: str,
    snapshot_id: Annotated[str, typer.Argument(metavar="SNAPSHOT", help="the snapshot's id")],
    name: Annotated[str, typer.Option("--name", help="the new volume's name")],
    mount_point: MountPoint = None,
    as_json: Json = False,
) -> None:
    """Restore a snapshot into a new volume (then assign it to a stopped instance)."""
    rt = runtime(ctx)
    body = SnapshotRestore(name=name)
    if mount_point is not None:
        body.mount_point = mount_point
    volume = rt.client.restore_snapshot(stack, _full_id(rt.client, stack, snapshot_id), body)
    if as_json:
        rt.output.json(volume)
    else:
        rt.output.line(f"Restored snapshot {snapshot_id} into new volume {volume.name}.")


@app.command("delete-snapshot")
def delete_snapshot(
    ctx: typer.Context,
    stack: str,
    snapshot_id: Annotated[str, typer.Argument(metavar="SNAPSHOT", help="the snapshot's id")],
) -> None:
    """Delete a snapshot and its archive."""
    rt = runtime(ctx)
    rt.client.delete_snapshot(stack, _full_id(rt.client, stack, snapshot_id))
    rt.output.line(f"Deleted snapshot {snapshot_id}.")


def _full_id(client: ApiClient, stack: str, given: str) -> str:
    """A snapshot id from the short form tables show (its first block), when it is unique."""
    if len(given) >= 36:
        return given
    matches = [s.id for s in client.list_snapshots(stack) if s.id.startswith(given)]
    if len(matches) != 1:
        raise UsageError(
            f"SNAPSHOT: {given!r} matches {len(matches)} snapshots; give more of its id"
        )
    return matches[0]
