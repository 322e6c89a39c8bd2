from __future__ import annotations

import pytest

from stackworks.domain.errors import InvalidInput
from stackworks.domain.load_scaling import LoadScalingConfig, Thresholds
from stackworks.domain.schedules import parse_schedule
from stackworks.opsworks.translate import scaling


def test_a_weekly_schedule_passes_through_and_comes_back_with_its_on_hours() -> None:
    body = scaling.schedule_in(
        {"InstanceId": "i1", "AutoScalingSchedule": {"Monday": {"9": "on", "10": "off"}}}
    )
    assert body.Monday == {"9": "on", "10": "off"}
    shape = scaling.schedule_shape("i1", parse_schedule(body.model_dump(exclude_none=True)))
    assert shape == {"InstanceId": "i1", "AutoScalingSchedule": {"Monday": {"9": "on"}}}


def test_a_wrong_hour_names_its_place() -> None:
    with pytest.raises(InvalidInput) as refused:
        scaling.schedule_in({"AutoScalingSchedule": {"Friday": {"25": "on"}}})
    assert refused.value.field == "AutoScalingSchedule.Friday.25"


def test_thresholds_map_field_for_field_and_leave_out_what_is_not_given() -> None:
    body = scaling.load_scaling_in(
        {"LayerId": "l1", "Enable": True, "UpScaling": {"CpuThreshold": 80.0, "InstanceCount": 2}}
    )
    assert body.enable is True
    assert body.up_scaling is not None
    assert body.up_scaling.model_dump(exclude_none=True) == {
        "cpu_threshold": 80.0,
        "instance_count": 2,
    }
    assert body.down_scaling is None


def test_cloudwatch_alarms_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        scaling.load_scaling_in({"LayerId": "l1", "DownScaling": {"Alarms": ["a"]}})
    assert refused.value.field == "DownScaling.Alarms"


def test_load_scaling_shape_gives_whole_minutes_as_integers() -> None:
    shape = scaling.load_scaling_shape(
        "l1", LoadScalingConfig(enable=True, up=Thresholds(cpu_threshold=75.5))
    )
    assert shape["UpScaling"] == {
        "InstanceCount": 1, "ThresholdsWaitTime": 5, "IgnoreMetricsTime": 5,
        "CpuThreshold": 75.5, "MemoryThreshold": -1, "LoadThreshold": -1,
    }  # fmt: skip
    assert (shape["LayerId"], shape["Enable"]) == ("l1", True)
