"""Users' API tokens. Only a SHA-256 of each token is stored; the token itself is shown once.

Tokens are 32 random bytes, so a plain SHA-256 is enough to make a stolen table useless (a slow
hash protects guessable passwords, not random keys) and lets a request find its token by one
indexed lookup. `last_used_at` is written at most once a `LAST_USED_RESOLUTION`, so a busy CI
token does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.access import Principal
from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.users import ApiToken, TokenKind
from stackworks.store import users as user_store
from stackworks.store.ids import new_id
from stackworks.store.tables import TokenRow, UserRow, utcnow

LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def to_entity(row: TokenRow) -> ApiToken:
    return ApiToken(
        name=row.name,
        kind=TokenKind(row.kind),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def create(
    session: Session,
    user_id: str,
    name: str,
    *,
    kind: TokenKind = TokenKind.API,
    expires_at: datetime | None = None,
) -> tuple[str, ApiToken]:
    """Make a token for the user; returns the token (its only appearance in clear) and its
    record."""
    taken = session.scalar(
        select(TokenRow.id).where(TokenRow.user_id == user_id, TokenRow.name == name)
    )
    if taken is not None:
        raise Conflict(f"name: the user already has a token named {name!r}", field="name")
    token = new_secret("swk")
    row = TokenRow(
        id=new_id(),
        user_id=user_id,
        name=name,
        token_hash=hash_token(token),
        kind=kind.value,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return token, to_entity(row)


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    token_name: str


def authenticate(session: Session, token: str, now: datetime | None = None) -> Authenticated | str:
    """The user a token stands for, or why it does not (a message for a 401)."""
    now = now or utcnow()
    found = session.execute(
        select(TokenRow, UserRow)
        .join(UserRow, UserRow.id == TokenRow.user_id)
        .where(TokenRow.token_hash == hash_token(token))
    ).first()
    if found is None:
        return "invalid API token"
    row, user = found
    if row.expires_at is not None and row.expires_at <= now:
        return "API token expired"
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return Authenticated(user_store.to_entity(user).principal(), row.name)


def list_for_user(session: Session, user_id: str) -> list[ApiToken]:
    rows = session.scalars(
        select(TokenRow).where(TokenRow.user_id == user_id).order_by(TokenRow.name)
    )
    return [to_entity(row) for row in rows]


def get(session: Session, user_id: str, name: str) -> ApiToken:
    row = session.scalar(select(TokenRow).where(TokenRow.user_id == user_id, TokenRow.name == name))
    if row is None:
        raise NotFound("token", name)
    return to_entity(row)


def revoke(session: Session, user_id: str, name: str) -> None:
    row = session.scalar(select(TokenRow).where(TokenRow.user_id == user_id, TokenRow.name == name))
    if row is None:
        raise NotFound("token", name)
    session.delete(row)
    session.flush()


def delete_expired(session: Session, user_id: str, now: datetime | None = None) -> int:
    """Forget the user's expired tokens (each login would otherwise leave one behind)."""
    result = session.execute(
        sql_delete(TokenRow).where(
            TokenRow.user_id == user_id,
            TokenRow.expires_at.is_not(None),
            TokenRow.expires_at <= (now or utcnow()),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def revoke_secret(session: Session, token: str) -> None:
    """Forget the token itself (a console logout ends its session token); no-op if unknown."""
    session.execute(sql_delete(TokenRow).where(TokenRow.token_hash == hash_token(token)))
