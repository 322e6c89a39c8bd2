from __future__ import annotations

import pytest

from stackworks.domain.access import Level, Permission
from stackworks.domain.errors import InvalidInput
from stackworks.domain.users import User
from stackworks.opsworks.translate import common, users

ANN = User("u1", "ann", False, Level.DENY, "ann", "ssh-ed25519 AAAA ann", False, None)


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:iam::123456789012:user/ann", "ann"),
        ("arn:aws:iam::123456789012:user/teams/ops/ann", "ann"),
        ("arn:aws-cn:iam::1:user/bob", "bob"),
        ("ci", "ci"),
    ],
)
def test_an_iam_user_arn_names_a_stackworks_user_by_its_last_segment(arn: str, name: str) -> None:
    assert common.user_name(arn) == name


@pytest.mark.parametrize("arn", ["arn:aws:iam::1:role/x", "arn:aws:s3:::bucket", ""])
def test_an_arn_that_is_no_user_is_refused(arn: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        common.user_name(arn)
    assert refused.value.field == "IamUserArn"


def test_create_profile_makes_a_user_with_no_access_and_a_default_ssh_username() -> None:
    body = users.profile_create(
        {"IamUserArn": "arn:aws:iam::1:user/Ann.Lee", "SshPublicKey": "ssh-ed25519 AAAA"}
    )
    assert (body.name, body.default_level, body.admin) == ("Ann.Lee", Level.DENY, False)
    assert body.ssh_username == "annlee"


def test_self_management_cannot_be_turned_off() -> None:
    with pytest.raises(InvalidInput) as refused:
        users.profile_update({"IamUserArn": "ann", "AllowSelfManagement": False})
    assert refused.value.field == "AllowSelfManagement"


def test_levels_map_and_iam_only_is_refused_with_what_to_use() -> None:
    assert users.level_in("deploy") is Level.DEPLOY
    with pytest.raises(InvalidInput, match="deny, show, deploy or manage"):
        users.level_in("iam_only")
    with pytest.raises(InvalidInput):
        users.level_in("admin")


def test_set_permission_without_level_keeps_the_current_one() -> None:
    body = users.permission_set(
        {"StackId": "s1", "IamUserArn": "ann", "AllowSsh": True}, Level.SHOW
    )
    assert (body.level, body.allow_ssh, body.allow_sudo) == (Level.SHOW, True, None)


def test_profile_and_permission_shapes() -> None:
    assert users.profile_shape(ANN) == {
        "IamUserArn": "arn:aws:iam::000000000000:user/ann", "Name": "ann", "SshUsername": "ann",
        "SshPublicKey": "ssh-ed25519 AAAA ann", "AllowSelfManagement": True,
    }  # fmt: skip
    assert "AllowSelfManagement" not in users.self_profile_shape(ANN)
    shape = users.permission_shape("s1", ANN, Permission("s1", "u1", Level.DEPLOY, True, False))
    assert shape == {
        "StackId": "s1", "IamUserArn": "arn:aws:iam::000000000000:user/ann", "AllowSsh": True,
        "AllowSudo": False, "Level": "deploy",
    }  # fmt: skip
