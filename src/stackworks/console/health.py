"""Instance statuses as the console groups them: OpsWorks' stack summary (online, busy,
error, stopped), with a CSS class and an order for each group."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from stackworks.domain.status import InstanceStatus


class Health(StrEnum):
    ONLINE = "online"  # serving
    BUSY = "busy"  # on its way somewhere: requested, booting, setting up, stopping, ...
    ERROR = "error"  # setup or start failed, connection lost
    STOPPED = "stopped"  # nothing runs


_ERROR = {InstanceStatus.SETUP_FAILED, InstanceStatus.START_FAILED, InstanceStatus.CONNECTION_LOST}
_STOPPED = {InstanceStatus.STOPPED, InstanceStatus.TERMINATED}


def health(status: InstanceStatus) -> Health:
    if status is InstanceStatus.ONLINE:
        return Health.ONLINE
    if status in _ERROR:
        return Health.ERROR
    return Health.STOPPED if status in _STOPPED else Health.BUSY


def by_health(counts: Counter[InstanceStatus]) -> dict[Health, int]:
    """Instance counts per group, every group present (zeros included), in display order."""
    grouped = dict.fromkeys(Health, 0)
    for status, count in counts.items():
        grouped[health(status)] += count
    return grouped
