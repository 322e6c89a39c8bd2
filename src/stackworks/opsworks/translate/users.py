"""User profiles and permissions. An IamUserArn names a Stackworks user by its last path
segment (`arn:aws:iam::123456789012:user/ann` is user `ann`); answers carry
`arn:aws:iam::000000000000:user/NAME`. A profile is the user's SSH username and public key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stackworks.domain.access import Level, Permission
from stackworks.domain.errors import InvalidInput
from stackworks.domain.users import User
from stackworks.opsworks.shapes import drop_none
from stackworks.opsworks.translate.common import user_arn, user_name
from stackworks.wire import schemas

_LEVELS = {level.value: level for level in Level}


def _self_management(request: Mapping[str, Any]) -> None:
    if request.get("AllowSelfManagement") is False:
        raise InvalidInput(
            "AllowSelfManagement: every Stackworks user may set their own SSH public key "
            "(UpdateMyUserProfile); it cannot be turned off, so leave it out or true",
            field="AllowSelfManagement",
        )


def ssh_username_from(name: str) -> str:
    """OpsWorks' default SshUsername: the user name, lowercase, without punctuation."""
    return re.sub(r"[^a-z0-9]", "", name.lower())[:32] or name.lower()


def profile_create(request: Mapping[str, Any]) -> schemas.UserCreate:
    """A new user with deny on every stack until SetPermission, and the SSH profile given."""
    _self_management(request)
    name = user_name(request["IamUserArn"])
    key = request.get("SshPublicKey") or None
    username = request.get("SshUsername") or (ssh_username_from(name) if key else None)
    return schemas.UserCreate(
        name=name, default_level=Level.DENY, ssh_username=username, ssh_public_key=key
    )


def profile_update(request: Mapping[str, Any]) -> schemas.UserUpdate:
    _self_management(request)
    return schemas.UserUpdate(
        ssh_username=request.get("SshUsername") or None,
        ssh_public_key=request.get("SshPublicKey") or None,
    )


def profile_shape(user: User) -> dict[str, Any]:
    return drop_none(
        {
            "IamUserArn": user_arn(user.name),
            "Name": user.name,
            "SshUsername": user.ssh_username,
            "SshPublicKey": user.ssh_public_key,
            "AllowSelfManagement": True,
        }
    )


def self_profile_shape(user: User) -> dict[str, Any]:
    shape = profile_shape(user)
    shape.pop("AllowSelfManagement")
    return shape


def level_in(text: str, field: str = "Level") -> Level:
    if text == "iam_only":
        raise InvalidInput(
            f"{field}: Stackworks has no IAM policies to defer to; give deny, show, deploy or "
            "manage",
            field=field,
        )
    if text not in _LEVELS:
        raise InvalidInput(
            f"{field}: {text!r} is not a level; use deny, show, deploy or manage", field=field
        )
    return _LEVELS[text]


def permission_set(request: Mapping[str, Any], current: Level) -> schemas.PermissionSet:
    """SetPermission; a Level left out keeps `current` (what the user holds on the stack)."""
    level = level_in(request["Level"]) if request.get("Level") else current
    return schemas.PermissionSet(
        level=level, allow_ssh=request.get("AllowSsh"), allow_sudo=request.get("AllowSudo")
    )


def permission_shape(stack_id: str, user: User, permission: Permission) -> dict[str, Any]:
    return {
        "StackId": stack_id,
        "IamUserArn": user_arn(user.name),
        "AllowSsh": permission.allow_ssh,
        "AllowSudo": permission.allow_sudo,
        "Level": permission.level.value,
    }
