"""User API tokens. Only a SHA-256 of each token is stored; the token itself is shown once."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.store.ids import new_id
from stackworks.store.tables import TokenRow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def create(session: Session, name: str) -> str:
    """Make a token named `name`; returns the token (its only appearance in clear)."""
    token = new_secret("swk")
    session.add(TokenRow(id=new_id(), name=name, token_hash=hash_token(token)))
    session.flush()
    return token


def name_for(session: Session, token: str) -> str | None:
    return session.scalar(select(TokenRow.name).where(TokenRow.token_hash == hash_token(token)))


def exists(session: Session, name: str) -> bool:
    return session.scalar(select(TokenRow.id).where(TokenRow.name == name)) is not None
