"""Carrying out lifecycle transitions: the only place an instance's status changes.

`fire` looks the (status, event) pair up in `domain.lifecycle.TRANSITIONS`, stores the new status
with its reason and the row's provider effect, and does the row's queue work (setup, shutdown
commands). When the instance enters or leaves online, configure fans out to every online
instance. The recorded provider work (start, stop, replace, remove) is carried out by the
orchestrator, which then fires the outcome event.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from stackworks.control import commands
from stackworks.domain.entities import Instance
from stackworks.domain.lifecycle import Effect, InstanceEvent, transition
from stackworks.domain.status import CommandName, InstanceStatus
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store


def fire(session: Session, instance_id: str, event: InstanceEvent, reason: str = "") -> Instance:
    """Apply `event` to an instance; raises Conflict when its status does not accept it.

    `reason` is kept as the instance's status reason (shown by `instance show` and `list`)."""
    instance = instance_store.get(session, instance_id, lock=True)
    row = transition(instance.status, event)
    if row.target is row.source and not reason:
        reason = instance.status_reason  # staying put (e.g. start_failed): the reason stands
    effect = row.provider_effect
    instance = instance_store.set_status(
        session, instance.id, row.target, reason, effect.value if effect else None
    )
    for effect in row.effects:
        if effect is Effect.SEND_SETUP:
            _queue_setup(session, instance)
        elif effect is Effect.SEND_SHUTDOWN:
            _queue_shutdown(session, instance)
    if row.changes_online:
        verb = "came online" if row.target is InstanceStatus.ONLINE else "left online"
        commands.fan_out_configure(session, instance, f"{instance.hostname} {verb}")
    return instance


def _queue_setup(session: Session, instance: Instance) -> None:
    snapshot = commands.load_snapshot(session, instance.stack_id)
    commands.queue(
        session,
        snapshot,
        instance,
        CommandName.SETUP,
        reason=f"{instance.hostname} booted",
        deploy_app_ids=commands.apps_on_instance(snapshot, instance),
    )


def shutdown_timeout(session: Session, instance: Instance) -> int:
    """The longest shutdown timeout among the instance's layers (default 120 s)."""
    layers = [
        layer
        for layer in layer_store.list_for_stack(session, instance.stack_id)
        if layer.shortname in instance.layers
    ]
    return max((layer.shutdown_timeout for layer in layers), default=120)


def _queue_shutdown(session: Session, instance: Instance) -> None:
    snapshot = commands.load_snapshot(session, instance.stack_id)
    commands.queue(
        session,
        snapshot,
        instance,
        CommandName.SHUTDOWN,
        reason=f"{instance.hostname} is stopping",
        timeout=shutdown_timeout(session, instance),
    )
