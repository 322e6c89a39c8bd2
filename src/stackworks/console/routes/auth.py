"""Log in and out: the console's session (console/session.py) over the API's login token."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from stackworks.api.access import SESSION_COOKIE, Anonymous
from stackworks.api.deps import DatabaseDep
from stackworks.console.access import ConsoleUser
from stackworks.console.error_pages import login_page, safe_next
from stackworks.console.forms import Form
from stackworks.console.rendering import render
from stackworks.console.session import (
    LOGIN_CSRF_COOKIE,
    clear_session,
    new_login_csrf,
    set_login_csrf,
    set_session,
)
from stackworks.control import users as user_control
from stackworks.store import tokens as token_store
from stackworks.wire import schemas

router = APIRouter(include_in_schema=False)

#: what a wrong name or password is told: the same for both, nothing more
WRONG_LOGIN = "Wrong user name or password."


@router.get("/login")
def login_form(request: Request, _anyone: Anonymous, next: str = "/") -> Response:
    csrf = new_login_csrf()
    response = render(
        request,
        "login.html",
        {"error": "", "login_csrf": csrf, "next": safe_next(next), "name": ""},
    )
    set_login_csrf(response, request, csrf)
    return response


@router.post("/login")
def login(request: Request, form: Form, db: DatabaseDep, _anyone: Anonymous) -> Response:
    """A session for a right name and password (a 303 to `next`); the form again otherwise,
    401 for a wrong password (so the failed-authentication throttle counts it)."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = form.get("login_csrf")
    if not cookie or not hmac.compare_digest(cookie, sent):
        return login_page(request, "The login form expired: please try again.", 400)
    try:
        body = schemas.LoginRequest(name=form.get("name"), password=form.get("password"))
    except ValidationError:
        return _again(request, form, "Enter a user name and a password.", 422)
    with db.transaction() as session:
        found = user_control.login(session, body.name, body.password)
    if found is None:
        return _again(request, form, WRONG_LOGIN, 401)
    _user, token, expires_at = found
    response = RedirectResponse(safe_next(form.get("next", "/")), status_code=303)
    set_session(response, request, token, expires_at)
    return response


def _again(request: Request, form: Form, message: str, status_code: int) -> Response:
    csrf = new_login_csrf()
    context = {
        "error": message,
        "login_csrf": csrf,
        "next": safe_next(form.get("next", "/")),
        "name": form.get("name"),
    }
    response = render(request, "login.html", context, status_code=status_code)
    set_login_csrf(response, request, csrf)
    return response


@router.post("/logout")
def logout(request: Request, db: DatabaseDep, _me: ConsoleUser) -> Response:
    """End the session: its token is deleted, so the cookie is worth nothing even if kept."""
    with db.transaction() as session:
        token_store.revoke_secret(session, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    clear_session(response, request)
    return response
