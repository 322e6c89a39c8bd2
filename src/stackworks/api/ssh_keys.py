"""A private key sent to the API for the ssh provider: usable, or refused naming `ssh_key`."""

from __future__ import annotations

from stackworks.domain.errors import InvalidInput


def check_private_key(text: str) -> str:
    """The key's fingerprint, or 422 naming `ssh_key` and why it cannot be used."""
    from stackworks.providers.ssh_keys import fingerprint, load_private_key  # paramiko if needed

    try:
        return fingerprint(load_private_key(text))
    except ValueError as error:
        raise InvalidInput(f"ssh_key: {error}", field="ssh_key") from None
