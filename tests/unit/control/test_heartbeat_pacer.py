"""The pacer's hold outlasts any interval it can tell at the default heartbeat."""

from __future__ import annotations

from pathlib import Path

from stackworks.control.heartbeat_pacer import HOLD
from stackworks.control.settings import Settings
from stackworks.domain.heartbeat_pacing import MAX_FACTOR


def test_the_time_outs_hold_their_stretch_longer_than_the_longest_interval_told() -> None:
    default = Settings(data_dir=Path("/nonexistent"), server_url="", database_url="")
    assert default.heartbeat_interval * MAX_FACTOR < HOLD
