"""Instances: create, start, stop and delete, as a user asks for them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from stackworks.control import addresses, catalog, lifecycle, volumes
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import Conflict
from stackworks.domain.lifecycle import InstanceEvent
from stackworks.domain.status import InstanceStatus
from stackworks.store import instances as instance_store
from stackworks.store.ids import new_id
from stackworks.wire import schemas

#: gives a free address for a new instance, given those already taken
AddressAllocator = Callable[[set[str]], str]


def create_instance(
    session: Session,
    stack: Stack,
    body: schemas.InstanceCreate,
    *,
    provider: str,
    allocate_address: AddressAllocator,
    data_dir: Path | None = None,
) -> Instance:
    """A new stopped instance; with `data_dir`, its layers' volume configurations give it its
    volumes there at once (otherwise at its first start through `start_instance`)."""
    hostname, layers = catalog.check_instance_request(session, stack, body)
    taken = instance_store.addresses(session, provider) | addresses.taken_addresses(session)
    address = allocate_address(taken)
    instance = Instance(
        id=new_id(),
        stack_id=stack.id,
        hostname=hostname,
        layers=layers,
        status=InstanceStatus.STOPPED,
        provider=provider,
        private_ip=address,
        scaling=body.scaling,
    )
    created = instance_store.create(session, instance)
    if data_dir is not None:
        volumes.ensure_layer_volumes(session, created, data_dir)
    return created


def start_instance(session: Session, instance: Instance) -> Instance:
    """Ask for the instance to run; starting one that already runs changes nothing.

    Whoever asks (a user, a schedule, load-based scaling, a stack start), the orchestrator gives
    it any volume its layers' configurations call for just before its provider starts it."""
    if instance.status in _STARTED:
        return instance
    return lifecycle.fire(session, instance.id, InstanceEvent.START)


def stop_instance(session: Session, instance: Instance) -> Instance:
    """Ask for the instance to stop; stopping one that is stopped or stopping changes nothing."""
    if instance.status in _STOPPED_OR_STOPPING:
        return instance
    return lifecycle.fire(session, instance.id, InstanceEvent.STOP)


def reboot_instance(session: Session, instance: Instance) -> Instance:
    """End the instance's processes and start them again (OpsWorks' RebootInstance).

    It leaves online, so the others reconfigure without it, and comes back through setup."""
    return lifecycle.fire(session, instance.id, InstanceEvent.REBOOT, "rebooted by request")


def delete_instance(session: Session, instance: Instance) -> Instance:
    if instance.status is not InstanceStatus.STOPPED:
        raise Conflict(
            f"instance {instance.hostname!r} is {instance.status.value}: stop it before deleting it"
        )
    volumes.release_instance_volumes(session, instance)
    addresses.release_instance_address(session, instance)
    return lifecycle.fire(session, instance.id, InstanceEvent.DELETE)


_STARTED = frozenset(
    {
        InstanceStatus.REQUESTED,
        InstanceStatus.PENDING,
        InstanceStatus.BOOTING,
        InstanceStatus.RUNNING_SETUP,
        InstanceStatus.ONLINE,
    }
)
_STOPPED_OR_STOPPING = frozenset(
    {InstanceStatus.STOPPED, InstanceStatus.STOPPING, InstanceStatus.SHUTTING_DOWN}
)
