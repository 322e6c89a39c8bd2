"""A lock file in the data dir: running servers hold it shared, a key rotation alone.

A rotation re-encrypts every secret and then forgets the old key; a server still running with
the old key would write secrets no one could read afterwards. So the server holds `server.lock`
shared for its life (any number of servers may share a data dir's database), and `stackworks
server rotate-key` takes it exclusive, refusing to start while any server runs.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "server.lock"


class DataDirBusy(Exception):
    """Another process holds the data dir in a way that excludes this one."""


def hold(data_dir: Path, *, exclusive: bool) -> int:
    """Take the lock without waiting; returns the open descriptor that keeps it (close to let
    it go, or let the process end)."""
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataDirBusy(
            f"{data_dir}: a server is running on this data dir; stop it first"
            if exclusive
            else f"{data_dir}: a key rotation is under way; start the server when it is done"
        ) from None
    return fd
