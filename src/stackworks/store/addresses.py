"""Addresses (Elastic IPs) in the store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.resources import Address
from stackworks.store.tables import AddressRow


def to_entity(row: AddressRow) -> Address:
    return Address(
        id=row.id,
        stack_id=row.stack_id,
        ip=row.ip,
        name=row.name,
        instance_id=row.instance_id,
        created_at=row.created_at,
    )


def list_for_stack(session: Session, stack_id: str) -> list[Address]:
    rows = session.scalars(
        select(AddressRow).where(AddressRow.stack_id == stack_id).order_by(AddressRow.name)
    )
    return [to_entity(r) for r in rows]


def all_ips(session: Session) -> set[str]:
    """Every registered address of every stack: none of them may go to a new instance."""
    return set(session.scalars(select(AddressRow.ip)))


def get(session: Session, stack_id: str, name_or_ip: str) -> Address:
    """An address by its name or by the address itself."""
    row = session.scalar(
        select(AddressRow).where(
            AddressRow.stack_id == stack_id,
            (AddressRow.name == name_or_ip) | (AddressRow.ip == name_or_ip),
        )
    )
    if row is None:
        raise NotFound("address", name_or_ip)
    return to_entity(row)


def find_by_ip(session: Session, ip: str) -> Address | None:
    """The address `ip`, in whichever stack holds it (an address belongs to one stack)."""
    row = session.scalar(select(AddressRow).where(AddressRow.ip == ip))
    return to_entity(row) if row else None


def for_instance(session: Session, instance_id: str) -> Address | None:
    row = session.scalar(select(AddressRow).where(AddressRow.instance_id == instance_id))
    return to_entity(row) if row else None


def create(session: Session, address: Address) -> Address:
    taken = session.scalar(
        select(AddressRow.id).where(
            AddressRow.stack_id == address.stack_id, AddressRow.name == address.name
        )
    )
    if taken:
        raise Conflict(f"name: the stack already has an address {address.name!r}", field="name")
    row = AddressRow(
        id=address.id,
        stack_id=address.stack_id,
        ip=address.ip,
        name=address.name,
        instance_id=address.instance_id,
    )
    session.add(row)
    session.flush()
    return to_entity(row)


def set_instance(session: Session, address_id: str, instance_id: str | None) -> Address:
    row = session.get(AddressRow, address_id)
    if row is None:
        raise NotFound("address", address_id)
    row.instance_id = instance_id
    session.flush()
    return to_entity(row)


def rename(session: Session, address_id: str, name: str) -> Address:
    row = session.get(AddressRow, address_id)
    if row is None:
        raise NotFound("address", address_id)
    taken = session.scalar(
        select(AddressRow.id).where(
            AddressRow.stack_id == row.stack_id, AddressRow.name == name, AddressRow.id != row.id
        )
    )
    if taken:
        raise Conflict(f"name: the stack already has an address {name!r}", field="name")
    row.name = name
    session.flush()
    return to_entity(row)


def delete(session: Session, address_id: str) -> None:
    row = session.get(AddressRow, address_id)
    if row is not None:
        session.delete(row)
        session.flush()
