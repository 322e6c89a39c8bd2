"""/me (whoami, one's own SSH key, tokens and password) and /login (the console's way to a
token)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from stackworks.api.access import Anonymous, AnyUser, unauthorized
from stackworks.api.deps import DatabaseDep, SignalDep
from stackworks.api.routes.users import full_user_out, token_created
from stackworks.control import users as user_control
from stackworks.store import tokens as token_store
from stackworks.store import users as user_store
from stackworks.wire import presenters, schemas

router = APIRouter(tags=["me"])


@router.get("/me")
def whoami(db: DatabaseDep, me: AnyUser) -> schemas.UserOut:
    """The caller: name, admin flag, default level, SSH profile and per-stack permissions."""
    with db.transaction() as session:
        return full_user_out(session, user_store.get(session, me.user_id))


@router.patch("/me")
def update_my_profile(
    body: schemas.MyProfileUpdate, db: DatabaseDep, signal: SignalDep, me: AnyUser
) -> schemas.UserOut:
    """Change one's own SSH public key (the username stays the admin's to set)."""
    with db.transaction() as session:
        user = user_store.get(session, me.user_id)
        change = schemas.UserUpdate(ssh_public_key=body.ssh_public_key)
        updated = user_control.update_user(session, user, change, by=me.name)
        out = full_user_out(session, updated)
    signal.bump()
    return out


@router.get("/me/tokens")
def my_tokens(db: DatabaseDep, me: AnyUser) -> list[schemas.UserTokenOut]:
    with db.transaction() as session:
        return [presenters.token_out(t) for t in token_store.list_for_user(session, me.user_id)]


@router.post("/me/tokens", status_code=201)
def make_my_token(
    body: schemas.UserTokenCreate, db: DatabaseDep, me: AnyUser
) -> schemas.UserTokenCreated:
    with db.transaction() as session:
        user = user_store.get(session, me.user_id)
        token, record = user_control.issue_token(session, user, body)
    return token_created(user, token, record)


@router.delete("/me/tokens/{token}", status_code=204)
def revoke_my_token(token: str, db: DatabaseDep, me: AnyUser) -> Response:
    with db.transaction() as session:
        token_store.revoke(session, me.user_id, token)
    return Response(status_code=204)


@router.put("/me/password", status_code=204)
def set_my_password(body: schemas.PasswordSet, db: DatabaseDep, me: AnyUser) -> Response:
    """Set one's own console password; the current one is needed if one is set."""
    with db.transaction() as session:
        user = user_store.get(session, me.user_id)
        if not user_control.check_own_password(session, user, body.current_password):
            raise unauthorized("current_password: wrong or missing current password")
        user_control.set_password(session, user, body.password)
    return Response(status_code=204)


@router.post("/login")
def login(body: schemas.LoginRequest, db: DatabaseDep, _anyone: Anonymous) -> schemas.LoginResult:
    """A token that expires (12 hours) for a user's name and console password; 401 otherwise."""
    with db.transaction() as session:
        found = user_control.login(session, body.name, body.password)
    if found is None:
        raise unauthorized("invalid name or password")
    user, token, expires_at = found
    return schemas.LoginResult(name=user.name, token=token, expires_at=expires_at)
