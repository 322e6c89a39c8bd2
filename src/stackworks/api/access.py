"""Route declarations: the one place that says who may call each API route.

Every route takes exactly one of these as a parameter (docs/security.md, "Permissions"):

    def create_deployment(stack: str, ..., user: DeployStack) -> ...   # deploy on {stack}
    def create_user(..., _admin: ServerAdmin) -> ...                   # server admins
    def whoami(me: AnyUser) -> ...                                     # any valid user token
    def heartbeat(..., agent: AgentOnly) -> ...                        # an agent credential
    def login(..., _anyone: Anonymous) -> ...                          # no credential at all

A declaration is a FastAPI dependency object carrying its `RouteAccess`; `route_table` finds
it again from each route, which is how the permission matrix test walks the route table.
Dependencies run before the request body is validated, so a refused caller gets 401, 403 or
404, never a 422 that would confirm the route and stack exist; and every 422 is preceded by the
route's whole check (`refuse_before_422`), for the two cases where the dependency did not
decide: a body too broken to parse (FastAPI parses it before any dependency), and the agent
routes, whose declaration only reads the credential for the route to check in its own
transaction (`api/agent_calls.py`).

A user declaration reads its token from `Authorization: Bearer` by default; built with
`via=Via.SESSION_COOKIE` it reads the console's session cookie instead (the console wraps those
in console/access.py, which adds the CSRF check): one set of decisions for both.

Refusals: no or unknown credential 401 (user routes take no agent credential, agent routes no
user token); below show on a stack 404, as if it did not exist; below the needed level 403,
saying which level is needed and which the caller has. The caller's `Principal` is put on
`request.state.principal` for whatever runs after (the audit log).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from stackworks.api.agent_calls import AgentCall
from stackworks.api.errors import error_body
from stackworks.control.permissions import decide_on_stack
from stackworks.domain.access import (
    Audience,
    Decision,
    Level,
    Principal,
    Refusal,
    RouteAccess,
    decide_admin,
)
from stackworks.domain.entities import Instance
from stackworks.domain.errors import NotFound, Unauthenticated
from stackworks.store import registration_tokens, tokens
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database

_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=error_body(message)["detail"],
        headers={"WWW-Authenticate": "Bearer"},
    )


def _refuse(decision: Decision) -> None:
    if decision.refusal is Refusal.FORBIDDEN:
        raise HTTPException(status_code=403, detail=error_body(decision.message)["detail"])
    if decision.refusal is Refusal.UNAUTHENTICATED:
        raise unauthorized(decision.message)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if the request has one."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


#: the console's session cookie: a login token (control/users.py `login`), HttpOnly
SESSION_COOKIE = "stackworks_session"


class Via(Enum):
    """Where a user declaration finds the caller's token."""

    BEARER = "bearer"  # the API: Authorization: Bearer <token>
    SESSION_COOKIE = "session cookie"  # the console: the SESSION_COOKIE cookie, never a header


def user_token(request: Request, via: Via) -> str | None:
    if via is Via.SESSION_COOKIE:
        return request.cookies.get(SESSION_COOKIE) or None
    return bearer_token(request)


def _authenticate(session: Session, request: Request, via: Via = Via.BEARER) -> Principal:
    token = user_token(request, via)
    if token is None:
        if via is Via.SESSION_COOKIE:
            raise unauthorized("not logged in")
        raise unauthorized("missing API token (Authorization: Bearer ...)")
    found = tokens.authenticate(session, token)
    if isinstance(found, str):
        raise unauthorized(found)
    request.state.principal = found.principal
    return found.principal


def authenticate_user(request: Request, via: Via = Via.BEARER) -> Principal:
    """The user behind the token presented (an agent credential is not one); 401 otherwise."""
    with _db(request).transaction() as session:
        return _authenticate(session, request, via)


class Declaration:
    """Base of the route declarations: a dependency that knows what it requires.

    `check` does the whole decision from the request alone (headers and path), so it serves
    as the dependency and before any 422 (`refuse_before_422`).
    The `credentials` parameter of each `__call__` only shows the bearer scheme in OpenAPI.
    """

    access: RouteAccess

    def check(self, request: Request) -> Principal | Instance | str | None:
        raise NotImplementedError


class Anyone(Declaration):
    """No credential needed: the console's login (it authenticates by itself) and the load
    balancer's readiness check (it tells nothing but ready or not)."""

    access = RouteAccess(Audience.ANONYMOUS)

    def check(self, request: Request) -> None:
        return None

    def __call__(self) -> None:
        return None


class AnyUserToken(Declaration):
    access = RouteAccess(Audience.ANY_USER)

    def __init__(self, via: Via = Via.BEARER) -> None:
        self.via = via

    def check(self, request: Request) -> Principal:
        return authenticate_user(request, self.via)

    def __call__(self, request: Request, credentials: Credentials) -> Principal:
        return self.check(request)


class ServerAdminToken(Declaration):
    access = RouteAccess(Audience.SERVER_ADMIN)

    def __init__(self, via: Via = Via.BEARER) -> None:
        self.via = via

    def check(self, request: Request) -> Principal:
        principal = authenticate_user(request, self.via)
        _refuse(decide_admin(principal))
        return principal

    def __call__(self, request: Request, credentials: Credentials) -> Principal:
        return self.check(request)


class Requires(Declaration):
    """At least `level` on the stack named by the route's `{stack}` path parameter."""

    def __init__(self, level: Level, via: Via = Via.BEARER) -> None:
        self.access = RouteAccess(Audience.STACK, level)
        self.level = level
        self.via = via

    def check(self, request: Request) -> Principal:
        stack = str(request.path_params["stack"])
        with _db(request).transaction() as session:  # one transaction: token, stack, level
            principal = _authenticate(session, request, self.via)
            if principal.is_admin:
                return principal  # manage everywhere; an unknown stack is the route's own 404
            found = stack_store.find_by_name(session, stack)
            decision = decide_on_stack(session, principal, found, stack, self.level)
        if decision.refusal is Refusal.HIDDEN:
            raise NotFound("stack", stack)
        _refuse(decision)
        return principal

    def __call__(self, request: Request, stack: str, credentials: Credentials) -> Principal:
        return self.check(request)


class AgentCredential(Declaration):
    """An agent's credential. As a dependency it only reads it: the route checks it in its own
    transaction (`AgentCall.run`), one trip to the database per agent request, not two."""

    access = RouteAccess(Audience.AGENT)

    def check(self, request: Request) -> Instance:
        return self._call(request).run_here(lambda _session, instance: instance)

    async def __call__(self, request: Request, credentials: Credentials) -> AgentCall:
        return self._call(request)

    def _call(self, request: Request) -> AgentCall:
        return AgentCall(_db(request), _agent_credential_hash(request), request)


def _agent_credential_hash(request: Request) -> str:
    credential = bearer_token(request)
    if credential is None:
        raise unauthorized("missing agent credential (Authorization: Bearer ...)")
    return tokens.hash_token(credential)


class RegistrationTokenBearer(Declaration):
    """A host's one-time registration token: checked here, spent by the registration itself
    (in the transaction that creates the instance), so a refused registration keeps it."""

    access = RouteAccess(Audience.REGISTRATION)

    def check(self, request: Request) -> str:
        token = bearer_token(request)
        if token is None:
            raise unauthorized("missing registration token (Authorization: Bearer ...)")
        try:
            with _db(request).transaction() as session:
                registration_tokens.check(session, token)
        except Unauthenticated as refused:
            raise unauthorized(refused.message) from None
        return token

    def __call__(self, request: Request, credentials: Credentials) -> str:
        return self.check(request)


Anonymous = Annotated[None, Depends(Anyone())]
AnyUser = Annotated[Principal, Depends(AnyUserToken())]
ServerAdmin = Annotated[Principal, Depends(ServerAdminToken())]
ShowStack = Annotated[Principal, Depends(Requires(Level.SHOW))]
DeployStack = Annotated[Principal, Depends(Requires(Level.DEPLOY))]
ManageStack = Annotated[Principal, Depends(Requires(Level.MANAGE))]
AgentOnly = Annotated[AgentCall, Depends(AgentCredential())]
RegistrationBearer = Annotated[str, Depends(RegistrationTokenBearer())]


def _walk(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _walk(sub)


@dataclass(frozen=True)
class DeclaredRoute:
    """One route of the app, as the route table has it, with the declarations it makes."""

    methods: frozenset[str]
    path: str  # the full path format, e.g. /api/v1/stacks/{stack}/layers
    params: tuple[str, ...]  # path parameter names
    has_body: bool
    is_api: bool  # False for FastAPI's own pages (/openapi.json, /docs, ...)
    declarations: tuple[RouteAccess, ...]


def route_table(app: FastAPI) -> list[DeclaredRoute]:
    """Every route of `app` (walking `app.routes`, included routers and all) and what each
    declares: a well-declared API route has exactly one declaration."""
    table = []
    for context in iter_route_contexts(app.routes):
        is_api = isinstance(context.original_route, APIRoute)
        declarations: tuple[RouteAccess, ...] = ()
        if is_api:
            declarations = tuple(
                call.access for call in _walk(context.dependant) if isinstance(call, Declaration)
            )
        table.append(
            DeclaredRoute(
                methods=frozenset(context.methods or ()),
                path=str(context.path_format or context.path),
                params=tuple(getattr(context, "param_convertors", {}) or ()),
                has_body=is_api and context.body_field is not None,
                is_api=is_api,
                declarations=declarations,
            )
        )
    return table


def refuse_before_422(request: Request) -> JSONResponse | None:
    """The refusal a caller gets instead of a 422 it may not see.

    FastAPI parses the body before it runs any dependency, and an agent route checks its
    credential only in its own work, so without this a caller the route refuses would learn
    from a 422 that the route and its stack exist. None: the caller may call the route, and
    the 422 stands.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return None
    for call in _walk(route.dependant):
        if not isinstance(call, Declaration):
            continue
        try:
            call.check(request)
        except HTTPException as refused:
            return JSONResponse(
                {"detail": refused.detail}, refused.status_code, headers=refused.headers
            )
        except NotFound as hidden:
            return JSONResponse(error_body(hidden.message, hidden.field), 404)
    return None
