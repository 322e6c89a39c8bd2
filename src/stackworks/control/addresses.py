"""Addresses (OpsWorks' Elastic IPs): register, rename, associate, disassociate, deregister.

An address belongs to the stack and is associated with at most one instance, by instance id, so
it stays with an instance through stop, start and replacement. Every association change queues
configure on every online instance: the configuration carries each instance's `elastic_ip`,
and a load balancer binds its own (haproxy::configure), so the address answers where it now is.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from stackworks.control import commands
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import Conflict
from stackworks.domain.resources import Address, check_resource_name
from stackworks.domain.status import EventKind
from stackworks.store import addresses as address_store
from stackworks.store import events
from stackworks.store import instances as instance_store
from stackworks.store.ids import new_id

#: gives a free address, given those already taken (the provider's allocate_address)
Allocator = Callable[[set[str]], str]
#: gives an address back to the host (the local provider's claim is released)
Releaser = Callable[[str], None]


def _event(
    session: Session, address: Address, message: str, instance: Instance | None = None
) -> None:
    events.record(
        session,
        address.stack_id,
        EventKind.RESOURCE,
        message,
        instance=instance,
        details={"address": address.name, "ip": address.ip},
    )


def taken_addresses(session: Session) -> set[str]:
    """Addresses no new instance or address may get: instances' and registered ones."""
    return instance_store.addresses(session, "local") | address_store.all_ips(session)


def register_address(session: Session, stack: Stack, name: str, allocate: Allocator) -> Address:
    check_resource_name(name)
    if any(a.name == name for a in address_store.list_for_stack(session, stack.id)):
        raise Conflict(f"name: the stack already has an address {name!r}", field="name")
    ip = allocate(taken_addresses(session))
    address = address_store.create(
        session, Address(id=new_id(), stack_id=stack.id, ip=ip, name=name)
    )
    _event(session, address, f"address {name} ({ip}) registered")
    return address


def rename_address(session: Session, address: Address, name: str) -> Address:
    check_resource_name(name)
    renamed = address_store.rename(session, address.id, name)
    if renamed != address:
        _event(session, renamed, f"address {address.name} renamed to {name}")
    return renamed


def associate_address(session: Session, address: Address, instance: Instance) -> Address:
    """AssociateElasticIp: move the address to `instance` (from wherever it was)."""
    if address.instance_id == instance.id:
        return address
    other = address_store.for_instance(session, instance.id)
    if other is not None:
        raise Conflict(
            f"instance: {instance.hostname} already has address {other.name} ({other.ip}); "
            "disassociate it first",
            field="instance",
        )
    previous = instance_store.get(session, address.instance_id) if address.instance_id else None
    moved = address_store.set_instance(session, address.id, instance.id)
    where = f" from {previous.hostname}" if previous else ""
    reason = f"address {address.name} ({address.ip}) moved{where} to {instance.hostname}"
    _event(session, moved, reason, instance)
    commands.fan_out_configure_stack(session, address.stack_id, reason)
    return moved


def disassociate_address(session: Session, address: Address, why: str = "") -> Address:
    if not address.instance_id:
        return address
    previous = instance_store.get(session, address.instance_id)
    freed = address_store.set_instance(session, address.id, None)
    reason = f"address {address.name} ({address.ip}) disassociated from {previous.hostname}"
    _event(session, freed, reason + (f": {why}" if why else ""), previous)
    commands.fan_out_configure_stack(session, address.stack_id, reason)
    return freed


def deregister_address(session: Session, address: Address, release: Releaser) -> None:
    """DeregisterElasticIp: disassociated first, then given back to the host."""
    disassociate_address(session, address, "it is being deregistered")
    address_store.delete(session, address.id)
    release(address.ip)
    _event(session, address, f"address {address.name} ({address.ip}) deregistered")


def release_instance_address(session: Session, instance: Instance) -> None:
    """An instance being deleted lets go of its address (which stays registered)."""
    address = address_store.for_instance(session, instance.id)
    if address is not None:
        disassociate_address(session, address, f"instance {instance.hostname} was deleted")
