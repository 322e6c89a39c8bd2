"""Atomic file writes: a reader sees the old content or the new one, never half of either.

The agent's outbox and configuration must survive a crash at any instant (a result lost to a
torn write would leave its command pending forever), and a converge `file` resource must never
leave a half-written config for a service to read. Both write a temporary file in the same
directory, flush it to disk, give it its mode and owner, and rename it over the target.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def atomic_write(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    mode: int = 0o600,
    uid: int = -1,
    gid: int = -1,
) -> None:
    """Replace `path` with `data` in one step; the temp file gets mode and owner first.

    `data` may be an iterable of chunks (a download too big to hold in memory): if it raises
    before its end, the temp file is removed and `path` keeps its old content.
    `uid`/`gid` of -1 leave the owner as the writing process makes it.
    """
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes | bytearray | memoryview):
                handle.write(data)
            else:
                for chunk in data:
                    handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if uid != -1 or gid != -1:
            os.chown(temp, uid, gid)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any, *, mode: int = 0o600) -> None:
    """Write `data` as indented, key-sorted JSON to `path` with `mode`, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    atomic_write(path, text.encode("utf-8"), mode=mode)
