"""Registered databases (OpsWorks' RDS registration): register, update, deregister; and the
check of an app's data sources. The password is a secure value: kept for the configuration
agents get (where it reaches the app as part of DATABASE_URL), shown to people as FILTERED.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control import commands
from stackworks.domain.entities import FILTERED, Stack
from stackworks.domain.errors import Conflict, InvalidInput
from stackworks.domain.resources import (
    DEFAULT_PORTS,
    DatabaseEngine,
    DataSource,
    RegisteredDatabase,
    check_database_field,
    check_host,
    check_port,
    check_resource_name,
)
from stackworks.domain.status import EventKind
from stackworks.store import apps as app_store
from stackworks.store import databases as database_store
from stackworks.store import events
from stackworks.store.ids import new_id
from stackworks.wire import schemas


def _event(session: Session, database: RegisteredDatabase, message: str) -> None:
    events.record(
        session,
        database.stack_id,
        EventKind.RESOURCE,
        message,
        details={"database": database.name},
    )


def _checked(database: RegisteredDatabase) -> RegisteredDatabase:
    check_resource_name(database.name)
    check_host(database.host)
    check_port(database.port)
    check_database_field(database.database, "database")
    check_database_field(database.user, "user")
    if "\n" in database.password or "\x00" in database.password:
        raise InvalidInput("password: must be one line", field="password")
    return database


def register_database(
    session: Session, stack: Stack, body: schemas.DatabaseRegister
) -> RegisteredDatabase:
    engine = DatabaseEngine(body.engine)
    database = _checked(
        RegisteredDatabase(
            id=new_id(),
            stack_id=stack.id,
            name=body.name,
            engine=engine,
            host=body.host,
            port=body.port if body.port is not None else DEFAULT_PORTS[engine.value],
            database=body.database,
            user=body.user,
            password=body.password,
        )
    )
    created = database_store.create(session, database)
    _event(
        session,
        created,
        f"database {created.name} registered ({engine.value} at {created.host}:{created.port})",
    )
    return created


def users_of(session: Session, database: RegisteredDatabase) -> list[str]:
    """Shortnames of the apps that use the database as a data source."""
    return [
        app.shortname
        for app in app_store.list_for_stack(session, database.stack_id)
        if any(d.name == database.name for d in app.data_sources)
    ]


def update_database(
    session: Session, database: RegisteredDatabase, body: schemas.DatabaseUpdate
) -> RegisteredDatabase:
    """New connection details; the apps that use it are reconfigured everywhere online."""
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "host": body.host,
            "port": body.port,
            "database": body.database,
            "user": body.user,
        }.items()
        if value is not None
    }
    if body.password is not None and body.password != FILTERED:
        changes["password"] = body.password
    updated = _checked(replace(database, **changes))
    if updated == database:
        return database
    stored = database_store.update(session, updated)
    changed = sorted(k for k in changes if getattr(database, k) != getattr(stored, k))
    reason = f"database {stored.name} updated ({', '.join(changed)})"
    _event(session, stored, reason)
    if users_of(session, stored):
        commands.fan_out_configure_stack(session, stored.stack_id, reason)
    return stored


def deregister_database(session: Session, database: RegisteredDatabase) -> None:
    users = users_of(session, database)
    if users:
        raise Conflict(
            f"database: {database.name} is a data source of {', '.join(users)}; "
            "remove it from them first",
            field="database",
        )
    database_store.delete(session, database.id)
    _event(session, database, f"database {database.name} deregistered")


def check_data_sources(
    session: Session, stack: Stack, items: list[schemas.DataSourceIn]
) -> tuple[DataSource, ...]:
    """An app's data sources: registered databases of its stack, at most one (as OpsWorks)."""
    if len(items) > 1:
        raise InvalidInput("data_sources: an app has at most one data source", field="data_sources")
    known = {db.name for db in database_store.list_for_stack(session, stack.id)}
    for item in items:
        if item.name not in known:
            raise InvalidInput(
                f"data_sources: the stack has no registered database {item.name!r}",
                field="data_sources",
            )
    return tuple(DataSource(type=item.type, name=item.name) for item in items)
