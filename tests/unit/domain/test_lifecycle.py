"""The lifecycle table: the OpsWorks path, stops from every running status, and refusals."""

from __future__ import annotations

import pytest

from stackworks.domain.errors import Conflict
from stackworks.domain.lifecycle import (
    PROVIDER_OUTCOMES,
    TRANSITIONS,
    Effect,
    InstanceEvent,
    transition,
)
from stackworks.domain.status import InstanceStatus as S

E = InstanceEvent


def walk(start: S, *events: InstanceEvent) -> list[S]:
    statuses = [start]
    for event in events:
        statuses.append(transition(statuses[-1], event).target)
    return statuses


def test_start_walks_the_opsworks_path_to_online() -> None:
    path = walk(
        S.STOPPED, E.START, E.PROVISIONING, E.PROVISIONED, E.AGENT_CONNECTED, E.SETUP_SUCCEEDED
    )
    assert path == [S.STOPPED, S.REQUESTED, S.PENDING, S.BOOTING, S.RUNNING_SETUP, S.ONLINE]


def test_stop_of_an_online_instance_runs_shutdown_then_ends_processes() -> None:
    assert walk(S.ONLINE, E.STOP, E.SHUTDOWN_FINISHED, E.PROCESSES_ENDED) == [
        S.ONLINE,
        S.STOPPING,
        S.SHUTTING_DOWN,
        S.STOPPED,
    ]
    assert transition(S.ONLINE, E.STOP).effects == (Effect.SEND_SHUTDOWN,)
    assert transition(S.STOPPING, E.SHUTDOWN_FINISHED).effects == (Effect.RELEASE,)


@pytest.mark.parametrize(
    ("source", "event", "target"),
    [
        (S.RUNNING_SETUP, E.SETUP_FAILED, S.SETUP_FAILED),
        (S.PENDING, E.PROVISION_FAILED, S.START_FAILED),
        (S.BOOTING, E.BOOT_TIMED_OUT, S.START_FAILED),
        (S.ONLINE, E.HEARTBEAT_LOST, S.CONNECTION_LOST),
        (S.CONNECTION_LOST, E.AGENT_CONNECTED, S.ONLINE),
        (S.SETUP_FAILED, E.SETUP_SUCCEEDED, S.ONLINE),
        (S.STOPPED, E.DELETE, S.TERMINATING),
        (S.TERMINATING, E.REMOVED, S.TERMINATED),
    ],
)
def test_table_rows(source: S, event: InstanceEvent, target: S) -> None:
    assert transition(source, event).target is target


@pytest.mark.parametrize(
    ("source", "target", "changes_online"),
    [
        (S.RUNNING_SETUP, S.ONLINE, True),
        (S.ONLINE, S.STOPPING, True),
        (S.ONLINE, S.CONNECTION_LOST, True),
        (S.BOOTING, S.RUNNING_SETUP, False),
        (S.STOPPING, S.SHUTTING_DOWN, False),
    ],
)
def test_configure_fans_out_exactly_when_online_is_entered_or_left(
    source: S, target: S, changes_online: bool
) -> None:
    row = next(t for t in TRANSITIONS.values() if t.source is source and t.target is target)
    assert row.changes_online is changes_online


@pytest.mark.parametrize(
    ("status", "event"),
    [(S.ONLINE, E.START), (S.ONLINE, E.DELETE), (S.STOPPED, E.STOP), (S.STOPPED, E.SETUP_FAILED)],
)
def test_events_a_status_does_not_accept_are_refused_with_both_named(
    status: S, event: InstanceEvent
) -> None:
    with pytest.raises(Conflict) as refused:
        transition(status, event)
    assert status.value in refused.value.message


def test_every_running_status_can_be_stopped() -> None:
    running = [
        S.REQUESTED,
        S.PENDING,
        S.BOOTING,
        S.RUNNING_SETUP,
        S.ONLINE,
        S.SETUP_FAILED,
        S.START_FAILED,
        S.CONNECTION_LOST,
        S.REBOOTING,
    ]
    for status in running:
        assert (status, E.STOP) in TRANSITIONS, status


def test_no_row_leaves_terminated() -> None:
    assert not [key for key in TRANSITIONS if key[0] is S.TERMINATED]


def test_a_lost_instance_is_healed_in_place_back_to_online() -> None:
    path = walk(
        S.ONLINE,
        E.HEARTBEAT_LOST,
        E.HEAL,
        E.PROVISIONED,
        E.AGENT_CONNECTED,
        E.SETUP_SUCCEEDED,
    )
    assert path == [S.ONLINE, S.CONNECTION_LOST, S.PENDING, S.BOOTING, S.RUNNING_SETUP, S.ONLINE]
    assert transition(S.CONNECTION_LOST, E.HEAL).provider_effect is Effect.REPLACE


def test_healing_that_gives_up_ends_the_processes_and_leaves_start_failed() -> None:
    row = transition(S.CONNECTION_LOST, E.GIVE_UP)
    assert (row.target, row.provider_effect) == (S.START_FAILED, Effect.RELEASE)
    assert transition(S.START_FAILED, E.PROCESSES_ENDED).target is S.START_FAILED


def test_a_reboot_leaves_online_and_comes_back_through_setup() -> None:
    path = walk(S.ONLINE, E.REBOOT, E.PROVISIONED, E.AGENT_CONNECTED, E.SETUP_SUCCEEDED)
    assert path == [S.ONLINE, S.REBOOTING, S.BOOTING, S.RUNNING_SETUP, S.ONLINE]
    assert transition(S.ONLINE, E.REBOOT).changes_online


def test_every_row_records_at_most_one_provider_effect_and_each_has_outcomes() -> None:
    for row in TRANSITIONS.values():
        provider = [e for e in row.effects if e.is_provider_work]
        assert len(provider) <= 1, row
        if row.provider_effect is not None:
            succeeded, failed = PROVIDER_OUTCOMES[row.provider_effect]
            # the outcome events are accepted where the work finds the instance (a requested
            # one is moved to pending as the orchestrator takes it up)
            where = row.target
            if where is S.REQUESTED:
                where = transition(where, E.PROVISIONING).target
            assert (where, succeeded) in TRANSITIONS, row
            assert (where, failed) in TRANSITIONS, row
