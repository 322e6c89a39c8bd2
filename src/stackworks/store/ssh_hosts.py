"""How the server reaches its `ssh` instances: target, sealed private key, pinned host key.

The private key is sealed with the server key on the way in and opened only for the provider
(`access`); nothing here returns it to an API answer. `HostBook` is what the SSH provider is
given to read access and pin host keys with, each call in a transaction of its own: the
provider runs outside the orchestrator's transactions (providers/ssh.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.errors import NotFound
from stackworks.domain.ssh_targets import SshAccess, SshTarget, parse_target
from stackworks.store import keyring as keyrings
from stackworks.store.db import Database
from stackworks.store.tables import InstanceSshHostRow, LayerRow, LayerSshDefaultRow, utcnow


def record(session: Session, instance_id: str, target: SshTarget, private_key: str) -> None:
    """Keep how to reach a new instance (its key sealed)."""
    session.add(
        InstanceSshHostRow(
            instance_id=instance_id,
            target=str(target),
            key_sealed=keyrings.of(session).seal(private_key),
        )
    )
    session.flush()


def target_of(session: Session, instance_id: str) -> tuple[str, str | None] | None:
    """(target, pinned host key) of an instance, None when it is not an ssh one: no secret."""
    row = session.get(InstanceSshHostRow, instance_id)
    return None if row is None else (row.target, row.host_key)


def targets(session: Session, instance_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    rows = session.scalars(
        select(InstanceSshHostRow).where(InstanceSshHostRow.instance_id.in_(instance_ids))
    )
    return {row.instance_id: (row.target, row.host_key) for row in rows}


def access(session: Session, instance_id: str) -> SshAccess:
    row = session.get(InstanceSshHostRow, instance_id)
    if row is None:
        raise NotFound("ssh host of instance", instance_id)
    return SshAccess(
        target=parse_target(row.target),
        private_key=keyrings.of(session).open(row.key_sealed),
        host_key=row.host_key,
    )


def pin(session: Session, instance_id: str, fingerprint: str) -> None:
    """Pin (or, when a user accepts a new key, re-pin) the instance's host key."""
    row = session.get(InstanceSshHostRow, instance_id)
    if row is None:
        raise NotFound("ssh host of instance", instance_id)
    row.host_key = fingerprint
    row.host_key_pinned_at = utcnow()
    session.flush()


# --- a layer's default key ----------------------------------------------------------------


def set_layer_default(session: Session, layer_id: str, private_key: str, fingerprint: str) -> None:
    row = session.get(LayerSshDefaultRow, layer_id)
    if row is None:
        row = LayerSshDefaultRow(layer_id=layer_id, key_sealed="", key_fingerprint="")
        session.add(row)
    row.key_sealed = keyrings.of(session).seal(private_key)
    row.key_fingerprint = fingerprint
    session.flush()


def clear_layer_default(session: Session, layer_id: str) -> bool:
    row = session.get(LayerSshDefaultRow, layer_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def layer_default_fingerprint(session: Session, layer_id: str) -> str | None:
    row = session.get(LayerSshDefaultRow, layer_id)
    return None if row is None else row.key_fingerprint


def default_key_for(session: Session, stack_id: str, shortnames: list[str]) -> str | None:
    """The default key of the first of these layers that has one (None: none has)."""
    rows = session.execute(
        select(LayerRow.shortname, LayerSshDefaultRow.key_sealed)
        .join(LayerSshDefaultRow, LayerSshDefaultRow.layer_id == LayerRow.id)
        .where(LayerRow.stack_id == stack_id, LayerRow.shortname.in_(shortnames))
    ).all()
    sealed = {shortname: key for shortname, key in rows}
    for shortname in shortnames:
        if shortname in sealed:
            return keyrings.of(session).open(sealed[shortname])
    return None


class HostBook:
    """The SSH provider's view of this store, over the server's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def access(self, instance_id: str) -> SshAccess:
        with self.db.transaction() as session:
            return access(session, instance_id)

    def pin(self, instance_id: str, fingerprint: str) -> None:
        with self.db.transaction() as session:
            pin(session, instance_id, fingerprint)
