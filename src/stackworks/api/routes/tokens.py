"""/tokens: the first API's tokens, kept working as a view of users (server admins only).

`POST /tokens {name, role}` makes user `name` (a server admin for role admin; default level
deploy, i.e. deploy on every stack, for role deploy) holding one token also named `name`. The
list shows every user with the role that describes them; deleting a name deletes that user.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from stackworks.api.access import ServerAdmin
from stackworks.api.deps import DatabaseDep, SignalDep
from stackworks.control import users as user_control
from stackworks.domain.access import Level, Role
from stackworks.store import tokens
from stackworks.store import users as user_store
from stackworks.wire import schemas

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.post("", status_code=201)
def create_token(
    body: schemas.TokenCreate, db: DatabaseDep, _admin: ServerAdmin
) -> schemas.TokenCreated:
    with db.transaction() as session:
        user = user_store.create(
            session,
            body.name,
            is_admin=body.role is Role.ADMIN,
            default_level=Level.DEPLOY if body.role is Role.DEPLOY else Level.DENY,
        )
        token, record = tokens.create(session, user.id, body.name)
    return schemas.TokenCreated(
        name=body.name, role=body.role, created_at=record.created_at, token=token
    )


@router.get("")
def list_tokens(db: DatabaseDep, _admin: ServerAdmin) -> list[schemas.TokenOut]:
    with db.transaction() as session:
        return [
            schemas.TokenOut(name=user.name, role=user.principal().role, created_at=user.created_at)
            for user in user_store.list_all(session)
        ]


@router.delete("/{name}", status_code=204)
def delete_token(name: str, db: DatabaseDep, signal: SignalDep, admin: ServerAdmin) -> Response:
    with db.transaction() as session:
        user_control.delete_user(session, user_store.get_by_name(session, name), by=admin.name)
    signal.bump()
    return Response(status_code=204)
