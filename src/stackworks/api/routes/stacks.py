"""/stacks: create, list, show, update and delete stacks."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from stackworks.api.access import AnyUser, ManageStack, ServerAdmin, ShowStack
from stackworks.api.deps import DatabaseDep, SettingsDep, stack_named
from stackworks.control import catalog
from stackworks.control import permissions as permission_control
from stackworks.control.settings import Settings
from stackworks.domain.entities import Stack
from stackworks.domain.status import EventKind
from stackworks.store import apps as app_store
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import stacks as stack_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks", tags=["stacks"])


def _out(session: Session, stack: Stack, settings: Settings) -> schemas.StackOut:
    counts: Counter[str] = Counter()
    counts["layers"] = len(layer_store.list_for_stack(session, stack.id))
    counts["apps"] = len(app_store.list_for_stack(session, stack.id))
    for instance in instance_store.list_for_stack(session, stack.id):
        counts[f"status:{instance.status.value}"] += 1
    beat = settings.heartbeat_for(stack)
    return presenters.stack_out(stack, dict(counts), (beat.interval, beat.timeout))


@router.post("", status_code=201)
def create_stack(
    body: schemas.StackCreate, db: DatabaseDep, settings: SettingsDep, _admin: ServerAdmin
) -> schemas.StackOut:
    with db.transaction() as session:
        return _out(session, catalog.create_stack(session, body), settings)


@router.get("")
def list_stacks(db: DatabaseDep, settings: SettingsDep, user: AnyUser) -> list[schemas.StackOut]:
    """The stacks the caller holds at least show on (a server admin: all of them)."""
    with db.transaction() as session:
        stacks = permission_control.visible_stacks(session, user, stack_store.list_all(session))
        return [_out(session, stack, settings) for stack in stacks]


@router.get("/{stack}")
def show_stack(
    stack: str, db: DatabaseDep, settings: SettingsDep, _user: ShowStack
) -> schemas.StackOut:
    with db.transaction() as session:
        return _out(session, stack_named(session, stack), settings)


@router.patch("/{stack}")
def update_stack(
    stack: str,
    body: schemas.StackUpdate,
    db: DatabaseDep,
    settings: SettingsDep,
    _admin: ManageStack,
) -> schemas.StackOut:
    with db.transaction() as session:
        updated = catalog.update_stack(session, stack_named(session, stack), body)
        return _out(session, updated, settings)


@router.delete("/{stack}", status_code=204)
def delete_stack(stack: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    with db.transaction() as session:
        catalog.delete_stack(session, stack_named(session, stack))
    return Response(status_code=204)


@router.get("/{stack}/events")
def list_events(
    stack: str,
    db: DatabaseDep,
    _user: ShowStack,
    after: Annotated[int, Query(ge=0, description="only events with a larger seq")] = 0,
    kind: Annotated[list[EventKind] | None, Query(description="only these kinds")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = event_store.DEFAULT_LIMIT,
) -> list[schemas.EventOut]:
    """What the control plane did on its own and why: healing, scaling, schedules, resources."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        events = event_store.list_for_stack(session, found.id, after=after, kinds=kind, limit=limit)
        return [presenters.event_out(e) for e in events]
