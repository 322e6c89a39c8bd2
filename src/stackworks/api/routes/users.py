"""/users: people and CI jobs, their tokens and passwords (server admins only).

A token is shown once, when it is made; a password never comes back, nor does its hash.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from stackworks.api.access import ServerAdmin
from stackworks.api.deps import DatabaseDep, SignalDep
from stackworks.control import users as user_control
from stackworks.domain.users import ApiToken, User
from stackworks.store import permissions as permission_store
from stackworks.store import tokens as token_store
from stackworks.store import users as user_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/users", tags=["users"])


def full_user_out(session: Session, user: User) -> schemas.UserOut:
    """The user with their explicit per-stack permissions."""
    return presenters.user_out(user, permission_store.list_for_user(session, user.id))


def token_created(user: User, token: str, record: ApiToken) -> schemas.UserTokenCreated:
    return schemas.UserTokenCreated(
        **presenters.token_out(record).model_dump(), user=user.name, token=token
    )


@router.post("", status_code=201)
def create_user(body: schemas.UserCreate, db: DatabaseDep, _admin: ServerAdmin) -> schemas.UserOut:
    with db.transaction() as session:
        return presenters.user_out(user_control.create_user(session, body))


@router.get("")
def list_users(db: DatabaseDep, _admin: ServerAdmin) -> list[schemas.UserOut]:
    with db.transaction() as session:
        return [presenters.user_out(user) for user in user_store.list_all(session)]


@router.get("/{name}")
def show_user(name: str, db: DatabaseDep, _admin: ServerAdmin) -> schemas.UserOut:
    with db.transaction() as session:
        return full_user_out(session, user_store.get_by_name(session, name))


@router.patch("/{name}")
def update_user(
    name: str, body: schemas.UserUpdate, db: DatabaseDep, signal: SignalDep, admin: ServerAdmin
) -> schemas.UserOut:
    """Change the admin flag, default level or SSH profile; SSH changes reach the instances."""
    with db.transaction() as session:
        found = user_store.get_by_name(session, name)
        updated = user_control.update_user(session, found, body, by=admin.name)
        out = full_user_out(session, updated)
    signal.bump()
    return out


@router.delete("/{name}", status_code=204)
def delete_user(name: str, db: DatabaseDep, signal: SignalDep, admin: ServerAdmin) -> Response:
    """Delete the user with their tokens and permissions (not oneself)."""
    with db.transaction() as session:
        user_control.delete_user(session, user_store.get_by_name(session, name), by=admin.name)
    signal.bump()
    return Response(status_code=204)


@router.put("/{name}/password", status_code=204)
def set_password(
    name: str, body: schemas.PasswordSet, db: DatabaseDep, _admin: ServerAdmin
) -> Response:
    with db.transaction() as session:
        user_control.set_password(session, user_store.get_by_name(session, name), body.password)
    return Response(status_code=204)


@router.get("/{name}/tokens")
def list_tokens(name: str, db: DatabaseDep, _admin: ServerAdmin) -> list[schemas.UserTokenOut]:
    with db.transaction() as session:
        user = user_store.get_by_name(session, name)
        return [presenters.token_out(t) for t in token_store.list_for_user(session, user.id)]


@router.post("/{name}/tokens", status_code=201)
def create_token(
    name: str, body: schemas.UserTokenCreate, db: DatabaseDep, _admin: ServerAdmin
) -> schemas.UserTokenCreated:
    with db.transaction() as session:
        user = user_store.get_by_name(session, name)
        token, record = user_control.issue_token(session, user, body)
    return token_created(user, token, record)


@router.delete("/{name}/tokens/{token}", status_code=204)
def revoke_token(name: str, token: str, db: DatabaseDep, _admin: ServerAdmin) -> Response:
    with db.transaction() as session:
        token_store.revoke(session, user_store.get_by_name(session, name).id, token)
    return Response(status_code=204)
