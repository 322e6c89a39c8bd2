"""Queueing commands: each carries its run list and a snapshot of the whole stack configuration.

The snapshot's shared sections (`layers`, `instances`) are saved once per state as a stack
configuration version, which each command names; only its own part is stored with it, so a
fan-out to N instances builds and stores the O(N) sections once, not N times.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control.run_lists import run_list_for
from stackworks.domain import shared_configuration
from stackworks.domain.entities import Command, Deployment, Instance
from stackworks.domain.stack_config import StackSnapshot, app_layers, build_own_configuration
from stackworks.domain.status import CommandName
from stackworks.store import addresses as address_store
from stackworks.store import apps as app_store
from stackworks.store import commands as command_store
from stackworks.store import databases as database_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import permissions as permission_store
from stackworks.store import stack_configurations
from stackworks.store import stacks as stack_store
from stackworks.store import volumes as volume_store
from stackworks.store.ids import new_id

DEFAULT_TIMEOUT = 3600
SUPERSEDED = "skipped: superseded by a newer configure"


def load_snapshot(session: Session, stack_id: str) -> StackSnapshot:
    return StackSnapshot(
        stack=stack_store.get(session, stack_id),
        layers=layer_store.list_for_stack(session, stack_id),
        apps=app_store.list_for_stack(session, stack_id),
        instances=instance_store.list_for_stack(session, stack_id),
        volumes=volume_store.list_for_stack(session, stack_id),
        addresses=address_store.list_for_stack(session, stack_id),
        databases=database_store.list_for_stack(session, stack_id),
        ssh_users=permission_store.ssh_users_of(session, stack_id),
    )


def apps_on_instance(snapshot: StackSnapshot, instance: Instance) -> list[str]:
    """Ids of the apps that deploy to any of the instance's layers."""
    return [
        app.id
        for app in snapshot.apps
        if set(app_layers(app, snapshot.layers)) & set(instance.layers)
    ]


def queue(
    session: Session,
    snapshot: StackSnapshot,
    instance: Instance,
    type_: CommandName,
    *,
    reason: str = "",
    deployment: Deployment | None = None,
    args: dict[str, Any] | None = None,
    deploy_app_ids: Iterable[str] = (),
    timeout: int = DEFAULT_TIMEOUT,
    run_list: list[str] | None = None,
    step: int | None = None,
    subject_id: str | None = None,
    batched: bool = False,
) -> Command:
    """Queue one command for one instance.

    A new configure supersedes the instance's configures that have not started: they are
    marked skipped, and only the newest, with the newest stack state, runs. `batched`: part of
    a batch (a fan-out, a deployment), which supersedes for all its instances at once
    (`supersede_configures`) and flushes once at its end.
    """
    if type_ is CommandName.CONFIGURE and not batched:
        command_store.skip_unstarted(session, instance.id, CommandName.CONFIGURE, SUPERSEDED)
    command_id = new_id()
    args = dict(args or {})
    if run_list is None:
        run_list = run_list_for(type_, instance, snapshot.layers, args)
    version = stack_configurations.save(
        session, snapshot.stack.id, snapshot.configuration_version, snapshot.shared_configuration
    )
    own = build_own_configuration(
        snapshot,
        instance,
        command={"id": command_id, "type": type_.value, "args": args, "reason": reason},
        deployment=deployment,
        deploy_app_ids=deploy_app_ids,
    )
    command = Command(
        id=command_id,
        stack_id=instance.stack_id,
        instance_id=instance.id,
        type=type_,
        deployment_id=deployment.id if deployment else None,
        deployment_step=step,
        subject_id=subject_id,
        reason=reason,
        run_list=tuple(run_list),
        configuration=shared_configuration.join(own, snapshot.shared_configuration),
        configuration_version=version,
    )
    return command_store.add(session, command, timeout, flush=not batched)


def fan_out_configure(session: Session, subject: Instance, reason: str) -> list[Command]:
    """Queue configure on every online instance with the stack state as it is now.

    `subject` is the instance that came or went: its shutdown waits for these configures, so
    load balancers stop sending it requests before its processes stop.
    """
    return _fan_out(session, load_snapshot(session, subject.stack_id), reason, subject.id)


def fan_out_configure_stack(session: Session, stack_id: str, reason: str) -> list[Command]:
    """Queue configure on every online instance of the stack after a change that no single
    instance's coming or going caused (an address moved, a database's details changed)."""
    return _fan_out(session, load_snapshot(session, stack_id), reason, None)


def supersede_configures(session: Session, instance_ids: Iterable[str]) -> int:
    """Mark the unstarted configures of many instances skipped, before a batch queues new ones
    on them; returns how many.

    All in one pass, whose row locks `store.commands.skip_unstarted_of` takes in one order
    (by instance id) for every caller. Superseding instance by instance as a batch goes would
    take them in the batch's own order (a deployment's is by hostname), which another batch
    could cross, each then holding a configure the other waits for.
    """
    return command_store.skip_unstarted_of(session, instance_ids, CommandName.CONFIGURE, SUPERSEDED)


def _fan_out(
    session: Session, snapshot: StackSnapshot, reason: str, subject_id: str | None
) -> list[Command]:
    """One configure per online instance: the older unstarted ones superseded in one pass, the
    new ones inserted in one batch, all naming one stack configuration version."""
    targets = snapshot.online_instances()
    supersede_configures(session, [i.id for i in targets])
    queued = [
        queue(
            session,
            snapshot,
            instance,
            CommandName.CONFIGURE,
            reason=reason,
            subject_id=subject_id,
            batched=True,
        )
        for instance in targets
    ]
    session.flush()
    return queued
