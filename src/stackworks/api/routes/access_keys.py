"""Access keys for the OpsWorks API: one's own under /me/access-keys, anyone's under
/users/{name}/access-keys (server admins). A key's secret is in the answer that makes it, and
never again (docs/opsworks-api.md, "Access keys")."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from stackworks.api.access import AnyUser, ServerAdmin
from stackworks.api.deps import DatabaseDep
from stackworks.store import access_keys as key_store
from stackworks.store import users as user_store
from stackworks.wire import schemas
from stackworks.wire.presenters import access_key_out as key_out

mine = APIRouter(prefix="/me/access-keys", tags=["access keys"])
theirs = APIRouter(prefix="/users/{name}/access-keys", tags=["access keys"])


def _create(session: Session, user_id: str) -> schemas.AccessKeyCreated:
    key, secret = key_store.create(session, user_id)
    return schemas.AccessKeyCreated(**key_out(key).model_dump(), secret_access_key=secret)


def _user_id(session: Session, name: str) -> str:
    return user_store.get_by_name(session, name).id


@mine.get("")
def list_my_keys(db: DatabaseDep, me: AnyUser) -> list[schemas.AccessKeyOut]:
    with db.transaction() as session:
        return [key_out(k) for k in key_store.list_for_user(session, me.user_id)]


@mine.post("", status_code=201)
def create_my_key(db: DatabaseDep, me: AnyUser) -> schemas.AccessKeyCreated:
    with db.transaction() as session:
        return _create(session, me.user_id)


@mine.patch("/{key}")
def update_my_key(
    key: str, body: schemas.AccessKeyUpdate, db: DatabaseDep, me: AnyUser
) -> schemas.AccessKeyOut:
    """Deactivate (or activate again) one of one's keys."""
    with db.transaction() as session:
        return key_out(key_store.set_status(session, me.user_id, key, body.status))


@mine.delete("/{key}", status_code=204)
def delete_my_key(key: str, db: DatabaseDep, me: AnyUser) -> Response:
    with db.transaction() as session:
        key_store.delete(session, me.user_id, key)
    return Response(status_code=204)


@theirs.get("")
def list_keys(name: str, db: DatabaseDep, _admin: ServerAdmin) -> list[schemas.AccessKeyOut]:
    with db.transaction() as session:
        return [key_out(k) for k in key_store.list_for_user(session, _user_id(session, name))]


@theirs.post("", status_code=201)
def create_key(name: str, db: DatabaseDep, _admin: ServerAdmin) -> schemas.AccessKeyCreated:
    with db.transaction() as session:
        return _create(session, _user_id(session, name))


@theirs.patch("/{key}")
def update_key(
    name: str, key: str, body: schemas.AccessKeyUpdate, db: DatabaseDep, _admin: ServerAdmin
) -> schemas.AccessKeyOut:
    with db.transaction() as session:
        return key_out(key_store.set_status(session, _user_id(session, name), key, body.status))


@theirs.delete("/{key}", status_code=204)
def delete_key(name: str, key: str, db: DatabaseDep, _admin: ServerAdmin) -> Response:
    with db.transaction() as session:
        key_store.delete(session, _user_id(session, name), key)
    return Response(status_code=204)
