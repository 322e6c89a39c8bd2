"""Which replica runs the orchestrator: an elector per replica, and the fence on its writes.

Every replica serves the API and the agents; exactly one at a time runs the orchestrator. Each
replica's `Elector` tries the election lock every `interval` seconds while it follows, and
checks it still holds it as often while it leads. Winning claims a new epoch in the leadership
row (store/leadership.py); losing (the lock's session ended: the database restarted, the
network dropped it, an operator terminated it) makes `is_leader` false at once, before anything
else happens, so the orchestrator stops at its next pass. What the old leader had in flight is
fenced: `FencedDatabase` opens every orchestrator transaction by checking the epoch it was
granted, so none commits once a successor claimed the row.

On SQLite one server runs alone (store/replica_lock.py refuses a second), so its lock is
`SoleLock`, always held; the elector and the fence work the same way on both.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from stackworks.store import leadership as leadership_store
from stackworks.store.db import Database
from stackworks.store.election_lock import AdvisoryLock
from stackworks.store.leadership import LeadershipLost
from stackworks.store.tables import utcnow

log = logging.getLogger("stackworks.leadership")

#: seconds between two looks at the election lock (a takeover waits at most this long once the
#: old leader's session is gone)
INTERVAL = 0.5


class ElectionLock(Protocol):
    """What the elector needs of a lock (store/election_lock.py on PostgreSQL)."""

    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


class SoleLock:
    """The lock of a server that runs alone: always taken, never lost."""

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        return None


class Elector:
    """Follows until it takes the lock, then leads until it loses it (`step`, or its thread)."""

    def __init__(
        self, db: Database, lock: ElectionLock, replica: str, *, interval: float = INTERVAL
    ) -> None:
        self.db = db
        self.lock = lock
        self.replica = replica
        self.interval = interval
        self._epoch: int | None = None
        self.leading_since: datetime | None = None
        #: when this replica's orchestrator finished its first pass as leader (set by it)
        self.first_pass_at: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def epoch(self) -> int | None:
        """The epoch this replica leads in, None while it follows."""
        return self._epoch

    @property
    def is_leader(self) -> bool:
        return self._epoch is not None

    def step(self) -> None:
        """One look: take the lead if the lock is free, or give it up if the lock was lost."""
        if self._epoch is not None:
            if not self.lock.still_held():
                self._epoch = None  # first: the orchestrator must not start another pass
                self.leading_since = self.first_pass_at = None
                log.error("%s lost the orchestrator lock: no longer leading", self.replica)
            return
        if not self.lock.try_acquire():
            return
        try:
            with self.db.transaction() as session:
                claimed = leadership_store.claim(session, self.replica)
        except Exception:
            self.lock.release()  # let another replica have it rather than lead without an epoch
            raise
        self.leading_since = claimed.since
        self.first_pass_at = None
        self._epoch = claimed.epoch
        log.info("%s leads the orchestrator (epoch %d)", self.replica, claimed.epoch)

    def note_pass(self) -> None:
        """Called by the orchestrator after each pass: the first one as leader ends a takeover."""
        if self._epoch is not None and self.first_pass_at is None:
            self.first_pass_at = utcnow()
            log.info("%s: first orchestrator pass as leader done", self.replica)

    def start(self) -> None:
        self.step()  # a lone server leads before its first request
        self._thread = threading.Thread(target=self._run, name="elector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._epoch = None
        self.lock.release()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.step()
            except Exception:  # a database hiccup must not end the election
                log.exception("election step failed")


def elector_for(db: Database, replica: str) -> Elector:
    """The elector of a server on `db`: the advisory lock on PostgreSQL, the sole lock on
    SQLite (where store/replica_lock.py keeps a second server out)."""
    lock: ElectionLock = SoleLock() if db.is_sqlite else AdvisoryLock(db.url)
    return Elector(db, lock, replica)


class FencedDatabase:
    """The database as the orchestrator sees it: a transaction only while this replica leads,
    and only in the epoch it leads in."""

    def __init__(self, db: Database, elector: Elector) -> None:
        self.db = db
        self.elector = elector

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        epoch = self.elector.epoch
        if epoch is None:
            raise LeadershipLost(f"{self.elector.replica} does not lead the orchestrator")
        with self.db.transaction() as session:
            leadership_store.check(session, epoch)
            yield session
