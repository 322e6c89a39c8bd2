"""Registered databases in the store. The password is kept encrypted (`password_sealed`, like an
app's secure environment values), and leaves only through the configuration agents get."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.resources import DatabaseEngine, RegisteredDatabase
from stackworks.store import keyring
from stackworks.store.tables import DatabaseRow


def to_entity(session: Session, row: DatabaseRow) -> RegisteredDatabase:
    return RegisteredDatabase(
        id=row.id,
        stack_id=row.stack_id,
        name=row.name,
        engine=DatabaseEngine(row.engine),
        host=row.host,
        port=row.port,
        database=row.database,
        user=row.user,
        password=keyring.of(session).open(row.password_sealed)
        if row.password_sealed
        else row.password,  # a row from before encryption, until the server's first start
        created_at=row.created_at,
    )


def _apply(session: Session, row: DatabaseRow, database: RegisteredDatabase) -> None:
    row.name = database.name
    row.engine = database.engine.value
    row.host = database.host
    row.port = database.port
    row.database = database.database
    row.user = database.user
    row.password = ""
    row.password_sealed = keyring.of(session).seal(database.password) if database.password else None


def list_for_stack(session: Session, stack_id: str) -> list[RegisteredDatabase]:
    rows = session.scalars(
        select(DatabaseRow).where(DatabaseRow.stack_id == stack_id).order_by(DatabaseRow.name)
    )
    return [to_entity(session, r) for r in rows]


def get(session: Session, stack_id: str, name: str) -> RegisteredDatabase:
    row = session.scalar(
        select(DatabaseRow).where(DatabaseRow.stack_id == stack_id, DatabaseRow.name == name)
    )
    if row is None:
        raise NotFound("database", name)
    return to_entity(session, row)


def create(session: Session, database: RegisteredDatabase) -> RegisteredDatabase:
    taken = session.scalar(
        select(DatabaseRow.id).where(
            DatabaseRow.stack_id == database.stack_id, DatabaseRow.name == database.name
        )
    )
    if taken:
        raise Conflict(f"name: the stack already has a database {database.name!r}", field="name")
    row = DatabaseRow(id=database.id, stack_id=database.stack_id)
    _apply(session, row, database)
    session.add(row)
    session.flush()
    return to_entity(session, row)


def update(session: Session, database: RegisteredDatabase) -> RegisteredDatabase:
    row = session.get(DatabaseRow, database.id)
    if row is None:
        raise NotFound("database", database.name)
    _apply(session, row, database)
    session.flush()
    return to_entity(session, row)


def delete(session: Session, database_id: str) -> None:
    row = session.get(DatabaseRow, database_id)
    if row is not None:
        session.delete(row)
        session.flush()
