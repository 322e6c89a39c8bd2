"""Start stack and stop stack (OpsWorks' StartStack, StopStack).

Start asks every stopped 24/7 instance to run; time- and load-based instances are left to
their schedulers, which start them when their schedule or load asks. Stop asks every instance
that runs, whatever its scaling, to stop. Each records one stack event naming what it did.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from stackworks.control import instances as instance_control
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import Conflict
from stackworks.domain.status import EventKind, InstanceStatus, ScalingType
from stackworks.store import events
from stackworks.store import instances as instance_store
from stackworks.wire import schemas

_STARTABLE = frozenset({InstanceStatus.STOPPED, InstanceStatus.START_FAILED})
_AT_REST = frozenset(
    {InstanceStatus.STOPPED, InstanceStatus.TERMINATING, InstanceStatus.TERMINATED}
)


def start_stack(session: Session, stack: Stack) -> schemas.StackPowerResult:
    result = schemas.StackPowerResult(stack=stack.name, changed=[], unchanged=[])
    left: list[str] = []
    for instance in _held_instances(session, stack):
        if instance.scaling is not ScalingType.ALWAYS:
            left.append(instance.hostname)
            result.unchanged.append(instance.hostname)
            continue
        if instance.status not in _STARTABLE:
            result.unchanged.append(instance.hostname)
            continue
        try:
            instance_control.start_instance(session, instance)
        except Conflict:
            result.unchanged.append(instance.hostname)
            continue
        result.changed.append(instance.hostname)
    message = f"stack started: {_count(result.changed, 'instance')} asked to start"
    if left:
        message += f"; {', '.join(left)} left to their schedules"
    events.record(
        session,
        stack.id,
        EventKind.STACK,
        message,
        details={"started": result.changed, "left_to_scheduler": left},
    )
    return result


def stop_stack(session: Session, stack: Stack) -> schemas.StackPowerResult:
    result = schemas.StackPowerResult(stack=stack.name, changed=[], unchanged=[])
    for instance in _held_instances(session, stack):
        if instance.status in _AT_REST:
            result.unchanged.append(instance.hostname)
            continue
        before = instance.status
        try:
            after = instance_control.stop_instance(session, instance)
        except Conflict:
            result.unchanged.append(instance.hostname)
            continue
        (result.changed if after.status is not before else result.unchanged).append(
            instance.hostname
        )
    events.record(
        session,
        stack.id,
        EventKind.STACK,
        f"stack stopped: {_count(result.changed, 'instance')} asked to stop",
        details={"stopped": result.changed},
    )
    return result


def _held_instances(session: Session, stack: Stack) -> list[Instance]:
    """The stack's instances by hostname, all their rows locked first, in id order
    (`instance_store.lock_in_order`): each stop supersedes the others' configures, so taking
    the next instance's row only when its turn comes could wait for a result that waits for
    one of those configures."""
    listed = [i.id for i in instance_store.list_for_stack(session, stack.id)]
    held = instance_store.lock_in_order(session, listed)
    return [held[i] for i in listed if i in held]


def _count(items: list[str], noun: str) -> str:
    if not items:
        return f"no {noun}s"
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''} ({', '.join(items)})"
