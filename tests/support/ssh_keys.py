"""Well-formed SSH public keys for tests (no private half exists: the key bytes are a pattern)."""

from __future__ import annotations

import base64


def ed25519_key(comment: str = "alice@laptop", seed: int = 1) -> str:
    """`ssh-ed25519 <blob> comment`, whose blob has the wire format a real key has."""
    blob = (
        len(b"ssh-ed25519").to_bytes(4, "big")
        + b"ssh-ed25519"
        + (32).to_bytes(4, "big")
        + bytes([seed]) * 32
    )
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}".strip()
