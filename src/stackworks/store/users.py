"""Users in the store: names, the admin flag, the default level and the SSH profile.

Profile values are checked by the caller (control/users.py) before they get here; this module
keeps the rows and their uniqueness.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.access import Level
from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.users import User
from stackworks.store.ids import new_id
from stackworks.store.tables import UserRow


def to_entity(row: UserRow) -> User:
    return User(
        id=row.id,
        name=row.name,
        is_admin=row.is_admin,
        default_level=Level(row.default_level),
        ssh_username=row.ssh_username,
        ssh_public_key=row.ssh_public_key,
        has_password=row.password_hash is not None,
        created_at=row.created_at,
    )


def row_by_name(session: Session, name: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise NotFound("user", name)
    return row


def get_by_name(session: Session, name: str) -> User:
    return to_entity(row_by_name(session, name))


def get(session: Session, user_id: str) -> User:
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFound("user", user_id)
    return to_entity(row)


def any_exist(session: Session) -> bool:
    return session.scalar(select(UserRow.id).limit(1)) is not None


def exists(session: Session, name: str) -> bool:
    return session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None


def create(
    session: Session,
    name: str,
    *,
    is_admin: bool = False,
    default_level: Level = Level.DENY,
    ssh_username: str | None = None,
    ssh_public_key: str | None = None,
) -> User:
    if exists(session, name):
        raise Conflict(f"name: a user named {name!r} already exists", field="name")
    _check_ssh_username_free(session, ssh_username, None)
    row = UserRow(
        id=new_id(),
        name=name,
        is_admin=is_admin,
        default_level=default_level.value,
        ssh_username=ssh_username,
        ssh_public_key=ssh_public_key,
    )
    session.add(row)
    session.flush()
    return to_entity(row)


def update(
    session: Session,
    user_id: str,
    *,
    is_admin: bool | None = None,
    default_level: Level | None = None,
    ssh_username: str | None = None,
    ssh_public_key: str | None = None,
    clear_ssh: bool = False,
) -> User:
    """Change the fields given (None keeps a field); `clear_ssh` removes the SSH profile."""
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFound("user", user_id)
    if is_admin is not None:
        row.is_admin = is_admin
    if default_level is not None:
        row.default_level = default_level.value
    if clear_ssh:
        row.ssh_username = None
        row.ssh_public_key = None
    if ssh_username is not None:
        _check_ssh_username_free(session, ssh_username, user_id)
        row.ssh_username = ssh_username
    if ssh_public_key is not None:
        row.ssh_public_key = ssh_public_key
    session.flush()
    return to_entity(row)


def set_password_hash(session: Session, user_id: str, password_hash: str | None) -> None:
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFound("user", user_id)
    row.password_hash = password_hash
    session.flush()


def password_hash(session: Session, name: str) -> tuple[User, str] | None:
    """The user named `name` and their password hash, or None if either is missing."""
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    if row is None or row.password_hash is None:
        return None
    return to_entity(row), row.password_hash


def list_all(session: Session) -> list[User]:
    return [to_entity(row) for row in session.scalars(select(UserRow).order_by(UserRow.name))]


def delete(session: Session, user_id: str) -> None:
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFound("user", user_id)
    session.delete(row)
    session.flush()


def _check_ssh_username_free(
    session: Session, ssh_username: str | None, user_id: str | None
) -> None:
    if ssh_username is None:
        return
    holder = session.scalar(select(UserRow).where(UserRow.ssh_username == ssh_username))
    if holder is not None and holder.id != user_id:
        raise Conflict(
            f"ssh_username: {ssh_username!r} is already user {holder.name!r}'s login",
            field="ssh_username",
        )
