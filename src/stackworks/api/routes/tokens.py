"""/tokens: API tokens for people and CI jobs (admin only). A token is shown once, at creation."""

from __future__ import annotations

from fastapi import APIRouter, Response

from stackworks.api.deps import Admin, DatabaseDep
from stackworks.domain.errors import Conflict
from stackworks.store import tokens
from stackworks.wire import schemas

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.post("", status_code=201)
def create_token(body: schemas.TokenCreate, db: DatabaseDep, _admin: Admin) -> schemas.TokenCreated:
    with db.transaction() as session:
        token = tokens.create(session, body.name, body.role)
        created = next(t for t in tokens.list_all(session) if t[0] == body.name)
    return schemas.TokenCreated(name=body.name, role=body.role, created_at=created[2], token=token)


@router.get("")
def list_tokens(db: DatabaseDep, _admin: Admin) -> list[schemas.TokenOut]:
    with db.transaction() as session:
        return [
            schemas.TokenOut(name=name, role=role, created_at=at)
            for name, role, at in tokens.list_all(session)
        ]


@router.delete("/{name}", status_code=204)
def delete_token(name: str, db: DatabaseDep, admin: Admin) -> Response:
    if name == admin.name:
        raise Conflict("name: a token cannot delete itself", field="name")
    with db.transaction() as session:
        tokens.delete(session, name)
    return Response(status_code=204)
