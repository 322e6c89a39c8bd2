"""Errors of console pages as HTML pages; the API's paths keep their JSON answers.

The API's handlers (api/errors.py) stay in charge of every error; for a request outside
`/api/` this turns their answer into a page: the login form for a 401 (a browser with no
session at all is sent there by a 303 instead, which is not a failed authentication and so
does not count against the throttle), and an error page with the message for anything else.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from stackworks.api.access import SESSION_COOKIE
from stackworks.console.rendering import render
from stackworks.console.session import clear_session, new_login_csrf, set_login_csrf
from stackworks.domain.errors import DomainError

Handler = Callable[[Request, Any], Response | Awaitable[Response]]

#: paths that are not console pages: their errors stay JSON
JSON_PREFIXES = ("/api/", "/openapi.json", "/docs", "/redoc")

TITLES = {
    400: "Cannot do that",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many attempts",
}


def is_console_path(path: str) -> bool:
    return not path.startswith(JSON_PREFIXES)


def login_page(request: Request, message: str, status_code: int) -> Response:
    """The login form, with `message` (never more than the API's own message says); after
    the login the browser comes back to the page it asked for (to / after a refused change,
    which a GET of its path would not repeat)."""
    csrf = new_login_csrf()
    back = safe_next(request.url.path) if request.method == "GET" else "/"
    response = render(
        request,
        "login.html",
        {"error": message, "login_csrf": csrf, "next": back, "name": ""},
        status_code=status_code,
    )
    set_login_csrf(response, request, csrf)
    return response


def safe_next(path: str) -> str:
    """A path to return to after the login: only a path of this site, never another host."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return "/" if path.startswith(("/login", "/logout")) else path


def _message(answer: Response) -> str:
    try:
        detail = json.loads(bytes(answer.body))["detail"]
        return str(detail.get("message") if isinstance(detail, dict) else detail)
    except (ValueError, KeyError, TypeError, AttributeError):
        return "the request failed"


def page_for(request: Request, answer: Response) -> Response:
    """The page for the API's error `answer` to a console request."""
    status = answer.status_code
    if status == 401:
        if SESSION_COOKIE not in request.cookies and request.method in ("GET", "HEAD"):
            target = f"/login?next={quote(safe_next(request.url.path))}"
            return RedirectResponse(target, status_code=303)
        page = login_page(request, "Your session has ended: log in again.", 401)
        clear_session(page, request)
        return page
    page = render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "Error"), "message": _message(answer)},
        status_code=status,
    )
    retry = answer.headers.get("retry-after")
    if retry:
        page.headers["Retry-After"] = retry
    return page


def install(app: FastAPI) -> None:
    """Wrap the app's error handlers (install after api/errors.py `install`)."""
    for kind in (HTTPException, DomainError, RequestValidationError):
        app.add_exception_handler(kind, _wrapping(app.exception_handlers[kind]))


def _wrapping(api_handler: Handler) -> Handler:
    async def handler(request: Request, error: Exception) -> Response:
        answer = api_handler(request, error)
        if inspect.isawaitable(answer):
            answer = await answer
        if not is_console_path(request.url.path):
            return answer
        return page_for(request, answer)

    return handler
