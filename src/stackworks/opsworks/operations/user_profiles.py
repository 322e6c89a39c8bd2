"""User profiles: Create/Describe/Update/DeleteUserProfile (server admins, as `/users`) and
Describe/UpdateMyUserProfile (any user, as `/me`).

An IamUserArn names a Stackworks user (translate/users.py). CreateUserProfile makes the user,
with deny on every stack until SetPermission, or, for a user that exists already (made with
`stackworks user create`, say), sets the SSH profile given: a migration script that imports
its IAM users runs again unchanged.
"""

from __future__ import annotations

from typing import Any

from stackworks.control import users as user_control
from stackworks.opsworks.context import Context
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import users as translate
from stackworks.opsworks.translate.common import user_arn, user_name
from stackworks.store import users as user_store
from stackworks.wire import schemas


@operation("CreateUserProfile")
def create_user_profile(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ctx.require_admin("CreateUserProfile")
    body = translate.profile_create(params)
    if user_store.exists(ctx.session, body.name):
        existing = user_store.get_by_name(ctx.session, body.name)
        keeps_username = existing.ssh_username is not None and not params.get("SshUsername")
        change = schemas.UserUpdate(
            ssh_username=None if keeps_username else body.ssh_username,
            ssh_public_key=body.ssh_public_key,
        )
        if change.ssh_public_key or change.ssh_username:
            user_control.update_user(ctx.session, existing, change, by=ctx.principal.name)
            ctx.wake_agents = True
        return {"IamUserArn": user_arn(existing.name)}
    created = user_control.create_user(ctx.session, body)
    return {"IamUserArn": user_arn(created.name)}


@operation("DescribeUserProfiles")
def describe_user_profiles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ctx.require_admin("DescribeUserProfiles")
    if params.get("IamUserArns"):
        found = [user_store.get_by_name(ctx.session, user_name(a)) for a in params["IamUserArns"]]
    else:
        found = user_store.list_all(ctx.session)
    return {"UserProfiles": [translate.profile_shape(user) for user in found]}


@operation("UpdateUserProfile")
def update_user_profile(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ctx.require_admin("UpdateUserProfile")
    user = user_store.get_by_name(ctx.session, user_name(params["IamUserArn"]))
    body = translate.profile_update(params)
    user_control.update_user(ctx.session, user, body, by=ctx.principal.name)
    ctx.wake_agents = True
    return {}


@operation("DeleteUserProfile")
def delete_user_profile(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Deletes the Stackworks user, with their tokens, access keys and permissions."""
    ctx.require_admin("DeleteUserProfile")
    user = user_store.get_by_name(ctx.session, user_name(params["IamUserArn"]))
    user_control.delete_user(ctx.session, user, by=ctx.principal.name)
    ctx.wake_agents = True
    return {}


@operation("DescribeMyUserProfile")
def describe_my_user_profile(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user = user_store.get(ctx.session, ctx.principal.user_id)
    return {"UserProfile": translate.self_profile_shape(user)}


@operation("UpdateMyUserProfile")
def update_my_user_profile(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """One's own SSH public key; the SSH username stays the admin's to set, as on `/me`."""
    if not params.get("SshPublicKey"):
        return {}
    user = user_store.get(ctx.session, ctx.principal.user_id)
    change = schemas.UserUpdate(ssh_public_key=params["SshPublicKey"])
    user_control.update_user(ctx.session, user, change, by=ctx.principal.name)
    ctx.wake_agents = True
    return {}
