"""Instance statuses in OpsWorks' summary groups, and durations as the console shows them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from stackworks.console.health import Health, by_health, health
from stackworks.console.rendering import duration
from stackworks.domain.status import InstanceStatus


def test_every_status_has_a_group() -> None:
    assert health(InstanceStatus.ONLINE) is Health.ONLINE
    assert health(InstanceStatus.CONNECTION_LOST) is Health.ERROR
    assert health(InstanceStatus.RUNNING_SETUP) is Health.BUSY
    assert health(InstanceStatus.STOPPED) is Health.STOPPED
    assert {health(s) for s in InstanceStatus} == set(Health)


def test_the_summary_lists_every_group_in_order_zeros_included() -> None:
    counts = Counter(
        {InstanceStatus.ONLINE: 2, InstanceStatus.BOOTING: 1, InstanceStatus.PENDING: 1}
    )
    assert list(by_health(counts).items()) == [
        (Health.ONLINE, 2),
        (Health.BUSY, 2),
        (Health.ERROR, 0),
        (Health.STOPPED, 0),
    ]


def test_durations_read_in_hours_minutes_and_seconds() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert duration(start, start + timedelta(seconds=42)) == "42s"
    assert duration(start, start + timedelta(minutes=3, seconds=5)) == "3m 5s"
    assert duration(start, start + timedelta(hours=1, seconds=1)) == "1h 0m 1s"
    assert duration(None, start) == ""
