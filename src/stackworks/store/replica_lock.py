"""One server per SQLite database: a lock file beside the database, held for the server's life.

SQLite serializes writes inside one process (store/db.py) and has no way to tell another
process that its orchestrator runs: two servers on one file would both run one, starting and
healing the same instances twice. Replicas need PostgreSQL (docs/high-availability.md), so a
second server on a SQLite database is refused before it touches anything. The lock is on the
database file, not the data dir: two data dirs pointing `--database-url` at one file are two
servers on it all the same.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url

#: the locks this process holds, by file: a process preparing its server again (tests do) is
#: still the one server on the database
_held: dict[Path, int] = {}


class DatabaseBusy(Exception):
    """Another server runs on this SQLite database."""


def lock_path(url: str) -> Path | None:
    """The lock file of a SQLite database file; None for PostgreSQL or an in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = Path(parsed.database).resolve()
    return database.with_name(database.name + ".server-lock")


def hold(url: str) -> int | None:
    """Take the database's lock without waiting; returns the descriptor that keeps it (None
    when the database needs none). Raises DatabaseBusy naming the file when it is taken."""
    path = lock_path(url)
    if path is None:
        return None
    if path in _held:
        return _held[path]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DatabaseBusy(
            f"{path.with_suffix('')}: another stackworks server already runs on this SQLite "
            "database. SQLite serves one server process; to run replicas, give each the same "
            "--database-url postgresql+psycopg://... (docs/high-availability.md)"
        ) from None
    _held[path] = fd
    return fd
