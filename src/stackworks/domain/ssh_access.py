"""SSH access to instances: users' SSH profiles, checked before they are stored, and the list
of who may log in to a stack's instances that every command's configuration carries.

Profile values end up in authorized_keys files and Unix account names on every instance the
user may reach, so a bad one must never get that far.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from stackworks.domain.errors import InvalidInput

#: the key types OpenSSH accepts in authorized_keys (certificates and FIDO keys included);
#: stackworks::ssh_users accepts exactly these too (it reads this set)
KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-ed25519-cert-v01@openssh.com",
        "ssh-rsa-cert-v01@openssh.com",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    }
)
MAX_KEY_LENGTH = 16_384  # a 16384-bit RSA key is about 2,800 characters

#: a POSIX-portable login name, as useradd accepts it by default
_USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_COMMENT = re.compile(r"[\x20-\x7e]*")
#: names no user may take: they belong to the system, or to a service a stackworks layer
#: installs (postgres, haproxy, varnish ...). stackworks::ssh_users refuses the same names
#: (cookbooks/stackworks/ssh_accounts.py reads this set), so a profile stored here never fails
#: the setup and configure of every instance it reaches.
RESERVED_USERNAMES = frozenset(
    {"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp"}
    | {"proxy", "www-data", "backup", "list", "irc", "nobody", "postgres", "haproxy", "sshd"}
    | {"systemd-network", "systemd-resolve", "messagebus", "_apt", "varnish", "vcache"}
    | {"stackworks"}
)


def check_ssh_username(value: str, field: str = "ssh_username") -> str:
    """`value` if it is a login name an instance can create; InvalidInput naming `field` if not."""
    if not _USERNAME.fullmatch(value):
        raise InvalidInput(
            f"{field}: {value!r} is not a login name (lower-case letters, digits, _ and -, "
            "starting with a letter or _, at most 32)",
            field=field,
        )
    if value in RESERVED_USERNAMES:
        raise InvalidInput(f"{field}: {value!r} is reserved for the system", field=field)
    return value


def check_public_key(value: str, field: str = "ssh_public_key") -> str:
    """One OpenSSH public key line (`TYPE BASE64 [COMMENT]`), normalised to single spaces.

    The base64 blob must decode and begin with the same key type, as OpenSSH writes it: this
    catches a private key, a fingerprint, a truncated paste or two keys run together.
    """
    line = value.strip()
    if not line:
        raise InvalidInput(f"{field}: the public key is empty", field=field)
    if len(line) > MAX_KEY_LENGTH or "\n" in line or "\r" in line:
        raise InvalidInput(f"{field}: expected one public key on one line", field=field)
    if line.startswith("-----BEGIN"):
        raise InvalidInput(
            f"{field}: this is a private key or a PEM file; give the .pub line", field=field
        )
    parts = line.split(None, 2)
    if len(parts) < 2:
        raise InvalidInput(f"{field}: expected 'TYPE BASE64 [COMMENT]'", field=field)
    key_type, blob = parts[0], parts[1]
    comment = parts[2] if len(parts) == 3 else ""
    if key_type not in KEY_TYPES:
        raise InvalidInput(
            f"{field}: unknown key type {key_type[:40]!r} (expected e.g. ssh-ed25519, ssh-rsa)",
            field=field,
        )
    if _embedded_type(blob) != key_type:
        raise InvalidInput(
            f"{field}: the key data is not a {key_type} public key (corrupt or truncated)",
            field=field,
        )
    if not _COMMENT.fullmatch(comment):
        raise InvalidInput(f"{field}: the comment has non-printable characters", field=field)
    return f"{key_type} {blob} {comment}".rstrip()


def _embedded_type(blob: str) -> str | None:
    """The key type the blob names in its first length-prefixed string, or None if unreadable."""
    try:
        data = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(data) < 4:
        return None
    (length,) = struct.unpack(">I", data[:4])
    if length > 64 or len(data) < 4 + length + 4:  # a type name, then at least one more field
        return None
    try:
        return data[4 : 4 + length].decode("ascii")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class SshUser:
    """One Unix account on a stack's instances: a user with allow_ssh and an SSH profile."""

    username: str
    public_key: str
    sudo: bool

    def to_dict(self) -> dict[str, str | bool]:
        return {"username": self.username, "public_key": self.public_key, "sudo": self.sudo}


def ssh_users(entries: Iterable[tuple[str | None, str | None, bool, bool]]) -> list[SshUser]:
    """The accounts of a stack from (ssh_username, public_key, allow_ssh, allow_sudo) per user:
    those allowed SSH with a complete profile, sorted by username."""
    users = [
        SshUser(username=name, public_key=key, sudo=sudo)
        for name, key, allow_ssh, sudo in entries
        if allow_ssh and name and key
    ]
    return sorted(users, key=lambda user: user.username)
