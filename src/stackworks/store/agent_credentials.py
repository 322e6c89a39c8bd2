"""Instance credentials in the store: which instance a credential names, and its rotation.

Only SHA-256 hashes are kept. An instance has its current credential and, while a rotation is
under way, the next one, issued to its agent and not yet used. The agent confirms a rotation by
calling with the next credential: that call makes it the current one and the old one ends. If the
agent never confirms, the old credential ends anyway at `credential_rotate_by`
(docs/agent-protocol.md, "Credentials").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from stackworks.domain.entities import Instance
from stackworks.domain.errors import NotFound
from stackworks.store.id_chunks import sorted_chunks
from stackworks.store.instances import to_entity
from stackworks.store.tables import InstanceRow, table_of, utcnow

_INSTANCES = table_of(InstanceRow)

#: every agent request looks its credential up: a plain row, built once, no ORM object
_BY_CURRENT = select(_INSTANCES).where(_INSTANCES.c.credential_hash == bindparam("credential_hash"))


def authenticate(
    session: Session, credential_hash: str, now: datetime | None = None
) -> Instance | None:
    """The instance this credential names, or None; a rotation's next credential, used for the
    first time, becomes the instance's current one here."""
    now = now or utcnow()
    found = session.execute(_BY_CURRENT, {"credential_hash": credential_hash}).first()
    if found is not None:
        if found.credential_rotate_by is not None and now >= found.credential_rotate_by:
            return None  # rotated, never confirmed, and the grace period is over
        return to_entity(found)
    row = session.scalar(
        select(InstanceRow).where(InstanceRow.next_credential_hash == credential_hash)
    )
    if row is None:
        return None
    row.credential_hash = row.next_credential_hash
    row.next_credential_hash = None
    row.credential_rotate_by = None
    session.flush()
    return to_entity(row)


def authenticate_many(
    session: Session, credential_hashes: Iterable[str], now: datetime | None = None
) -> dict[str, Instance]:
    """`authenticate` for many credentials at once (results in one transaction,
    api/result_batches.py): the instances they name, by credential hash, one naming none left
    out. Current credentials in one query per chunk; any other (a rotation's next one, or
    none) as `authenticate` takes it alone."""
    now = now or utcnow()
    wanted = set(credential_hashes)
    found: dict[str, Instance] = {}
    for chunk in sorted_chunks(wanted):
        rows = session.execute(select(_INSTANCES).where(_INSTANCES.c.credential_hash.in_(chunk)))
        for row in rows:
            if row.credential_rotate_by is None or now < row.credential_rotate_by:
                found[row.credential_hash] = to_entity(row)
    for credential_hash in sorted(wanted - found.keys()):
        instance = authenticate(session, credential_hash, now)
        if instance is not None:
            found[credential_hash] = instance
    return found


def replace(session: Session, instance_id: str, credential_hash: str | None) -> Instance:
    """Make `credential_hash` the only credential (None: no credential at all, i.e. revoked);
    any rotation under way ends with it."""
    row = _row(session, instance_id)
    row.credential_hash = credential_hash
    row.next_credential_hash = None
    row.credential_rotate_by = None
    session.flush()
    return to_entity(row)


def begin_rotation(session: Session, instance_id: str, rotate_by: datetime) -> Instance:
    """Ask for a rotation: the next heartbeat is answered with a new credential."""
    row = _row(session, instance_id)
    row.credential_rotate_by = rotate_by
    row.next_credential_hash = None
    session.flush()
    return to_entity(row)


def set_next(session: Session, instance_id: str, credential_hash: str) -> None:
    """Record the credential just issued for the rotation (replacing one issued earlier that the
    agent never used: it may never have arrived)."""
    row = _row(session, instance_id)
    row.next_credential_hash = credential_hash
    session.flush()


def has_credential(session: Session, instance_id: str) -> bool:
    row = _row(session, instance_id)
    return row.credential_hash is not None


def _row(session: Session, instance_id: str) -> InstanceRow:
    row = session.get(InstanceRow, instance_id)
    if row is None:
        raise NotFound("instance", instance_id)
    return row
