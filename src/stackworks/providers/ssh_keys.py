"""SSH keys for the SSH provider: the private key a user hands the server, and host-key pinning.

A host key is pinned on first use: the first connection to an instance's host records its
fingerprint (SHA256, as `ssh-keygen -l` prints it), every later one must offer the same key.
A different key is refused before any authentication is tried (`HostKeyChanged`), naming the
host and both fingerprints; a user who knows the host was reinstalled accepts the new key with
`stackworks instance accept-host-key`, which pins the fingerprint they give.
"""

from __future__ import annotations

import base64
import hashlib
import io

import paramiko

from stackworks.domain.ssh_targets import SshTarget
from stackworks.providers.base import StartFailed

#: the private key types accepted, tried in this order
_KEY_CLASSES: tuple[type[paramiko.PKey], ...] = (
    paramiko.Ed25519Key,
    paramiko.ECDSAKey,
    paramiko.RSAKey,
)


class HostKeyChanged(StartFailed):
    """The host offered a key other than the one pinned for it."""


def load_private_key(text: str) -> paramiko.PKey:
    """The key in `text` (OpenSSH or PEM, without a passphrase), or ValueError saying why not.

    The message never quotes the key."""
    if "PRIVATE KEY" not in text:
        raise ValueError("is not a private key (no BEGIN ... PRIVATE KEY line)")
    for key_class in _KEY_CLASSES:
        try:
            return key_class.from_private_key(io.StringIO(text))
        except paramiko.PasswordRequiredException:
            raise ValueError(
                "is protected by a passphrase; give the server a key without one"
            ) from None
        except Exception:  # untrusted text: any failure to parse means "not this type"
            continue
    raise ValueError("is not an Ed25519, ECDSA or RSA private key paramiko can read")


def fingerprint(key: paramiko.PKey) -> str:
    """`SHA256:<base64>` of the key's public blob, as OpenSSH prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class PinnedHostKey(paramiko.MissingHostKeyPolicy):
    """Accepts the host key pinned for a target, or any key when none is pinned yet.

    The client is given no known_hosts, so paramiko asks this policy about every key."""

    def __init__(self, target: SshTarget, hostname: str, pinned: str | None) -> None:
        self.target = target
        self.hostname = hostname  # the instance's, for the message
        self.pinned = pinned
        self.seen: str | None = None  # the fingerprint the host offered

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        self.seen = fingerprint(key)
        if self.pinned is not None and self.seen != self.pinned:
            raise HostKeyChanged(
                f"{self.hostname}: the host key of {self.target.address} changed: pinned "
                f"{self.pinned}, offered {self.seen}; refusing to connect. If the host was "
                "reinstalled and you checked the new key, accept it with `stackworks instance "
                f"accept-host-key STACK {self.hostname} --fingerprint {self.seen}`"
            )
