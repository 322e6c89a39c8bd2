"""The console's session: a login token in an HttpOnly cookie, and the CSRF token derived from it.

The session cookie holds a token of `POST /api/v1/login`'s kind (control/users.py `login`: it
expires after 12 hours, it is stored hashed, a logout deletes it), so the console and the API
share one token table and one way to check a token. The cookie is HttpOnly (page scripts never
see it), SameSite=Strict (other sites' pages never send it) and Secure when the console is
served over TLS.

CSRF: every state-changing console request must carry `csrf_token(session token)` in a
`csrf_token` form field or an `X-CSRF-Token` header. It is an HMAC of a fixed label keyed by the
session token, so it is per session, needs no table, and cannot be made without the cookie a
cross-site page cannot read. The login form, before any session, uses a double-submit token: a
random value both in a short-lived cookie and in the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from stackworks.api.access import SESSION_COOKIE

#: the login form's double-submit cookie (no session exists yet when the form is shown)
LOGIN_CSRF_COOKIE = "stackworks_login_csrf"
#: the form field and the header a state-changing request carries its CSRF token in
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_LABEL = b"stackworks console csrf v1"


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session (the same for the session's whole life)."""
    return hmac.new(session_token.encode(), _LABEL, hashlib.sha256).hexdigest()


def request_csrf_token(request: Request) -> str | None:
    """The CSRF token the pages of this request's session carry; None without a session."""
    session_token = request.cookies.get(SESSION_COOKIE)
    return csrf_token(session_token) if session_token else None


def csrf_matches(request: Request, presented: str | None) -> bool:
    expected = request_csrf_token(request)
    return bool(expected and presented) and hmac.compare_digest(expected or "", presented or "")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, token: str, expires_at: datetime) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        expires=expires_at,
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_tls(request),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")


def clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=is_tls(request)
    )


def set_login_csrf(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        value,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=is_tls(request),
    )
