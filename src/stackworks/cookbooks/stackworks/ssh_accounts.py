"""The `ssh_users` list of the stack configuration, checked: who gets a Unix account, which key
lets them in, and whether they may sudo.

Contract (docs/cookbooks.md, "stackworks::ssh_users"): a top-level list of
`{"username": str, "public_key": str, "sudo": bool}`. A username becomes a path segment and an
argument of useradd, so only the portable POSIX shape passes (lowercase letter or `_` first;
no `/`, no `..`, never a leading `-`), and names the system owns are refused. A public key is one
line: a known key type, its base64 blob and an optional comment; no authorized_keys options
(`command=...`, `from=...`) and no second line can be smuggled in.

The key types and the reserved names are the server's own (stackworks.domain.ssh_access): a
profile the API stored and this recipe refused would fail every setup and configure of the
stack, since this recipe runs first in each.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackworks.domain.ssh_access import KEY_TYPES, RESERVED_USERNAMES

USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_COMMENT = re.compile(r"^[\x21-\x7e][\x20-\x7e]*$")  # printable, no control characters


class SshUsersError(ValueError):
    """An entry of `ssh_users` is wrong; the message names it (`ssh_users[1].username: ...`)."""


@dataclass(frozen=True)
class SshAccount:
    username: str
    public_key: str  # normalised: "type blob[ comment]"
    sudo: bool = False


def parse_accounts(value: Any) -> list[SshAccount]:
    """The accounts the configuration asks for, checked; SshUsersError names the first problem."""
    if value is None:
        return []
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise SshUsersError("ssh_users: must be a list of {username, public_key, sudo}")
    accounts: list[SshAccount] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        where = f"ssh_users[{index}]"
        if not isinstance(entry, Mapping):
            raise SshUsersError(f"{where}: must be an object with username and public_key")
        unknown = sorted(set(entry) - {"username", "public_key", "sudo"})
        if unknown:
            raise SshUsersError(f"{where}: unknown field {unknown[0]!r}")
        username = check_username(entry.get("username"), f"{where}.username")
        if username in seen:
            raise SshUsersError(f"{where}.username: {username!r} is listed twice")
        seen.add(username)
        sudo = entry.get("sudo", False)
        if not isinstance(sudo, bool):
            raise SshUsersError(f"{where}.sudo: must be true or false")
        key = check_public_key(entry.get("public_key"), f"{where}.public_key")
        accounts.append(SshAccount(username=username, public_key=key, sudo=sudo))
    return accounts


def check_username(value: Any, where: str) -> str:
    if not isinstance(value, str) or not USERNAME.fullmatch(value):
        raise SshUsersError(
            f"{where}: {value!r} is not a username (a lowercase letter or _ first, then up to "
            "31 lowercase letters, digits, _ or -)"
        )
    if value in RESERVED_USERNAMES:
        raise SshUsersError(f"{where}: {value!r} is a system account and cannot be managed")
    return value


def check_public_key(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SshUsersError(f"{where}: required (one line: type, key, optional comment)")
    if "\n" in value.strip() or "\r" in value or "\0" in value:
        raise SshUsersError(f"{where}: must be a single line")
    parts = value.strip().split(None, 2)
    if parts[0] not in KEY_TYPES:
        raise SshUsersError(
            f"{where}: must start with a key type ({', '.join(sorted(KEY_TYPES))}); "
            "authorized_keys options are not allowed"
        )
    if len(parts) < 2 or not _blob_of(parts[0], parts[1]):
        raise SshUsersError(f"{where}: the key after {parts[0]} is not a valid base64 key blob")
    if len(parts) == 3 and not _COMMENT.match(parts[2]):
        raise SshUsersError(f"{where}: the comment has characters that are not printable")
    return " ".join(parts)


def _blob_of(key_type: str, blob: str) -> bool:
    """Whether `blob` is base64 of an SSH key whose first field names `key_type` itself."""
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) < 4:
        return False
    length = int.from_bytes(raw[:4], "big")
    return raw[4 : 4 + length] == key_type.encode()
