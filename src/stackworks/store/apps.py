"""Apps in the store. Secure environment values are kept encrypted (store/sealing.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.entities import App, AppSource
from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.resources import DataSource
from stackworks.domain.status import SourceType
from stackworks.store import sealing
from stackworks.store.tables import AppRow


def to_entity(session: Session, row: AppRow) -> App:
    source = row.source or {}
    return App(
        id=row.id,
        stack_id=row.stack_id,
        shortname=row.shortname,
        name=row.name,
        source=AppSource(
            type=SourceType(source.get("type", "git")),
            url=source.get("url", ""),
            revision=source.get("revision", "HEAD"),
        ),
        environment=sealing.environment(session, row.environment or []),
        layers=tuple(row.layers or ()),
        domains=tuple(row.domains or ()),
        attributes=dict(row.attributes or {}),
        data_sources=tuple(
            DataSource(type=d.get("type", "database"), name=d["name"])
            for d in row.data_sources or []
        ),
        created_at=row.created_at,
    )


def _apply(session: Session, row: AppRow, app: App) -> None:
    row.name = app.name
    row.source = {
        "type": app.source.type.value,
        "url": app.source.url,
        "revision": app.source.revision,
    }
    row.environment = sealing.environment_rows(session, app.environment)
    row.layers = list(app.layers)
    row.domains = list(app.domains)
    row.attributes = app.attributes
    row.data_sources = [{"type": d.type, "name": d.name} for d in app.data_sources]


def list_for_stack(session: Session, stack_id: str) -> list[App]:
    rows = session.scalars(
        select(AppRow).where(AppRow.stack_id == stack_id).order_by(AppRow.created_at)
    )
    return [to_entity(session, r) for r in rows]


def get(session: Session, stack_id: str, shortname: str) -> App:
    row = session.scalar(
        select(AppRow).where(AppRow.stack_id == stack_id, AppRow.shortname == shortname)
    )
    if row is None:
        raise NotFound("app", shortname)
    return to_entity(session, row)


def get_by_id(session: Session, app_id: str) -> App | None:
    row = session.get(AppRow, app_id)
    return to_entity(session, row) if row else None


def create(session: Session, app: App) -> App:
    taken = session.scalar(
        select(AppRow.id).where(AppRow.stack_id == app.stack_id, AppRow.shortname == app.shortname)
    )
    if taken:
        raise Conflict(
            f"shortname: the stack already has an app {app.shortname!r}", field="shortname"
        )
    row = AppRow(id=app.id, stack_id=app.stack_id, shortname=app.shortname)
    _apply(session, row, app)
    session.add(row)
    session.flush()
    return to_entity(session, row)


def update(session: Session, app: App) -> App:
    row = session.get(AppRow, app.id)
    if row is None:
        raise NotFound("app", app.shortname)
    _apply(session, row, app)
    session.flush()
    return to_entity(session, row)


def delete(session: Session, app_id: str) -> None:
    row = session.get(AppRow, app_id)
    if row is not None:
        session.delete(row)
        session.flush()
