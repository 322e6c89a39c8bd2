"""Time-outs as a table: which event each watched instance is due, at which moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from stackworks.domain.entities import Instance
from stackworks.domain.lifecycle import InstanceEvent as E
from stackworks.domain.status import InstanceStatus as S
from stackworks.domain.timeouts import Watched, due_events

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BOOT = 300.0
HEARTBEAT = 15.0
SHUTDOWN = 120.0


def instance(status: S, changed: float, heartbeat: float | None = None) -> Instance:
    """An instance whose status changed `changed` s after T0, last heard `heartbeat` s after."""
    return Instance(
        id="i-1",
        stack_id="s-1",
        hostname="web1",
        layers=("app",),
        status=status,
        status_changed_at=T0 + timedelta(seconds=changed),
        last_heartbeat_at=None if heartbeat is None else T0 + timedelta(seconds=heartbeat),
    )


def due_at(item: Instance, seconds: float, *, watching_since: float = 0.0) -> list[E]:
    now = T0 + timedelta(seconds=seconds)
    found = due_events(
        [Watched(item, HEARTBEAT, SHUTDOWN)],
        now,
        boot_timeout=BOOT,
        watching_since=T0 + timedelta(seconds=watching_since),
    )
    return [d.event for d in found]


@pytest.mark.parametrize(
    ("item", "at", "expected"),
    [
        # booting: the first heartbeat must come within the boot timeout
        (instance(S.BOOTING, 0), 299, []),
        (instance(S.BOOTING, 0), 301, [E.BOOT_TIMED_OUT]),
        # online: silence longer than the heartbeat timeout is a lost connection
        (instance(S.ONLINE, 0, heartbeat=100), 114, []),
        (instance(S.ONLINE, 0, heartbeat=100), 116, [E.HEARTBEAT_LOST]),
        # never heard since it came online: counted from the status change
        (instance(S.ONLINE, 50), 66, [E.HEARTBEAT_LOST]),
        # running setup is watched the same way (a dead agent must not hang setup)
        (instance(S.RUNNING_SETUP, 0, heartbeat=10), 26, [E.HEARTBEAT_LOST]),
        # stopping: alive but past its layers' shutdown timeout (+5 s) is ended anyway
        (instance(S.STOPPING, 0, heartbeat=120), 124, []),
        (instance(S.STOPPING, 0, heartbeat=126), 126, [E.SHUTDOWN_FINISHED]),
        # stopping and silent: heartbeat lost wins (nothing will finish the shutdown)
        (instance(S.STOPPING, 0, heartbeat=0), 16, [E.HEARTBEAT_LOST]),
        # statuses with no clock
        (instance(S.STOPPED, 0), 10_000, []),
        (instance(S.CONNECTION_LOST, 0), 10_000, []),
        (instance(S.SETUP_FAILED, 0, heartbeat=0), 10_000, []),
    ],
)
def test_due_events(item: Instance, at: float, expected: list[E]) -> None:
    assert due_at(item, at) == expected


def test_silence_from_before_the_server_started_watching_does_not_count() -> None:
    item = instance(S.ONLINE, 0, heartbeat=0)
    assert due_at(item, 100, watching_since=90) == []
    assert due_at(item, 106, watching_since=90) == [E.HEARTBEAT_LOST]


def test_a_due_event_says_why_in_numbers() -> None:
    item = instance(S.ONLINE, 0, heartbeat=0)
    [found] = due_events(
        [Watched(item, HEARTBEAT, SHUTDOWN)],
        T0 + timedelta(seconds=20),
        boot_timeout=BOOT,
        watching_since=T0,
    )
    assert found.reason == "no heartbeat for 20 s (timeout 15 s)"
    assert found.instance == item


def test_each_instance_gets_its_own_stack_timeout() -> None:
    quick = instance(S.ONLINE, 0, heartbeat=0)
    patient = replace(quick, id="i-2", hostname="web2")
    found = due_events(
        [Watched(quick, 10, SHUTDOWN), Watched(patient, 60, SHUTDOWN)],
        T0 + timedelta(seconds=30),
        boot_timeout=BOOT,
        watching_since=T0,
    )
    assert [d.instance.hostname for d in found] == ["web1"]
