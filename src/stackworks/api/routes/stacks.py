"""/stacks: create, list, show, update and delete stacks."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from stackworks.api.deps import Admin, DatabaseDep, User, stack_named
from stackworks.control import catalog
from stackworks.domain.entities import Stack
from stackworks.store import apps as app_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import stacks as stack_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks", tags=["stacks"])


def _out(session: Session, stack: Stack) -> schemas.StackOut:
    counts: Counter[str] = Counter()
    counts["layers"] = len(layer_store.list_for_stack(session, stack.id))
    counts["apps"] = len(app_store.list_for_stack(session, stack.id))
    for instance in instance_store.list_for_stack(session, stack.id):
        counts[f"status:{instance.status.value}"] += 1
    return presenters.stack_out(stack, dict(counts))


@router.post("", status_code=201)
def create_stack(body: schemas.StackCreate, db: DatabaseDep, _admin: Admin) -> schemas.StackOut:
    with db.transaction() as session:
        return _out(session, catalog.create_stack(session, body))


@router.get("")
def list_stacks(db: DatabaseDep, _user: User) -> list[schemas.StackOut]:
    with db.transaction() as session:
        return [_out(session, stack) for stack in stack_store.list_all(session)]


@router.get("/{stack}")
def show_stack(stack: str, db: DatabaseDep, _user: User) -> schemas.StackOut:
    with db.transaction() as session:
        return _out(session, stack_named(session, stack))


@router.patch("/{stack}")
def update_stack(
    stack: str, body: schemas.StackUpdate, db: DatabaseDep, _admin: Admin
) -> schemas.StackOut:
    with db.transaction() as session:
        return _out(session, catalog.update_stack(session, stack_named(session, stack), body))


@router.delete("/{stack}", status_code=204)
def delete_stack(stack: str, db: DatabaseDep, _admin: Admin) -> Response:
    with db.transaction() as session:
        catalog.delete_stack(session, stack_named(session, stack))
    return Response(status_code=204)
