"""Rendering console pages: one Jinja2 environment over the package's templates.

    return render(request, "stack.html", {"stack": stack, "can": can}, status_code=200)

Every template gets, besides its own context: `principal` (the logged-in user, or None),
`csrf_token` (for the hidden field of each form: `{{ csrf_field() }}`), `main_links`,
`stack_links`, `layer_links` and `instance_links` (console/navigation.py), and `static(path)`
(a URL of a file in console/static, with the package version to bust caches).
`fragment(request, template, context)` renders a partial (an instance row, a command's status)
to a string for the live streams.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from stackworks import __version__
from stackworks.console.navigation import INSTANCE_LINKS, LAYER_LINKS, MAIN_LINKS, STACK_LINKS
from stackworks.console.session import CSRF_FIELD, request_csrf_token

TEMPLATES = Path(__file__).parent / "templates"
STATIC_PREFIX = "/static"


def static_url(path: str) -> str:
    return f"{STATIC_PREFIX}/{path}?v={__version__}"


def when(value: datetime | None) -> str:
    """A time as the console shows it: UTC, to the second."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(start: datetime | None, end: datetime | None) -> str:
    """How long from `start` to `end` (or to now, for what still runs), as 1h 2m 3s."""
    if start is None:
        return ""
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    stop = end or datetime.now(UTC)
    if stop.tzinfo is None:
        stop = stop.replace(tzinfo=UTC)
    seconds = max(0, int((stop - start).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m {seconds}s"
    return f"{minutes}m {seconds}s" if minutes else f"{seconds}s"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(
        static=static_url,
        main_links=MAIN_LINKS,
        stack_links=STACK_LINKS,
        layer_links=LAYER_LINKS,
        instance_links=INSTANCE_LINKS,
    )
    env.filters.update(when=when)
    env.globals.update(duration=duration)
    return env


def _csrf_field(token: str | None) -> Markup:
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token or "")}">')


def page_context(request: Request) -> dict[str, Any]:
    """The context every page shares (see the module docstring)."""
    token = request_csrf_token(request)
    field = _csrf_field(token)  # made once: a page of 100 instances has 100 forms
    return {
        "request": request,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": token or "",
        "csrf_field": lambda: field,
    }


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page from `template`, with the shared context, as an HTML answer."""
    html = environment().get_template(template).render({**page_context(request), **context})
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def fragment(request: Request, template: str, context: dict[str, Any]) -> str:
    """A partial template (an instance row, a command) rendered to text, for a live stream."""
    return environment().get_template(template).render({**page_context(request), **context})


#: every console page: no framing by other sites, no sniffing, scripts and styles only our own
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
