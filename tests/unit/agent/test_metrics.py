"""Heartbeat metrics: every documented key, as percentages and load averages."""

from __future__ import annotations

from pathlib import Path

from stackworks.agent.metrics import collect


def test_every_documented_metric_is_present_and_in_range(tmp_path: Path) -> None:
    values = collect(tmp_path)
    assert set(values) == {"load1", "load5", "load15", "cpu", "memory", "disk"}
    for key in ("cpu", "memory", "disk"):
        assert 0.0 <= values[key] <= 100.0, key
    assert values["load1"] >= 0.0
