"""Stack events in the store: an append-only log, read in order of `seq` (for `--follow`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.entities import Instance, StackEvent
from stackworks.domain.status import EventKind
from stackworks.store.tables import StackEventRow, utcnow

DEFAULT_LIMIT = 200


def to_entity(row: StackEventRow) -> StackEvent:
    return StackEvent(
        seq=row.seq,
        stack_id=row.stack_id,
        at=row.at,
        kind=EventKind(row.kind),
        message=row.message,
        instance_id=row.instance_id,
        hostname=row.hostname,
        details=dict(row.details or {}),
    )


def record(
    session: Session,
    stack_id: str,
    kind: EventKind,
    message: str,
    *,
    instance: Instance | None = None,
    details: dict[str, Any] | None = None,
) -> StackEvent:
    """Append one event; `message` says what happened and why, for people."""
    row = StackEventRow(
        stack_id=stack_id,
        at=utcnow(),
        kind=kind.value,
        instance_id=instance.id if instance else None,
        hostname=instance.hostname if instance else None,
        message=message,
        details=dict(details or {}),
    )
    session.add(row)
    session.flush()
    return to_entity(row)


def get_by_seq(session: Session, seq: int) -> StackEvent | None:
    row = session.get(StackEventRow, seq)
    return to_entity(row) if row else None


def list_for_stack(
    session: Session,
    stack_id: str,
    *,
    after: int = 0,
    before: int = 0,
    kinds: list[EventKind] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[StackEvent]:
    """Events after `seq` `after`, oldest first; without `after`, the newest `limit` of them
    (of those before `seq` `before`, when given: the page before one already shown)."""
    query = select(StackEventRow).where(StackEventRow.stack_id == stack_id)
    if before > 0:
        query = query.where(StackEventRow.seq < before)
    if kinds:
        query = query.where(StackEventRow.kind.in_([k.value for k in kinds]))
    if after > 0:
        rows = session.scalars(
            query.where(StackEventRow.seq > after).order_by(StackEventRow.seq).limit(limit)
        )
        return [to_entity(r) for r in rows]
    newest = session.scalars(query.order_by(StackEventRow.seq.desc()).limit(limit))
    return [to_entity(r) for r in reversed(list(newest))]
