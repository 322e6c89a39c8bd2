"""The election lock of replicas on PostgreSQL: a session-level advisory lock held on a
dedicated connection (store/pg_connection.py).

Why an advisory lock and not a lease row with an expiry: the lock lives exactly as long as the
session that holds it. A replica killed with -9 has its socket closed by the kernel, PostgreSQL
ends its session at once and the lock is free for the next try (half a second later), where a
lease would make the others wait out its whole time to live. A replica cut off by the network
is dropped by the server's TCP keepalives within about 4 s, which the lease's renewal period
could not beat either. What a lease does better, telling a leader that lost its lock before it
writes again, is done by the epoch in the leadership row (store/leadership.py).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import psycopg

from stackworks.store import pg_connection

log = logging.getLogger("stackworks.leadership")

#: the advisory lock's key: "STKW" and 1, one lock per database
ELECTION_KEY = 0x53544B57_0001


class AdvisoryLock:
    """Try to take the lock; ask whether it is still held; let it go by closing the session."""

    def __init__(self, url: str, key: int = ELECTION_KEY) -> None:
        self.url = url
        self.key = key
        self._connection: psycopg.Connection[tuple[Any, ...]] | None = None
        self._held = False

    def try_acquire(self) -> bool:
        """True once the lock is ours; False when another session holds it or the database
        does not answer (the next try connects again)."""
        try:
            if self._connection is None or self._connection.closed:
                self._connection = pg_connection.connect(self.url)
            row = self._connection.execute(
                b"SELECT pg_try_advisory_lock(%s)", (self.key,)
            ).fetchone()
        except psycopg.Error as error:
            log.warning("election: the database does not answer: %s", error)
            self.release()
            return False
        self._held = bool(row and row[0])
        return self._held

    def still_held(self) -> bool:
        """Whether the session that took the lock still lives and holds it (one round trip,
        bounded by the connection's user timeout)."""
        if self._connection is None or not self._held:
            return False
        try:
            row = self._connection.execute(
                b"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                b"AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = %s",
                (self.key,),
            ).fetchone()
        except psycopg.Error as error:
            log.warning("election: lost the lock's connection: %s", error)
            self.release()
            return False
        if not (row and row[0]):
            self.release()
            return False
        return True

    def release(self) -> None:
        """End the session, which frees the lock if it held it."""
        self._held = False
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
        self._connection = None
