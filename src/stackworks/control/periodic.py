"""Passes the orchestrator runs on a clock, beside its lifecycle work: scaling, schedules,
snapshots. Each is a function `(session, now) -> changed` that decides from the database alone
(so a restarted server carries on) and acts through the control plane, recording a stack event
for everything it does. `now` comes from the orchestrator's clock, so tests can drive a
simulated week in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from stackworks.control import scaling
from stackworks.control.volumes import snapshot_pass

#: one periodic pass: look at the stack state at `now`, act, and say whether anything changed
PeriodicPass = Callable[[Session, datetime], bool]

#: seconds between two runs of the periodic passes (the lifecycle loop itself runs every tick)
INTERVAL = 1.0


def default_passes() -> list[PeriodicPass]:
    """The passes a server runs, in order: schedules, load-based scaling, metrics retention
    (control/scaling.py) and volume snapshot schedules (control/volumes.py)."""
    return [
        scaling.schedule_pass,
        scaling.load_scaling_pass,
        scaling.Throttled(scaling.metrics_retention_pass, scaling.RETENTION_INTERVAL),
        snapshot_pass,
    ]
