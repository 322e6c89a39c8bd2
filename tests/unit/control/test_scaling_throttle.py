"""The retention pass runs at most once a minute of the clock it is given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy.orm import Session

from stackworks.control.scaling import Throttled

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_throttled_pass_runs_once_per_interval_and_again_after_it() -> None:
    ran: list[datetime] = []

    def record(_session: Session, now: datetime) -> bool:
        ran.append(now)
        return True

    throttled = Throttled(record, timedelta(minutes=1))
    session = cast(Session, None)
    results = [throttled(session, T0 + timedelta(seconds=s)) for s in (0, 30, 59, 60, 61, 125)]
    assert ran == [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=125)]
    assert results == [True, False, False, True, False, True]
