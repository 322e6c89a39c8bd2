"""DescribeRaidArrays: Stackworks makes no RAID arrays (a layer's VolumeConfigurations with a
RaidLevel are refused), so a stack or instance has none, and the answer is an empty list once
the stack or instance is known to the caller; any RaidArrayId is unknown."""

from __future__ import annotations

from typing import Any

from stackworks.opsworks.context import Context, not_found
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.registry import operation


@operation("DescribeRaidArrays")
def describe_raid_arrays(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("RaidArrayIds"):
        raise not_found("RAID array", params["RaidArrayIds"][0])
    if params.get("InstanceId"):
        ctx.instance(params["InstanceId"])
    elif params.get("StackId"):
        ctx.stack(params["StackId"])
    else:
        raise ValidationException("DescribeRaidArrays: give a StackId, InstanceId or RaidArrayIds")
    return {"RaidArrays": []}
