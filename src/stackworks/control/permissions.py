"""Per-stack permissions: setting and removing them, and what a user may see.

A change to a permission's allow_ssh or allow_sudo (or a permission with SSH appearing or going)
changes who may log in to the stack's instances, so it queues the SSH accounts recipe there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from stackworks.control.ssh_access import refresh_ssh_users
from stackworks.domain.access import (
    Audience,
    Decision,
    Level,
    Permission,
    Principal,
    RouteAccess,
    decide_stack,
)
from stackworks.domain.entities import Stack
from stackworks.domain.users import User
from stackworks.store import permissions as permission_store
from stackworks.wire import schemas


def decide_on_stack(
    session: Session, principal: Principal, stack: Stack | None, shown_as: str, needed: Level
) -> Decision:
    """Whether `principal` may do what needs `needed` on `stack` (None: no such stack), which
    refusals call `shown_as`. The one question the REST routes' declarations and the OpsWorks
    operations both ask, so a level means the same on either API."""
    held = permission_store.held_by(session, principal, stack.id) if stack else Level.DENY
    return decide_stack(RouteAccess(Audience.STACK, needed), principal, shown_as, held)


def visible_stacks(session: Session, principal: Principal, stacks: Iterable[Stack]) -> list[Stack]:
    """The stacks on which `principal` holds at least show."""
    if principal.is_admin:
        return list(stacks)
    explicit = permission_store.levels_for_user(session, principal.user_id)
    return [s for s in stacks if principal.level_on(explicit.get(s.id)).includes(Level.SHOW)]


def _ssh_entry(user: User, permission: Permission | None) -> tuple[bool, bool]:
    """What the permission gives the stack's `ssh_users`: (listed, sudo)."""
    if permission is None or not permission.allow_ssh:
        return (False, False)
    if not (user.ssh_username and user.ssh_public_key):
        return (False, False)
    return (True, permission.allow_sudo)


def set_permission(
    session: Session, stack: Stack, user: User, body: schemas.PermissionSet
) -> Permission:
    """Create or replace the user's permission on the stack; SSH flags left out are kept."""
    before = permission_store.get(session, stack.id, user.id)
    allow_ssh = body.allow_ssh if body.allow_ssh is not None else bool(before and before.allow_ssh)
    allow_sudo = (
        body.allow_sudo if body.allow_sudo is not None else bool(before and before.allow_sudo)
    )
    after = permission_store.put(
        session,
        Permission(
            stack_id=stack.id,
            user_id=user.id,
            level=body.level,
            allow_ssh=allow_ssh,
            allow_sudo=allow_sudo,
        ),
    )
    if _ssh_entry(user, before) != _ssh_entry(user, after):
        refresh_ssh_users(
            session,
            [stack.id],
            f"ssh access of user {user.name!r} changed (ssh {allow_ssh}, sudo {allow_sudo})",
        )
    return after


def remove_permission(session: Session, stack: Stack, user: User) -> bool:
    """Back to the user's default level on the stack; whether there was a permission."""
    before = permission_store.get(session, stack.id, user.id)
    removed = permission_store.remove(session, stack.id, user.id)
    if _ssh_entry(user, before) != (False, False):
        refresh_ssh_users(
            session, [stack.id], f"ssh access of user {user.name!r} removed with its permission"
        )
    return removed
