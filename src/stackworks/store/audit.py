"""The audit log in the store: append-only records of what users asked the API to change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.audit import AuditRecord
from stackworks.store.tables import AuditRow, utcnow

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def record(session: Session, entry: AuditRecord) -> AuditRecord:
    row = AuditRow(
        at=entry.at or utcnow(),
        principal=entry.principal,
        stack=entry.stack,
        action=entry.action,
        target=entry.target,
        status_code=entry.status_code,
        changes=dict(entry.changes),
    )
    session.add(row)
    session.flush()
    return _entity(row)


def list_records(
    session: Session,
    *,
    stack: str | None = None,
    since: datetime | None = None,
    before: int = 0,
    principal: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[AuditRecord]:
    """The newest `limit` records (of one stack, after `since`, before `seq` `before`, by one
    user), oldest first."""
    query = select(AuditRow)
    if stack is not None:
        query = query.where(AuditRow.stack == stack)
    if before > 0:
        query = query.where(AuditRow.seq < before)
    if principal is not None:
        query = query.where(AuditRow.principal == principal)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    rows = session.scalars(query.order_by(AuditRow.seq.desc()).limit(max(1, min(limit, MAX_LIMIT))))
    return [_entity(r) for r in reversed(list(rows))]


def _entity(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        seq=row.seq,
        at=row.at,
        principal=row.principal,
        stack=row.stack,
        action=row.action,
        target=row.target,
        status_code=row.status_code,
        changes=dict(row.changes or {}),
    )
