"""SSH profile checks and the stack's ssh_users list."""

from __future__ import annotations

import base64
import struct

import pytest

from stackworks.domain.errors import InvalidInput
from stackworks.domain.ssh_access import (
    SshUser,
    check_public_key,
    check_ssh_username,
    ssh_users,
)


def blob(key_type: str, *fields: bytes) -> str:
    """An OpenSSH public key blob: length-prefixed strings, the type first."""
    parts = [key_type.encode(), *fields]
    return base64.b64encode(b"".join(struct.pack(">I", len(p)) + p for p in parts)).decode()


ED25519 = f"ssh-ed25519 {blob('ssh-ed25519', bytes(range(32)))} ann@laptop"


def test_a_real_key_line_is_accepted_and_normalised() -> None:
    assert check_public_key(f"  {ED25519.replace(' ', '   ', 1)}\n") == ED25519
    exponent = bytes([1, 0, 1])
    rsa = f"ssh-rsa {blob('ssh-rsa', exponent, bytes(128))}"
    assert check_public_key(rsa) == rsa


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("", "empty"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
        ("ssh-ed25519", "expected 'TYPE BASE64"),
        (f"ssh-dss {blob('ssh-dss', bytes(8))}", "unknown key type"),
        ("ssh-ed25519 not*base64", "not a ssh-ed25519 public key"),
        (f"ssh-ed25519 {blob('ssh-rsa', bytes(8))}", "not a ssh-ed25519 public key"),
        (f"ssh-ed25519 {blob('ssh-ed25519')}", "not a ssh-ed25519 public key"),
        (ED25519 + "\nssh-ed25519 AAAA", "one public key on one line"),
        (ED25519 + " \x07bell", "non-printable"),
        ("SHA256:2QVv0vG2s7hA0Xbx1R+z6d4OCbPHhB6oWvGmGkfbp0Q", "expected 'TYPE BASE64"),
    ],
)
def test_anything_but_one_public_key_line_is_refused_naming_the_field(line: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_public_key(line)
    assert refused.value.field == "ssh_public_key"
    assert says in refused.value.message


@pytest.mark.parametrize("name", ["ann", "_svc", "a-b_c9", "x" * 32])
def test_posix_login_names_are_accepted(name: str) -> None:
    assert check_ssh_username(name) == name


@pytest.mark.parametrize("name", ["", "Ann", "9lives", "a b", "x" * 33, "root", "a;rm"])
def test_other_login_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_ssh_username(name)
    assert refused.value.field == "ssh_username"


def test_ssh_users_keeps_allowed_complete_profiles_sorted_by_username() -> None:
    assert ssh_users(
        [
            ("zed", ED25519, True, False),
            ("bob", ED25519, True, True),
            ("eve", ED25519, False, True),  # no allow_ssh
            (None, None, True, True),  # no profile
        ]
    ) == [SshUser("bob", ED25519, True), SshUser("zed", ED25519, False)]
