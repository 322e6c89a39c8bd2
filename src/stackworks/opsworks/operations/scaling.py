"""Time- and load-based scaling: Set/DescribeTimeBasedAutoScaling (an instance's weekly
schedule) and Set/DescribeLoadBasedAutoScaling (a layer's thresholds), as the REST API's
`/schedule` and `/load-scaling`: manage to set, show to read."""

from __future__ import annotations

from typing import Any

from stackworks.control import scaling_settings
from stackworks.domain.access import Level
from stackworks.opsworks.context import Context
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import scaling as translate
from stackworks.store import load_scaling as load_scaling_store
from stackworks.store import schedules as schedule_store


@operation("SetTimeBasedAutoScaling")
def set_time_based_auto_scaling(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Replaces the whole week; an instance must have been created time-based
    (CreateInstance AutoScalingType timer)."""
    _stack, instance = ctx.instance(params["InstanceId"], Level.MANAGE)
    body = translate.schedule_in(params)
    scaling_settings.set_schedule(ctx.session, instance, body)
    return {}


@operation("DescribeTimeBasedAutoScaling")
def describe_time_based_auto_scaling(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    found = [ctx.instance(i)[1] for i in params["InstanceIds"]]
    return {
        "TimeBasedAutoScalingConfigurations": [
            translate.schedule_shape(i.id, schedule_store.get(ctx.session, i.id)) for i in found
        ]
    }


@operation("SetLoadBasedAutoScaling")
def set_load_based_auto_scaling(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack, layer = ctx.layer(params["LayerId"], Level.MANAGE)
    body = translate.load_scaling_in(params)
    scaling_settings.update_load_scaling(ctx.session, layer, body)
    return {}


@operation("DescribeLoadBasedAutoScaling")
def describe_load_based_auto_scaling(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    layers = [ctx.layer(layer_id)[1] for layer_id in params["LayerIds"]]
    return {
        "LoadBasedAutoScalingConfigurations": [
            translate.load_scaling_shape(layer.id, load_scaling_store.get(ctx.session, layer.id)[0])
            for layer in layers
        ]
    }
