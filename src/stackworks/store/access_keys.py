"""Users' access keys for the OpsWorks API: made, listed, deactivated, deleted, and looked up
by the SigV4 check. The secret is sealed with the server key (`keyring.of(session)`) and comes
out in clear only twice: once to the user who makes the key, and to `find_signing_key` for a
signature check, which never returns it beyond the server process.

`last_used_at` is written at most once a `tokens.LAST_USED_RESOLUTION`, as for API tokens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stackworks.domain.access import Principal
from stackworks.domain.access_keys import (
    KEY_ID_ALPHABET,
    KEY_ID_PREFIX,
    MAX_KEYS_PER_USER,
    AccessKey,
    AccessKeyStatus,
)
from stackworks.domain.errors import Conflict, NotFound
from stackworks.store import keyring as keyrings
from stackworks.store import users as user_store
from stackworks.store.tables import AccessKeyRow, UserRow, utcnow
from stackworks.store.tokens import LAST_USED_RESOLUTION

SECRET_BYTES = 30  # 40 characters of url-safe base64, as long as an AWS secret


def new_key_id() -> str:
    return KEY_ID_PREFIX + "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(16))


def _entity(row: AccessKeyRow, user_name: str) -> AccessKey:
    return AccessKey(
        id=row.id,
        user_name=user_name,
        status=AccessKeyStatus(row.status),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


def create(session: Session, user_id: str) -> tuple[AccessKey, str]:
    """A new active key for the user, and its secret (its only appearance in clear)."""
    user = user_store.get(session, user_id)
    held = session.scalar(
        select(func.count()).select_from(AccessKeyRow).where(AccessKeyRow.user_id == user_id)
    )
    if (held or 0) >= MAX_KEYS_PER_USER:
        raise Conflict(
            f"user {user.name!r} already has {MAX_KEYS_PER_USER} access keys; "
            "delete one before making another"
        )
    secret = secrets.token_urlsafe(SECRET_BYTES)
    key_id = new_key_id()
    while session.get(AccessKeyRow, key_id) is not None:  # 32**16 ids: a clash is theoretical
        key_id = new_key_id()
    row = AccessKeyRow(
        id=key_id,
        user_id=user_id,
        secret_sealed=keyrings.of(session).seal(secret),
        status=AccessKeyStatus.ACTIVE.value,
    )
    session.add(row)
    session.flush()
    return _entity(row, user.name), secret


def list_for_user(session: Session, user_id: str) -> list[AccessKey]:
    user = user_store.get(session, user_id)
    rows = session.scalars(
        select(AccessKeyRow)
        .where(AccessKeyRow.user_id == user_id)
        .order_by(AccessKeyRow.created_at, AccessKeyRow.id)
    )
    return [_entity(row, user.name) for row in rows]


def _row(session: Session, user_id: str, key_id: str) -> AccessKeyRow:
    row = session.get(AccessKeyRow, key_id)
    if row is None or row.user_id != user_id:
        raise NotFound("access key", key_id)
    return row


def set_status(session: Session, user_id: str, key_id: str, status: AccessKeyStatus) -> AccessKey:
    row = _row(session, user_id, key_id)
    row.status = status.value
    session.flush()
    return _entity(row, user_store.get(session, user_id).name)


def delete(session: Session, user_id: str, key_id: str) -> None:
    session.delete(_row(session, user_id, key_id))
    session.flush()


@dataclass(frozen=True)
class SigningKey:
    """An access key as the signature check needs it: whose, whether usable, the secret."""

    key_id: str
    principal: Principal
    active: bool
    secret: str

    def __repr__(self) -> str:  # never the secret, whatever logs a SigningKey
        return f"SigningKey({self.key_id!r}, user={self.principal.name!r}, active={self.active})"


def find_signing_key(session: Session, key_id: str) -> SigningKey | None:
    """The key `key_id` with its secret opened, or None for a key the server does not know."""
    found = session.execute(
        select(AccessKeyRow, UserRow)
        .join(UserRow, UserRow.id == AccessKeyRow.user_id)
        .where(AccessKeyRow.id == key_id)
    ).first()
    if found is None:
        return None
    row, user = found
    return SigningKey(
        key_id=row.id,
        principal=user_store.to_entity(user).principal(),
        active=row.status == AccessKeyStatus.ACTIVE.value,
        secret=keyrings.of(session).open(row.secret_sealed),
    )


def mark_used(session: Session, key_id: str, now: datetime | None = None) -> None:
    """Note that the key signed a request just now (at most one write a minute per key)."""
    now = now or utcnow()
    row = session.get(AccessKeyRow, key_id)
    if row is not None and (
        row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION
    ):
        row.last_used_at = now
        session.flush()
