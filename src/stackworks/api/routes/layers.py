"""/stacks/{stack}/layers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from stackworks.api.access import ManageStack, ShowStack
from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.api.ssh_keys import check_private_key
from stackworks.control import catalog
from stackworks.domain.errors import NotFound
from stackworks.store import layers as layer_store
from stackworks.store import ssh_hosts as ssh_store
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


# --- a layer's default ssh key ----------------------------------------------------------------


@router.put("/{layer}/ssh-default")
def set_ssh_default(
    stack: str, layer: str, body: schemas.LayerSshDefaultIn, db: DatabaseDep, _admin: ManageStack
) -> schemas.LayerSshDefaultOut:
    """New instances of the layer default to provider ssh with this key (sealed)."""
    fingerprint = check_private_key(body.ssh_key)
    with db.transaction() as session:
        found = layer_store.get(session, stack_named(session, stack).id, layer)
        ssh_store.set_layer_default(session, found.id, body.ssh_key, fingerprint)
    return schemas.LayerSshDefaultOut(layer=layer, key_fingerprint=fingerprint)


@router.get("/{layer}/ssh-default")
def show_ssh_default(
    stack: str, layer: str, db: DatabaseDep, _user: ShowStack
) -> schemas.LayerSshDefaultOut:
    with db.transaction() as session:
        found = layer_store.get(session, stack_named(session, stack).id, layer)
        fingerprint = ssh_store.layer_default_fingerprint(session, found.id)
    if fingerprint is None:
        raise NotFound("ssh default of layer", layer)
    return schemas.LayerSshDefaultOut(layer=layer, key_fingerprint=fingerprint)


@router.delete("/{layer}/ssh-default", status_code=204, response_class=Response)
def clear_ssh_default(stack: str, layer: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    """New instances of the layer are local again unless they ask for ssh with a key."""
    with db.transaction() as session:
        found = layer_store.get(session, stack_named(session, stack).id, layer)
        if not ssh_store.clear_layer_default(session, found.id):
            raise NotFound("ssh default of layer", layer)
    return Response(status_code=204)
