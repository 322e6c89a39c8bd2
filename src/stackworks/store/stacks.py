"""Stacks in the store; custom JSON values marked secret are kept encrypted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stackworks.domain.entities import CookbookSource, Stack
from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.status import CookbookSourceType
from stackworks.store import sealing
from stackworks.store.ids import new_id
from stackworks.store.tables import StackRow


def to_entity(session: Session, row: StackRow) -> Stack:
    return Stack(
        id=row.id,
        name=row.name,
        custom_json=sealing.open_json(session, dict(row.custom_json or {})),
        hostname_theme=row.hostname_theme,
        cookbook_sources=tuple(
            CookbookSource(
                type=CookbookSourceType(s["type"]),
                url=s.get("url", ""),
                ref=s.get("ref", "HEAD"),
                pinned_commit=s.get("pinned_commit"),
            )
            for s in row.cookbook_sources or []
        ),
        heartbeat_interval=row.heartbeat_interval,
        heartbeat_timeout=row.heartbeat_timeout,
        created_at=row.created_at,
    )


def sources_to_json(sources: tuple[CookbookSource, ...]) -> list[dict[str, str | None]]:
    return [
        {"type": s.type.value, "url": s.url, "ref": s.ref, "pinned_commit": s.pinned_commit}
        for s in sources
    ]


def row_by_name(session: Session, name: str) -> StackRow:
    row = session.scalar(select(StackRow).where(StackRow.name == name))
    if row is None:
        raise NotFound("stack", name)
    return row


def find_by_name(session: Session, name: str) -> Stack | None:
    row = session.scalar(select(StackRow).where(StackRow.name == name))
    return to_entity(session, row) if row else None


def get_by_name(session: Session, name: str) -> Stack:
    return to_entity(session, row_by_name(session, name))


def get(session: Session, stack_id: str) -> Stack:
    row = session.get(StackRow, stack_id)
    if row is None:
        raise NotFound("stack", stack_id)
    return to_entity(session, row)


def list_all(session: Session) -> list[Stack]:
    return [
        to_entity(session, r) for r in session.scalars(select(StackRow).order_by(StackRow.name))
    ]


#: a stack's own heartbeat interval and time-out (None: the server's)
OwnHeartbeat = tuple[float | None, float | None]


def heartbeat_settings(session: Session) -> dict[str, OwnHeartbeat]:
    """Every stack's own heartbeat settings, by stack id, without building the stacks (their
    custom JSON is sealed): the orchestrator reads them every second."""
    rows = session.execute(
        select(StackRow.id, StackRow.heartbeat_interval, StackRow.heartbeat_timeout)
    )
    return {stack_id: (interval, timeout) for stack_id, interval, timeout in rows}


def create(session: Session, stack: Stack) -> Stack:
    exists = session.scalar(select(func.count()).where(StackRow.name == stack.name))
    if exists:
        raise Conflict(f"name: a stack named {stack.name!r} already exists", field="name")
    row = StackRow(
        id=stack.id or new_id(),
        name=stack.name,
        custom_json=sealing.seal_json(session, stack.custom_json),
        hostname_theme=stack.hostname_theme,
        cookbook_sources=sources_to_json(stack.cookbook_sources),
        heartbeat_interval=stack.heartbeat_interval,
        heartbeat_timeout=stack.heartbeat_timeout,
    )
    session.add(row)
    session.flush()
    return to_entity(session, row)


def update(session: Session, stack: Stack) -> Stack:
    row = session.get(StackRow, stack.id)
    if row is None:
        raise NotFound("stack", stack.name)
    row.custom_json = sealing.seal_json(session, stack.custom_json)
    row.hostname_theme = stack.hostname_theme
    row.cookbook_sources = sources_to_json(stack.cookbook_sources)
    row.heartbeat_interval = stack.heartbeat_interval
    row.heartbeat_timeout = stack.heartbeat_timeout
    session.flush()
    return to_entity(session, row)


def delete(session: Session, stack_id: str) -> None:
    row = session.get(StackRow, stack_id)
    if row is not None:
        session.delete(row)
        session.flush()
