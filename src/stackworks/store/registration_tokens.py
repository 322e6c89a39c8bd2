"""Registration tokens in the store: one host, one stack, one use, before they expire.

Only a SHA-256 of each token is kept; the token itself is shown once, to the user who asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from stackworks.domain.errors import Unauthenticated
from stackworks.store.ids import new_id
from stackworks.store.tables import RegistrationTokenRow, utcnow
from stackworks.store.tokens import hash_token, new_secret


@dataclass(frozen=True)
class IssuedToken:
    token: str  # its only appearance in clear
    expires_at: datetime


def create(session: Session, stack_id: str, created_by: str, expires_at: datetime) -> IssuedToken:
    token = new_secret("swr")
    session.add(
        RegistrationTokenRow(
            id=new_id(),
            stack_id=stack_id,
            token_hash=hash_token(token),
            created_by=created_by,
            created_at=utcnow(),
            expires_at=expires_at,
        )
    )
    session.flush()
    return IssuedToken(token=token, expires_at=expires_at)


def redeem(session: Session, token: str, now: datetime | None = None) -> RegistrationTokenRow:
    """Mark the token used and return it; Unauthenticated says why not.

    One conditional update does it, so of two hosts presenting the same token at once, one wins.
    The caller's transaction rolling back (a bad layer name, say) leaves the token unused."""
    now = now or utcnow()
    token_hash = hash_token(token)
    taken = session.execute(
        update(RegistrationTokenRow)
        .where(
            RegistrationTokenRow.token_hash == token_hash,
            RegistrationTokenRow.used_at.is_(None),
            RegistrationTokenRow.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    row = session.scalar(
        select(RegistrationTokenRow)
        .where(RegistrationTokenRow.token_hash == token_hash)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise Unauthenticated("unknown registration token")
    if getattr(taken, "rowcount", 0) != 1:
        if row.used_at is not None:
            raise Unauthenticated(
                f"this registration token was already used at {row.used_at:%Y-%m-%d %H:%M:%S} "
                "UTC; ask for a new one (stackworks instance register-token)"
            )
        raise Unauthenticated(
            f"this registration token expired at {row.expires_at:%Y-%m-%d %H:%M:%S} UTC; "
            "ask for a new one (stackworks instance register-token)"
        )
    return row


def mark_instance(session: Session, row: RegistrationTokenRow, instance_id: str) -> None:
    row.instance_id = instance_id
    session.flush()
