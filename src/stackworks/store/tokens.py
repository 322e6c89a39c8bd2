"""User API tokens. Only a SHA-256 of each token is stored; the token itself is shown once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.access import Principal, Role
from stackworks.domain.errors import Conflict, NotFound
from stackworks.store.ids import new_id
from stackworks.store.tables import TokenRow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def create(session: Session, name: str, role: Role = Role.ADMIN) -> str:
    """Make a token named `name`; returns the token (its only appearance in clear)."""
    if exists(session, name):
        raise Conflict(f"name: a token named {name!r} already exists", field="name")
    token = new_secret("swk")
    session.add(TokenRow(id=new_id(), name=name, token_hash=hash_token(token), role=role.value))
    session.flush()
    return token


def principal_for(session: Session, token: str) -> Principal | None:
    row = session.scalar(select(TokenRow).where(TokenRow.token_hash == hash_token(token)))
    return Principal(name=row.name, role=Role(row.role)) if row else None


def exists(session: Session, name: str) -> bool:
    return session.scalar(select(TokenRow.id).where(TokenRow.name == name)) is not None


def list_all(session: Session) -> list[tuple[str, Role, datetime]]:
    rows = session.scalars(select(TokenRow).order_by(TokenRow.name))
    return [(row.name, Role(row.role), row.created_at) for row in rows]


def delete(session: Session, name: str) -> None:
    row = session.scalar(select(TokenRow).where(TokenRow.name == name))
    if row is None:
        raise NotFound("token", name)
    session.delete(row)
    session.flush()
