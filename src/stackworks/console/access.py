"""The console's route declarations: api/access.py's own, reading the session cookie, plus CSRF.

Every console route takes exactly one of these (the permission matrix test walks them with the
API's): the level decisions, refusals (401, 403, 404) and `request.state.principal` are those
of the API's declarations, built with `Via.SESSION_COOKIE`. What this adds: a request that
changes state (any method but GET and HEAD) must carry the session's CSRF token (session.py),
else 403, checked after the caller's level so a refused caller learns no more than from the API.

    def stack_page(stack: str, ..., user: ConsoleShowStack) -> HTMLResponse: ...
    def add_instance(stack: str, form: Form, ..., user: ConsoleManageStack) -> Response: ...
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from stackworks.api.access import (
    AnyUserToken,
    Declaration,
    Requires,
    ServerAdminToken,
    Via,
)
from stackworks.api.errors import error_body
from stackworks.console.forms import read_form
from stackworks.console.session import CSRF_FIELD, CSRF_HEADER, csrf_matches
from stackworks.domain.access import Level, Principal

SAFE_METHODS = frozenset({"GET", "HEAD"})


async def require_csrf(request: Request) -> None:
    """403 unless the request carries its session's CSRF token (header or form field)."""
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        presented = (await read_form(request)).get(CSRF_FIELD) or None
    if not csrf_matches(request, presented):
        raise HTTPException(
            status_code=403,
            detail=error_body("missing or wrong CSRF token: reload the page and try again")[
                "detail"
            ],
        )


class SessionDeclaration(Declaration):
    """An API declaration (built `via=Via.SESSION_COOKIE`), checked, then the CSRF token."""

    def __init__(self, inner: Declaration) -> None:
        self.inner = inner
        self.access = inner.access

    def check(self, request: Request) -> Principal:
        found = self.inner.check(request)
        assert isinstance(found, Principal)
        return found

    async def __call__(self, request: Request) -> Principal:
        principal = await run_in_threadpool(self.check, request)
        if request.method not in SAFE_METHODS:
            await require_csrf(request)
        return principal


ConsoleUser = Annotated[
    Principal, Depends(SessionDeclaration(AnyUserToken(via=Via.SESSION_COOKIE)))
]
ConsoleServerAdmin = Annotated[
    Principal, Depends(SessionDeclaration(ServerAdminToken(via=Via.SESSION_COOKIE)))
]
ConsoleShowStack = Annotated[
    Principal, Depends(SessionDeclaration(Requires(Level.SHOW, via=Via.SESSION_COOKIE)))
]
ConsoleDeployStack = Annotated[
    Principal, Depends(SessionDeclaration(Requires(Level.DEPLOY, via=Via.SESSION_COOKIE)))
]
ConsoleManageStack = Annotated[
    Principal, Depends(SessionDeclaration(Requires(Level.MANAGE, via=Via.SESSION_COOKIE)))
]
