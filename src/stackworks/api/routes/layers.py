"""/stacks/{stack}/layers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from stackworks.api.access import ManageStack, ShowStack
from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.control import catalog
from stackworks.store import layers as layer_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks/{stack}/layers", tags=["layers"])


@router.post("", status_code=201)
def create_layer(
    stack: str, body: schemas.LayerCreate, db: DatabaseDep, _admin: ManageStack
) -> schemas.LayerOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return presenters.layer_out(found, catalog.create_layer(session, found, body))


@router.get("")
def list_layers(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.LayerOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return [
            presenters.layer_out(found, layer)
            for layer in layer_store.list_for_stack(session, found.id)
        ]


@router.get("/{layer}")
def show_layer(stack: str, layer: str, db: DatabaseDep, _user: ShowStack) -> schemas.LayerOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return presenters.layer_out(found, layer_store.get(session, found.id, layer))


@router.patch("/{layer}")
def update_layer(
    stack: str, layer: str, body: schemas.LayerUpdate, db: DatabaseDep, _admin: ManageStack
) -> schemas.LayerOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = layer_store.get(session, found.id, layer)
        return presenters.layer_out(found, catalog.update_layer(session, current, body))


@router.delete("/{layer}", status_code=204)
def delete_layer(stack: str, layer: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        catalog.delete_layer(session, layer_store.get(session, found.id, layer))
    return Response(status_code=204)
