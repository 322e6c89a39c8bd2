"""The private key a user gives is checked; host keys are pinned on first use, then enforced."""

from __future__ import annotations

import base64
import hashlib

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from stackworks.domain.ssh_targets import SshTarget
from stackworks.providers.ssh_keys import (
    HostKeyChanged,
    PinnedHostKey,
    fingerprint,
    load_private_key,
)

TARGET = SshTarget("root", "10.248.0.11")


def openssh_key(passphrase: bytes | None = None) -> tuple[str, str]:
    """(private key text, public key line) of a fresh Ed25519 key."""
    key = ed25519.Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    return private, public


def test_an_openssh_private_key_is_read() -> None:
    private, public = openssh_key()
    key = load_private_key(private)
    assert f"{key.get_name()} {key.get_base64()}" == public


def test_the_fingerprint_is_the_one_ssh_keygen_prints() -> None:
    private, public = openssh_key()
    blob = base64.b64decode(public.split()[1])
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert fingerprint(load_private_key(private)) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ssh-ed25519 AAAA... a public key", "is not a private key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n-----END OPENSSH PRIVATE KEY-----\n",
         "is not an Ed25519, ECDSA or RSA private key"),
    ],
)  # fmt: skip
def test_what_is_not_a_usable_private_key_is_refused_without_quoting_it(
    text: str, says: str
) -> None:
    with pytest.raises(ValueError) as refused:
        load_private_key(text)
    assert says in str(refused.value)
    assert "garbage" not in str(refused.value)


def test_a_key_with_a_passphrase_is_refused() -> None:
    private, _ = openssh_key(b"secret words")
    with pytest.raises(ValueError, match="passphrase"):
        load_private_key(private)


def host_key() -> paramiko.PKey:
    return load_private_key(openssh_key()[0])


def test_the_first_key_seen_is_accepted_and_recorded() -> None:
    policy = PinnedHostKey(TARGET, "app1", pinned=None)
    key = host_key()
    policy.missing_host_key(paramiko.SSHClient(), TARGET.host, key)
    assert policy.seen == fingerprint(key)


def test_the_pinned_key_is_accepted() -> None:
    key = host_key()
    policy = PinnedHostKey(TARGET, "app1", pinned=fingerprint(key))
    policy.missing_host_key(paramiko.SSHClient(), TARGET.host, key)
    assert policy.seen == fingerprint(key)


def test_another_key_is_refused_naming_the_host_both_fingerprints_and_the_way_out() -> None:
    pinned, offered = host_key(), host_key()
    policy = PinnedHostKey(TARGET, "app1", pinned=fingerprint(pinned))
    with pytest.raises(HostKeyChanged) as refused:
        policy.missing_host_key(paramiko.SSHClient(), TARGET.host, offered)
    message = str(refused.value)
    assert message.startswith("app1: the host key of 10.248.0.11:22 changed")
    assert fingerprint(pinned) in message and fingerprint(offered) in message
    assert f"accept-host-key STACK app1 --fingerprint {fingerprint(offered)}" in message
