"""Users: creating and changing them (SSH profiles checked), passwords, tokens, the login.

A change to a user's SSH profile, or the user's deletion, changes the accounts of every stack
where the user has allow_ssh, so it queues the SSH accounts recipe there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from stackworks.control.ssh_access import refresh_ssh_users
from stackworks.domain.errors import Conflict, InvalidInput
from stackworks.domain.ssh_access import check_public_key, check_ssh_username
from stackworks.domain.users import ApiToken, TokenKind, User
from stackworks.store import passwords
from stackworks.store import permissions as permission_store
from stackworks.store import tokens as token_store
from stackworks.store import users as user_store
from stackworks.store.tables import utcnow
from stackworks.wire import schemas

#: how long a console login's token lasts
LOGIN_LIFETIME = timedelta(hours=12)


def _ssh_profile(username: str | None, key: str | None) -> tuple[str | None, str | None]:
    return (
        check_ssh_username(username) if username is not None else None,
        check_public_key(key) if key is not None else None,
    )


def create_user(session: Session, body: schemas.UserCreate) -> User:
    username, key = _ssh_profile(body.ssh_username, body.ssh_public_key)
    if (username is None) != (key is None):
        field = "ssh_public_key" if key is None else "ssh_username"
        raise InvalidInput(f"{field}: an SSH profile needs both a username and a key", field=field)
    return user_store.create(
        session,
        body.name,
        is_admin=body.admin,
        default_level=body.default_level,
        ssh_username=username,
        ssh_public_key=key,
    )


def update_user(session: Session, user: User, body: schemas.UserUpdate, *, by: str) -> User:
    """Change a user; `by` (the caller) cannot take their own admin flag away, so a server never
    loses its last admin by a slip."""
    if body.admin is False and user.is_admin and user.name == by:
        raise Conflict("admin: a server admin cannot take away their own admin flag", field="admin")
    if body.clear_ssh and (body.ssh_username is not None or body.ssh_public_key is not None):
        raise InvalidInput(
            "clear_ssh: cannot clear and set the SSH profile at once", field="clear_ssh"
        )
    username, key = _ssh_profile(body.ssh_username, body.ssh_public_key)
    if username is not None and key is None and user.ssh_public_key is None:
        raise InvalidInput("ssh_public_key: an SSH profile needs a key", field="ssh_public_key")
    if key is not None and username is None and user.ssh_username is None:
        raise InvalidInput("ssh_username: an SSH profile needs a username", field="ssh_username")
    updated = user_store.update(
        session,
        user.id,
        is_admin=body.admin,
        default_level=body.default_level,
        ssh_username=username,
        ssh_public_key=key,
        clear_ssh=body.clear_ssh,
    )
    if (updated.ssh_username, updated.ssh_public_key) != (user.ssh_username, user.ssh_public_key):
        refresh_ssh_users(
            session,
            permission_store.stacks_with_ssh(session, user.id),
            f"ssh profile of user {user.name!r} changed",
        )
    return updated


def delete_user(session: Session, user: User, *, by: str) -> None:
    if user.name == by:
        raise Conflict("name: a user cannot delete themselves", field="name")
    ssh_stacks = permission_store.stacks_with_ssh(session, user.id)
    user_store.delete(session, user.id)
    if user.ssh_username:
        refresh_ssh_users(session, ssh_stacks, f"user {user.name!r} deleted")


def set_password(session: Session, user: User, password: str) -> None:
    if not passwords.MIN_LENGTH <= len(password) <= passwords.MAX_LENGTH:
        raise InvalidInput(
            f"password: expected {passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters",
            field="password",
        )
    user_store.set_password_hash(session, user.id, passwords.hash_password(password))


def check_own_password(session: Session, user: User, current: str | None) -> bool:
    """Whether a user changing their own password proved they know the one they have."""
    if not user.has_password:
        return True
    found = user_store.password_hash(session, user.name)
    return current is not None and found is not None and passwords.verify(found[1], current)


def _free_token_name(session: Session, user: User) -> str:
    taken = {t.name for t in token_store.list_for_user(session, user.id)}
    number = len(taken) + 1
    while f"token-{number}" in taken:
        number += 1
    return f"token-{number}"


def issue_token(
    session: Session, user: User, body: schemas.UserTokenCreate
) -> tuple[str, ApiToken]:
    name = body.name or _free_token_name(session, user)
    expires_at = utcnow() + timedelta(seconds=body.expires_in) if body.expires_in else None
    return token_store.create(session, user.id, name, expires_at=expires_at)


def login(session: Session, name: str, password: str) -> tuple[User, str, datetime] | None:
    """A new expiring token for the user if the password is right; None otherwise (the same
    answer, after the same work, for an unknown name)."""
    found = user_store.password_hash(session, name)
    if not passwords.verify(found[1] if found else None, password) or found is None:
        return None
    user = found[0]
    now = utcnow()
    token_store.delete_expired(session, user.id, now)
    expires_at = now + LOGIN_LIFETIME
    token, _ = token_store.create(
        session,
        user.id,
        f"login-{now:%Y%m%d%H%M%S}-{token_store.new_secret('x')[2:8]}",
        kind=TokenKind.LOGIN,
        expires_at=expires_at,
    )
    return user, token, expires_at
