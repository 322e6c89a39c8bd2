"""Volumes: RegisterVolume, DescribeVolumes, UpdateVolume, AssignVolume, UnassignVolume,
DeregisterVolume, through the REST API's volume control (docs/resources.md): manage to change,
show to read. A volume is a directory-backed one Stackworks makes; OpsWorks' rules hold (it is
assigned to a stopped instance, with a mount point)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stackworks.control import volumes as volume_control
from stackworks.domain.access import Level
from stackworks.domain.entities import Stack
from stackworks.domain.resources import Volume
from stackworks.opsworks import shapes
from stackworks.opsworks.context import Context, not_found
from stackworks.opsworks.errors import ResourceNotFoundException, ValidationException
from stackworks.opsworks.operations._lookups import target_instance
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import resources as translate
from stackworks.store import volumes as volume_store


def _volume(ctx: Context, volume_id: str, needed: Level = Level.SHOW) -> tuple[Stack, Volume]:
    volume = volume_store.find_by_id(ctx.session, volume_id)
    if volume is None:
        raise not_found("volume", volume_id)
    try:
        return ctx.stack(volume.stack_id, needed), volume
    except ResourceNotFoundException:
        raise not_found("volume", volume_id) from None


def _new_name(ctx: Context, stack: Stack) -> str:
    taken = {v.name for v in volume_store.list_for_stack(ctx.session, stack.id)}
    n = 1
    while f"volume-{n}" in taken:
        n += 1
    return f"volume-{n}"


@operation("RegisterVolume")
def register_volume(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    body = translate.volume_register(params, _new_name(ctx, stack))
    volume = volume_control.register_volume(ctx.session, stack, body, Path(ctx.settings.data_dir))
    return {"VolumeId": volume.id}


@operation("DescribeVolumes")
def describe_volumes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("RaidArrayId"):
        raise not_found("RAID array", params["RaidArrayId"])
    if params.get("VolumeIds"):
        pairs = [_volume(ctx, v) for v in params["VolumeIds"]]
    elif params.get("InstanceId"):
        stack, instance = ctx.instance(params["InstanceId"])
        pairs = [(stack, v) for v in volume_store.list_for_instance(ctx.session, instance.id)]
    elif params.get("StackId"):
        stack = ctx.stack(params["StackId"])
        pairs = [(stack, v) for v in volume_store.list_for_stack(ctx.session, stack.id)]
    else:
        raise ValidationException("DescribeVolumes: give a StackId, InstanceId or VolumeIds")
    return {
        "Volumes": [translate.volume_shape(v, shapes.region(ctx.session, s.id)) for s, v in pairs]
    }


@operation("UpdateVolume")
def update_volume(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack, volume = _volume(ctx, params["VolumeId"], Level.MANAGE)
    body = translate.volume_update(params)
    volume_control.update_volume(ctx.session, stack, volume, body)
    return {}


@operation("AssignVolume")
def assign_volume(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack, volume = _volume(ctx, params["VolumeId"], Level.MANAGE)
    instance = target_instance(
        ctx, stack, params, owner="volume's", missing="AssignVolume needs the (stopped) instance"
    )
    volume_control.assign_volume(ctx.session, volume, instance, None)
    return {}


@operation("UnassignVolume")
def unassign_volume(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack, volume = _volume(ctx, params["VolumeId"], Level.MANAGE)
    volume_control.unassign_volume(ctx.session, volume)
    return {}


@operation("DeregisterVolume")
def deregister_volume(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """The volume goes with its data, once unassigned (as `stackworks volume deregister`)."""
    _stack, volume = _volume(ctx, params["VolumeId"], Level.MANAGE)
    volume_control.deregister_volume(ctx.session, volume)
    return {}
