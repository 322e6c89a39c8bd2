"""Domain errors, request validation errors and HTTP exceptions, as HTTP answers: all in one
place.

Every error answer has one shape: `{"detail": {"message": str, "field": str | null}}` (the
OpenAPI document declares it for every operation, `ERROR_RESPONSES`), so the CLI and the
console can show the message and point at the field.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import Scope

from stackworks.api.thread_lanes import Shed
from stackworks.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from stackworks.store import contention
from stackworks.wire.schemas import ErrorOut

STATUS = {InvalidInput: 422, NotFound: 404, Conflict: 409, Forbidden: 403, Unauthenticated: 401}

#: the error answers any operation may give, as the OpenAPI document declares them: from the
#: domain errors above, the auth dependencies (401, 403) and the request limits (413, 429)
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "The request cannot be carried out"),
        (401, "No token, or one the server does not know"),
        (403, "The token may not do this"),
        (404, "No such stack, layer, app, instance, ..."),
        (409, "It conflicts with the current state"),
        (413, "The body is larger than the server's limit"),
        (422, "A field is invalid (named in detail.field)"),
        (429, "Too many failed authentications from this address"),
        (503, "Busy: the database rolled it back, or the agents' work is backed up; retry"),
    )
}


def error_body(message: str, field: str | None = None) -> dict[str, dict[str, str | None]]:
    return {"detail": {"message": message, "field": field}}


#: how a middleware answers a request it refuses before any route runs (too large, nested too
#: deep, throttled): (scope, status, message, field, headers) -> the response. The default is
#: the API's one shape; the OpsWorks endpoint's paths get AWS's (opsworks/wire.py)
EarlyAnswer = Callable[[Scope, int, str, str | None, dict[str, str]], Response]


def early_answer(
    _scope: Scope, status: int, message: str, field: str | None, headers: dict[str, str]
) -> Response:
    return JSONResponse(error_body(message, field), status_code=status, headers=headers)


def _field_path(location: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


#: answers a request whose body or parameters fail validation when its caller may not call the
#: route at all: the refusal, not the 422
PreCheck = Callable[[Request], JSONResponse | None]


def install(app: FastAPI, refuse_before_422: PreCheck | None = None) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        # the auth dependencies raise their detail in the one shape already; FastAPI's own
        # (a body that is not UTF-8: "There was an error parsing the body") is a bare string
        detail: object = error.detail
        if not (isinstance(detail, dict) and "message" in detail):
            detail = error_body(str(detail))["detail"]
        return JSONResponse(
            {"detail": detail}, status_code=error.status_code, headers=error.headers
        )

    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, error: DomainError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            error_body(error.message, error.field), status_code=status, headers=headers
        )

    @app.exception_handler(Shed)
    async def shed(_request: Request, error: Shed) -> JSONResponse:
        return JSONResponse(
            error_body(str(error)),
            status_code=503,
            headers={"Retry-After": str(error.retry_after)},
        )

    @app.exception_handler(DBAPIError)
    async def database_error(_request: Request, error: DBAPIError) -> JSONResponse:
        if not contention.gave_way(error):
            raise error  # a fault of the server: 500, its traceback in the server's log
        return JSONResponse(
            error_body(
                "the database rolled this request's transaction back to let a concurrent one "
                "finish (a deadlock or serialization failure): send it again"
            ),
            status_code=503,
            headers={"Retry-After": str(contention.RETRY_AFTER)},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        if refuse_before_422 is not None:
            refused = await run_in_threadpool(refuse_before_422, request)
            if refused is not None:
                return refused
        problems = []
        first_field = None
        for item in error.errors():
            field = _field_path(item.get("loc", ()))
            message = str(item.get("msg", "invalid"))
            if item.get("type") == "json_invalid":
                position = item.get("loc", ("body", "?"))[-1]
                reason = item.get("ctx", {}).get("error", "invalid")
                field, message = "body", f"not valid JSON ({reason}) at character {position}"
            first_field = first_field or field
            problems.append(f"{field}: {message}")
        return JSONResponse(error_body("; ".join(problems), first_field), status_code=422)
