"""/stacks/{stack}/permissions: who holds which level on the stack (manage level needed).

OpsWorks' DescribePermissions and SetPermission. A user without an explicit permission holds
their default level (deny, or deploy for users that came from a deploy token).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from stackworks.api.access import ManageStack
from stackworks.api.deps import DatabaseDep, SignalDep, stack_named
from stackworks.control import permissions as permission_control
from stackworks.domain.errors import NotFound
from stackworks.store import permissions as permission_store
from stackworks.store import users as user_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks/{stack}/permissions", tags=["permissions"])


@router.get("")
def list_permissions(
    stack: str, db: DatabaseDep, _manager: ManageStack
) -> list[schemas.StackPermissionOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return [
            presenters.permission_out(found.name, user, permission)
            for user, permission in permission_store.list_for_stack(session, found.id)
        ]


@router.put("/{user}")
def set_permission(
    stack: str,
    user: str,
    body: schemas.PermissionSet,
    db: DatabaseDep,
    signal: SignalDep,
    _manager: ManageStack,
) -> schemas.StackPermissionOut:
    """Set the user's level and SSH flags on the stack; SSH changes reach its instances."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        target = user_store.get_by_name(session, user)
        permission = permission_control.set_permission(session, found, target, body)
        out = presenters.permission_out(found.name, target, permission)
    signal.bump()
    return out


@router.delete("/{user}", status_code=204)
def remove_permission(
    stack: str, user: str, db: DatabaseDep, signal: SignalDep, _manager: ManageStack
) -> Response:
    """Back to the user's default level on the stack."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        target = user_store.get_by_name(session, user)
        if not permission_control.remove_permission(session, found, target):
            raise NotFound("permission", f"{user} on {stack}")
    signal.bump()
    return Response(status_code=204)
