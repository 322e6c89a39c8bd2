"""Checksums as recipes write them (`sha256:<64 hex digits>`), parsed once and computed in chunks.

`remote_file` and `archive` both decide "nothing to do" by comparing a file's checksum with the
declared one, so the format and its errors live here.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from stackworks.converge.resource import ResourceError

_SHA256 = re.compile(r"^sha256:([0-9a-f]{64})$")
CHUNK = 1 << 20


def parse_sha256(value: str | None, what: str, field: str = "checksum") -> str:
    """The hex digest of `sha256:<hex>`; anything else fails naming `what` and `field`."""
    found = _SHA256.match(str(value or "").strip().lower())
    if found is None:
        raise ResourceError(
            f"{what}: {field} must be 'sha256:' followed by 64 hex digits, got {value!r}"
        )
    return found.group(1)


def file_sha256(path: Path) -> str | None:
    """The sha256 hex digest of a regular file, or None when there is no such file."""
    if path.is_symlink() or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
