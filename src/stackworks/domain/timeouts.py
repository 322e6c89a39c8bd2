"""Time-outs as a pure function: which lifecycle events are due, given the instances and a clock.

The orchestrator calls `due_events` on every pass with what it read from the store and fires the
events it returns; nothing here reads a clock or a database, so the rules are tested as a table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from stackworks.domain.entities import Instance
from stackworks.domain.lifecycle import InstanceEvent
from stackworks.domain.status import InstanceStatus

#: seconds a stopping instance gets beyond its layers' shutdown timeout before it is ended anyway
SHUTDOWN_SLACK = 5.0

#: statuses whose instances are watched by `due_events`
WATCHED = (
    InstanceStatus.BOOTING,
    InstanceStatus.RUNNING_SETUP,
    InstanceStatus.ONLINE,
    InstanceStatus.STOPPING,
)


@dataclass(frozen=True)
class Watched:
    """One instance with the limits that apply to it (from its stack and its layers)."""

    instance: Instance
    heartbeat_timeout: float
    shutdown_timeout: float


@dataclass(frozen=True)
class DueEvent:
    instance: Instance
    event: InstanceEvent
    reason: str


def due_events(
    watched: Iterable[Watched],
    now: datetime,
    *,
    boot_timeout: float,
    watching_since: datetime,
) -> list[DueEvent]:
    """The time-out events due at `now`.

    `watching_since` is when this server began watching: silence from before it started (while
    no one could have received a heartbeat) does not count against an instance.
    """
    due: list[DueEvent] = []
    for item in watched:
        instance = item.instance
        since = instance.status_changed_at or now
        if instance.status is InstanceStatus.BOOTING:
            if _seconds(since, now) > boot_timeout:
                reason = f"no heartbeat within {boot_timeout:g} s of starting"
                due.append(DueEvent(instance, InstanceEvent.BOOT_TIMED_OUT, reason))
            continue
        if instance.status not in WATCHED:
            continue
        seen = max(instance.last_heartbeat_at or since, watching_since)
        silent = _seconds(seen, now)
        if silent > item.heartbeat_timeout:
            reason = f"no heartbeat for {silent:.0f} s (timeout {item.heartbeat_timeout:g} s)"
            due.append(DueEvent(instance, InstanceEvent.HEARTBEAT_LOST, reason))
        elif instance.status is InstanceStatus.STOPPING:
            limit = item.shutdown_timeout + SHUTDOWN_SLACK
            if _seconds(max(since, watching_since), now) > limit:
                reason = f"shutdown recipes ran past {item.shutdown_timeout:g} s"
                due.append(DueEvent(instance, InstanceEvent.SHUTDOWN_FINISHED, reason))
    return due


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()
