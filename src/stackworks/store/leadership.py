"""The orchestrator's leadership row: who leads, since when, and the epoch that fences the rest.

The replica that won the lead (control/leadership.py) `claim`s the row: the epoch grows by one
and the row names it. Every orchestrator transaction then `check`s the row FOR SHARE against the
epoch it was granted. A takeover's UPDATE waits for those share locks, so an old leader's
transaction either commits before the new epoch exists or sees it and rolls back: nothing the
old leader decided lands after its successor started. On SQLite (one process, every write
serialized) FOR SHARE is not rendered and the check is a plain read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.store.tables import LeadershipRow, utcnow

ROW_ID = 1


class LeadershipLost(Exception):
    """The lead passed to another replica: this replica's orchestrator must stop writing."""


@dataclass(frozen=True)
class Leadership:
    """The row as read: `holder` is the replica's name, empty before anyone led."""

    epoch: int
    holder: str
    since: datetime | None


def _row(session: Session, *, share: bool = False, update: bool = False) -> LeadershipRow:
    query = select(LeadershipRow).where(LeadershipRow.id == ROW_ID)
    if share:
        query = query.with_for_update(read=True)
    elif update:
        query = query.with_for_update()
    row = session.scalar(query.execution_options(populate_existing=True))
    if row is None:  # made by migration 0012; a database without it is not migrated
        raise RuntimeError("the orchestrator_leadership row is missing: migrate the database")
    return row


def claim(session: Session, holder: str) -> Leadership:
    """Make `holder` the leader with a new epoch (call only while holding the election lock)."""
    row = _row(session, update=True)
    row.epoch += 1
    row.holder = holder
    row.since = utcnow()
    session.flush()
    return Leadership(row.epoch, row.holder, row.since)


def check(session: Session, epoch: int) -> None:
    """Go on only while `epoch` is the current one; the row stays share-locked until the
    transaction ends, which holds off a takeover until then."""
    current = _row(session, share=True).epoch
    if current != epoch:
        raise LeadershipLost(f"the orchestrator's epoch is now {current}, not {epoch}")


def current(session: Session) -> Leadership:
    row = _row(session)
    return Leadership(row.epoch, row.holder, row.since)
