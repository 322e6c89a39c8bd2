"""Per-stack permissions: SetPermission and DescribePermissions, the REST API's permissions.

Setting one needs manage on the stack. Reading: a stack's permissions need manage there; one's
own (IamUserArn naming the caller) need only show; a server admin sees everyone's. A user with
no explicit permission on a stack holds their default level there (deny unless set), which is
what the answer for that user and stack says, with AllowSsh and AllowSudo false.
"""

from __future__ import annotations

from typing import Any

from stackworks.control import permissions as permission_control
from stackworks.domain.access import Level, Permission
from stackworks.domain.users import User
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import users as translate
from stackworks.opsworks.translate.common import user_name
from stackworks.store import permissions as permission_store
from stackworks.store import users as user_store


def _user(ctx: Context, arn: str) -> User:
    return user_store.get_by_name(ctx.session, user_name(arn))


def held(ctx: Context, user: User, stack_id: str) -> Permission:
    """The user's explicit permission on the stack, or the default level they hold there."""
    explicit = permission_store.get(ctx.session, stack_id, user.id)
    if explicit is not None:
        return explicit
    level = permission_store.held_by(ctx.session, user.principal(), stack_id)
    return Permission(stack_id=stack_id, user_id=user.id, level=level)


@operation("SetPermission")
def set_permission(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    user = _user(ctx, params["IamUserArn"])
    body = translate.permission_set(params, held(ctx, user, stack.id).level)
    permission_control.set_permission(ctx.session, stack, user, body)
    ctx.wake_agents = True
    return {}


@operation("DescribePermissions")
def describe_permissions(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack_id, arn = params.get("StackId"), params.get("IamUserArn")
    if not arn:
        if not stack_id:
            raise ValidationException("DescribePermissions: give a StackId, an IamUserArn or both")
        stack = ctx.stack(stack_id, Level.MANAGE)
        pairs = permission_store.list_for_stack(ctx.session, stack.id)
        return {"Permissions": [translate.permission_shape(stack.id, u, p) for u, p in pairs]}
    user = _user(ctx, arn)
    own = user.id == ctx.principal.user_id
    if stack_id:
        stack = ctx.stack(stack_id, Level.SHOW if own else Level.MANAGE)
        shape = translate.permission_shape(stack.id, user, held(ctx, user, stack.id))
        return {"Permissions": [shape]}
    managed = {
        s.id
        for s in ctx.visible_stacks()
        if own or permission_store.held_by(ctx.session, ctx.principal, s.id).includes(Level.MANAGE)
    }
    return {
        "Permissions": [
            translate.permission_shape(p.stack_id, user, p)
            for _name, p in permission_store.list_for_user(ctx.session, user.id)
            if p.stack_id in managed
        ]
    }
