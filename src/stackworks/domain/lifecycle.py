"""The instance lifecycle: every status change Stackworks makes is a row of `TRANSITIONS`.

Nothing else in the code base assigns an instance status; `control.lifecycle` looks the
(status, event) pair up here and carries out the row's effects. A pair that is not in the
table is refused with a Conflict that says what the instance is doing.

Configure fan-out is not listed per row: it follows from the row itself, whenever an instance
enters or leaves ONLINE (`Transition.changes_online`). A row records at most one provider effect
on the instance (start, stop, replace or remove its processes); the orchestrator carries out
what is recorded and fires the outcome event, and a later row replaces (so cancels) an effect
not yet begun.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stackworks.domain.errors import Conflict
from stackworks.domain.status import InstanceStatus as S


class InstanceEvent(StrEnum):
    """What can happen to an instance."""

    START = "start"  # a user, a schedule or load-based scaling asked for it to run
    PROVISIONING = "provisioning"  # the orchestrator handed it to its provider
    PROVISIONED = "provisioned"  # the provider started its processes
    PROVISION_FAILED = "provision_failed"
    AGENT_CONNECTED = "agent_connected"  # a heartbeat arrived
    BOOT_TIMED_OUT = "boot_timed_out"  # no heartbeat within the boot timeout
    SETUP_SUCCEEDED = "setup_succeeded"
    SETUP_FAILED = "setup_failed"
    HEARTBEAT_LOST = "heartbeat_lost"  # no heartbeat within the stack's heartbeat timeout
    HEAL = "heal"  # auto-healing replaces it: same hostname, layers, volumes and address
    GIVE_UP = "give_up"  # auto-healing stops trying after too many replacements in a row
    REBOOT = "reboot"  # a user asked for its processes to be ended and started again
    STOP = "stop"
    SHUTDOWN_FINISHED = "shutdown_finished"  # shutdown recipes ended (any outcome, or timeout)
    PROCESSES_ENDED = "processes_ended"  # the provider ended every process of the instance
    DELETE = "delete"
    REMOVED = "removed"  # the provider removed what it made


class Effect(StrEnum):
    """Work a transition asks the control plane to do.

    The queue effects are done by `control.lifecycle.fire` in the same transaction; the provider
    effects are recorded on the instance and carried out by the orchestrator, outside any
    transaction, which then fires the effect's outcome event (`PROVIDER_OUTCOMES`).
    """

    SEND_SETUP = "send_setup"  # queue the setup command (setup + deploy run lists)
    SEND_SHUTDOWN = "send_shutdown"  # queue the shutdown command
    PROVISION = "provision"  # provider.start
    RELEASE = "release"  # provider.stop: end every process of the instance
    REPLACE = "replace"  # provider.stop, then provider.start: fresh processes, same instance
    REMOVE = "remove"  # provider.delete: remove what the provider made

    @property
    def is_provider_work(self) -> bool:
        return self in PROVIDER_OUTCOMES


#: provider effect -> (event on success, event on failure)
PROVIDER_OUTCOMES: dict[Effect, tuple[InstanceEvent, InstanceEvent]] = {
    Effect.PROVISION: (InstanceEvent.PROVISIONED, InstanceEvent.PROVISION_FAILED),
    Effect.REPLACE: (InstanceEvent.PROVISIONED, InstanceEvent.PROVISION_FAILED),
    Effect.RELEASE: (InstanceEvent.PROCESSES_ENDED, InstanceEvent.PROCESSES_ENDED),
    Effect.REMOVE: (InstanceEvent.REMOVED, InstanceEvent.REMOVED),
}


@dataclass(frozen=True)
class Transition:
    source: S
    event: InstanceEvent
    target: S
    effects: tuple[Effect, ...] = ()

    @property
    def changes_online(self) -> bool:
        """Whether the instance enters or leaves ONLINE: configure then runs stack-wide."""
        return (self.source is S.ONLINE) != (self.target is S.ONLINE)

    @property
    def provider_effect(self) -> Effect | None:
        """The provider work this row records (at most one), or None: it cancels any other."""
        return next((e for e in self.effects if e.is_provider_work), None)


E = InstanceEvent
P, R, X, RM = Effect.PROVISION, Effect.RELEASE, Effect.REPLACE, Effect.REMOVE
_ROWS: tuple[Transition, ...] = (
    # start
    Transition(S.STOPPED, E.START, S.REQUESTED, (P,)),
    Transition(S.START_FAILED, E.START, S.REQUESTED, (P,)),
    Transition(S.REQUESTED, E.PROVISIONING, S.PENDING, (P,)),
    Transition(S.PENDING, E.PROVISIONED, S.BOOTING),
    Transition(S.PENDING, E.PROVISION_FAILED, S.START_FAILED, (R,)),
    Transition(S.BOOTING, E.AGENT_CONNECTED, S.RUNNING_SETUP, (Effect.SEND_SETUP,)),
    Transition(S.BOOTING, E.BOOT_TIMED_OUT, S.START_FAILED, (R,)),
    Transition(S.RUNNING_SETUP, E.SETUP_SUCCEEDED, S.ONLINE),
    Transition(S.RUNNING_SETUP, E.SETUP_FAILED, S.SETUP_FAILED),
    # a setup command sent by hand to a failed instance brings it online when it succeeds
    Transition(S.SETUP_FAILED, E.SETUP_SUCCEEDED, S.ONLINE),
    # what a failed start leaves running is ended; the instance stays start_failed
    Transition(S.START_FAILED, E.PROCESSES_ENDED, S.START_FAILED),
    # heartbeats
    Transition(S.ONLINE, E.HEARTBEAT_LOST, S.CONNECTION_LOST),
    Transition(S.RUNNING_SETUP, E.HEARTBEAT_LOST, S.CONNECTION_LOST),
    Transition(S.CONNECTION_LOST, E.AGENT_CONNECTED, S.ONLINE),
    # auto-healing: a lost instance (or one whose replacement failed) is replaced in place
    Transition(S.CONNECTION_LOST, E.HEAL, S.PENDING, (X,)),
    Transition(S.START_FAILED, E.HEAL, S.PENDING, (X,)),
    Transition(S.SETUP_FAILED, E.HEAL, S.PENDING, (X,)),
    Transition(S.CONNECTION_LOST, E.GIVE_UP, S.START_FAILED, (R,)),
    # reboot: end its processes and start them again; configure runs as it leaves and returns
    Transition(S.ONLINE, E.REBOOT, S.REBOOTING, (X,)),
    Transition(S.SETUP_FAILED, E.REBOOT, S.REBOOTING, (X,)),
    Transition(S.CONNECTION_LOST, E.REBOOT, S.REBOOTING, (X,)),
    Transition(S.REBOOTING, E.PROVISIONED, S.BOOTING),
    Transition(S.REBOOTING, E.PROVISION_FAILED, S.START_FAILED, (R,)),
    # stop: where an agent runs, shutdown recipes first; elsewhere straight to ending processes
    Transition(S.ONLINE, E.STOP, S.STOPPING, (Effect.SEND_SHUTDOWN,)),
    Transition(S.RUNNING_SETUP, E.STOP, S.STOPPING, (Effect.SEND_SHUTDOWN,)),
    Transition(S.SETUP_FAILED, E.STOP, S.STOPPING, (Effect.SEND_SHUTDOWN,)),
    Transition(S.REQUESTED, E.STOP, S.STOPPED),
    Transition(S.PENDING, E.STOP, S.SHUTTING_DOWN, (R,)),
    Transition(S.REBOOTING, E.STOP, S.SHUTTING_DOWN, (R,)),
    Transition(S.BOOTING, E.STOP, S.SHUTTING_DOWN, (R,)),
    Transition(S.CONNECTION_LOST, E.STOP, S.SHUTTING_DOWN, (R,)),
    Transition(S.START_FAILED, E.STOP, S.SHUTTING_DOWN, (R,)),
    Transition(S.STOPPING, E.SHUTDOWN_FINISHED, S.SHUTTING_DOWN, (R,)),
    Transition(S.STOPPING, E.HEARTBEAT_LOST, S.SHUTTING_DOWN, (R,)),
    Transition(S.SHUTTING_DOWN, E.PROCESSES_ENDED, S.STOPPED),
    # delete: only what runs nothing
    Transition(S.STOPPED, E.DELETE, S.TERMINATING, (RM,)),
    Transition(S.TERMINATING, E.REMOVED, S.TERMINATED),
)

#: The lifecycle as one table: (status, event) -> transition.
TRANSITIONS: dict[tuple[S, InstanceEvent], Transition] = {(t.source, t.event): t for t in _ROWS}


def transition(status: S, event: InstanceEvent) -> Transition:
    """The row for `event` in `status`, or a Conflict naming both."""
    row = TRANSITIONS.get((status, event))
    if row is None:
        raise Conflict(f"cannot {event.value.replace('_', ' ')}: the instance is {status.value}")
    return row


def allowed_events(status: S) -> list[InstanceEvent]:
    """The events an instance in `status` accepts, for messages and the console."""
    return [event for (source, event) in TRANSITIONS if source is status]
