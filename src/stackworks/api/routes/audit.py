"""/audit: what users asked the API to change, server-wide (admins) or per stack."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from stackworks.api.deps import Admin, DatabaseDep, User, stack_named
from stackworks.store import audit as audit_store
from stackworks.wire import presenters, schemas

router = APIRouter(tags=["audit"])

Since = Annotated[datetime | None, Query(description="only records from this moment on")]
Limit = Annotated[int, Query(ge=1, le=audit_store.MAX_LIMIT)]


@router.get("/audit")
def server_audit(
    db: DatabaseDep, _admin: Admin, since: Since = None, limit: Limit = audit_store.DEFAULT_LIMIT
) -> list[schemas.AuditEntryOut]:
    """Every stack's records and those of no stack (tokens, users), newest `limit`, oldest
    first."""
    with db.transaction() as session:
        found = audit_store.list_records(session, since=since, limit=limit)
    return [presenters.audit_entry_out(e) for e in found]


@router.get("/stacks/{stack}/audit")
def stack_audit(
    stack: str,
    db: DatabaseDep,
    _user: User,
    since: Since = None,
    limit: Limit = audit_store.DEFAULT_LIMIT,
) -> list[schemas.AuditEntryOut]:
    """One stack's records, newest `limit`, oldest first."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        records = audit_store.list_records(session, stack=found.name, since=since, limit=limit)
    return [presenters.audit_entry_out(e) for e in records]
