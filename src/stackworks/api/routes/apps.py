"""/stacks/{stack}/apps. Secure environment values never come back out."""

from __future__ import annotations

from fastapi import APIRouter, Response

from stackworks.api.access import DeployStack, ManageStack, ShowStack
from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.control import catalog
from stackworks.store import apps as app_store
from stackworks.store import layers as layer_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks/{stack}/apps", tags=["apps"])


@router.post("", status_code=201)
def create_app(
    stack: str, body: schemas.AppCreate, db: DatabaseDep, _admin: ManageStack
) -> schemas.AppOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        app = catalog.create_app(session, found, body)
        return presenters.app_out(found, app, layer_store.list_for_stack(session, found.id))


@router.get("")
def list_apps(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.AppOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        layers = layer_store.list_for_stack(session, found.id)
        return [
            presenters.app_out(found, app, layers)
            for app in app_store.list_for_stack(session, found.id)
        ]


@router.get("/{app}")
def show_app(stack: str, app: str, db: DatabaseDep, _user: ShowStack) -> schemas.AppOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return presenters.app_out(
            found,
            app_store.get(session, found.id, app),
            layer_store.list_for_stack(session, found.id),
        )


@router.patch("/{app}")
def update_app(
    stack: str, app: str, body: schemas.AppUpdate, db: DatabaseDep, _deployer: DeployStack
) -> schemas.AppOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        updated = catalog.update_app(session, found, app_store.get(session, found.id, app), body)
        return presenters.app_out(found, updated, layer_store.list_for_stack(session, found.id))


@router.delete("/{app}", status_code=204)
def delete_app(stack: str, app: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        app_store.delete(session, app_store.get(session, found.id, app).id)
    return Response(status_code=204)
