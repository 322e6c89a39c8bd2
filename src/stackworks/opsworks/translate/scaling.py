"""Time- and load-based scaling: OpsWorks' WeeklyAutoScalingSchedule is Stackworks' schedule
shape already; AutoScalingThresholds map field for field onto a layer's thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stackworks.domain.errors import InvalidInput
from stackworks.domain.load_scaling import LoadScalingConfig, Thresholds
from stackworks.domain.schedules import WeeklySchedule, parse_schedule
from stackworks.opsworks.translate.common import whole
from stackworks.wire import schemas

#: OpsWorks' threshold fields and the REST API's names for them
_THRESHOLDS = {
    "InstanceCount": "instance_count",
    "ThresholdsWaitTime": "thresholds_wait_time",
    "IgnoreMetricsTime": "ignore_metrics_time",
    "CpuThreshold": "cpu_threshold",
    "MemoryThreshold": "memory_threshold",
    "LoadThreshold": "load_threshold",
}


def schedule_in(request: Mapping[str, Any]) -> schemas.WeeklyScheduleIn:
    """SetTimeBasedAutoScaling's schedule, each day and hour checked (the field is named)."""
    schedule = request.get("AutoScalingSchedule") or {}
    parse_schedule(schedule, field_prefix="AutoScalingSchedule.")
    return schemas.WeeklyScheduleIn(**schedule)


def schedule_shape(instance_id: str, schedule: WeeklySchedule) -> dict[str, Any]:
    return {"InstanceId": instance_id, "AutoScalingSchedule": schedule.to_dict()}


def thresholds_in(thresholds: Mapping[str, Any] | None, field: str) -> schemas.ThresholdsIn | None:
    if thresholds is None:
        return None
    if thresholds.get("Alarms"):
        raise InvalidInput(
            f"{field}.Alarms: Stackworks scales on the metrics its agents report, not on "
            "CloudWatch alarms; give CpuThreshold, MemoryThreshold or LoadThreshold",
            field=f"{field}.Alarms",
        )
    return schemas.ThresholdsIn(
        **{ours: thresholds[theirs] for theirs, ours in _THRESHOLDS.items() if theirs in thresholds}
    )


def load_scaling_in(request: Mapping[str, Any]) -> schemas.LoadScalingUpdate:
    """SetLoadBasedAutoScaling: fields left out keep their values."""
    return schemas.LoadScalingUpdate(
        enable=request.get("Enable"),
        up_scaling=thresholds_in(request.get("UpScaling"), "UpScaling"),
        down_scaling=thresholds_in(request.get("DownScaling"), "DownScaling"),
    )


def thresholds_shape(thresholds: Thresholds) -> dict[str, Any]:
    return {theirs: whole(getattr(thresholds, ours)) for theirs, ours in _THRESHOLDS.items()}


def load_scaling_shape(layer_id: str, config: LoadScalingConfig) -> dict[str, Any]:
    return {
        "LayerId": layer_id,
        "Enable": config.enable,
        "UpScaling": thresholds_shape(config.up),
        "DownScaling": thresholds_shape(config.down),
    }
