"""Per-stack permissions in the store: one row per (stack, user) given one explicitly."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.access import Level, Permission, Principal
from stackworks.domain.ssh_access import SshUser, ssh_users
from stackworks.domain.users import User
from stackworks.store import users as user_store
from stackworks.store.tables import PermissionRow, StackRow, UserRow, utcnow


def to_entity(row: PermissionRow) -> Permission:
    return Permission(
        stack_id=row.stack_id,
        user_id=row.user_id,
        level=Level(row.level),
        allow_ssh=row.allow_ssh,
        allow_sudo=row.allow_sudo,
    )


def get(session: Session, stack_id: str, user_id: str) -> Permission | None:
    row = session.get(PermissionRow, (stack_id, user_id))
    return to_entity(row) if row else None


def level(session: Session, stack_id: str, user_id: str) -> Level | None:
    """The explicit level the user holds on the stack, or None where the default applies."""
    value = session.scalar(
        select(PermissionRow.level).where(
            PermissionRow.stack_id == stack_id, PermissionRow.user_id == user_id
        )
    )
    return Level(value) if value is not None else None


def held_by(session: Session, principal: Principal, stack_id: str) -> Level:
    """The level `principal` holds on the stack: their explicit permission there, or their
    default level (a server admin holds manage everywhere)."""
    return principal.level_on(level(session, stack_id, principal.user_id))


def levels_for_user(session: Session, user_id: str) -> dict[str, Level]:
    """Stack id -> explicit level, for every stack the user has a permission on."""
    rows = session.execute(
        select(PermissionRow.stack_id, PermissionRow.level).where(PermissionRow.user_id == user_id)
    )
    return {stack_id: Level(value) for stack_id, value in rows}


def put(session: Session, permission: Permission) -> Permission:
    """Set (create or replace) the user's permission on the stack."""
    row = session.get(PermissionRow, (permission.stack_id, permission.user_id))
    if row is None:
        row = PermissionRow(stack_id=permission.stack_id, user_id=permission.user_id)
        session.add(row)
    row.level = permission.level.value
    row.allow_ssh = permission.allow_ssh
    row.allow_sudo = permission.allow_sudo
    row.updated_at = utcnow()
    session.flush()
    return to_entity(row)


def remove(session: Session, stack_id: str, user_id: str) -> bool:
    row = session.get(PermissionRow, (stack_id, user_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def list_for_stack(session: Session, stack_id: str) -> list[tuple[User, Permission]]:
    rows = session.execute(
        select(UserRow, PermissionRow)
        .join(PermissionRow, PermissionRow.user_id == UserRow.id)
        .where(PermissionRow.stack_id == stack_id)
        .order_by(UserRow.name)
    )
    return [(user_store.to_entity(user), to_entity(row)) for user, row in rows]


def stacks_with_ssh(session: Session, user_id: str) -> list[str]:
    """Ids of the stacks whose instances the user may log in to."""
    return list(
        session.scalars(
            select(PermissionRow.stack_id).where(
                PermissionRow.user_id == user_id, PermissionRow.allow_ssh.is_(True)
            )
        )
    )


def ssh_users_of(session: Session, stack_id: str) -> list[SshUser]:
    """The accounts the stack's instances should have: its configuration's `ssh_users`."""
    rows = session.execute(
        select(
            UserRow.ssh_username,
            UserRow.ssh_public_key,
            PermissionRow.allow_ssh,
            PermissionRow.allow_sudo,
        )
        .join(PermissionRow, PermissionRow.user_id == UserRow.id)
        .where(PermissionRow.stack_id == stack_id)
    )
    return ssh_users((name, key, bool(ssh), bool(sudo)) for name, key, ssh, sudo in rows)


def list_for_user(session: Session, user_id: str) -> list[tuple[str, Permission]]:
    """(stack name, permission) for every stack the user has an explicit permission on."""
    rows = session.execute(
        select(StackRow.name, PermissionRow)
        .join(PermissionRow, PermissionRow.stack_id == StackRow.id)
        .where(PermissionRow.user_id == user_id)
        .order_by(StackRow.name)
    )
    return [(name, to_entity(row)) for name, row in rows]
