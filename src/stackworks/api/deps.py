"""Request dependencies, declared once: the database, the caller (user or agent), the stack."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from stackworks.api.errors import error_body
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.domain.access import Principal
from stackworks.domain.entities import Instance, Stack
from stackworks.store import agent_credentials, tokens
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database

_bearer = HTTPBearer(auto_error=False)


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_signal(request: Request) -> CommandSignal:
    signal: CommandSignal = request.app.state.signal
    return signal


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=error_body(message)["detail"],
        headers={"WWW-Authenticate": "Bearer"},
    )


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise _unauthorized("missing API token (Authorization: Bearer ...)")
    return credentials.credentials


def current_user(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller behind the user token presented; instance credentials are not user tokens."""
    token = _token(credentials)
    with db.transaction() as session:
        principal = tokens.principal_for(session, token)
    if principal is None:
        raise _unauthorized("invalid API token")
    request.state.principal = principal
    return principal


def admin_user(principal: Annotated[Principal, Depends(current_user)]) -> Principal:
    """A caller allowed to change the stack itself, not only deploy to it."""
    if not principal.is_admin:
        raise HTTPException(
            status_code=403,
            detail=error_body(
                f"token {principal.name!r} has the {principal.role.value} role; "
                "this needs an admin token"
            )["detail"],
        )
    return principal


def current_instance(
    db: Annotated[Database, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Instance:
    """The instance whose agent credential was presented."""
    token = _token(credentials)
    with db.transaction() as session:
        instance = agent_credentials.authenticate(session, tokens.hash_token(token))
    if instance is None:
        raise _unauthorized("invalid agent credential")
    return instance


User = Annotated[Principal, Depends(current_user)]
Admin = Annotated[Principal, Depends(admin_user)]
AgentInstance = Annotated[Instance, Depends(current_instance)]
DatabaseDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SignalDep = Annotated[CommandSignal, Depends(get_signal)]


def stack_named(session: Session, name: str) -> Stack:
    return stack_store.get_by_name(session, name)
