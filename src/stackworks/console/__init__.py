"""The web console: server-rendered pages over the same control functions and route
declarations as the REST API, served by `stackworks server` at `/`.

- `access.py`: the console's route declarations (api/access.py's, from the session cookie, plus
  the CSRF check); `session.py`: the cookie and the CSRF token; `levels.py`: what a user may do
  on a stack, for templates; `navigation.py`: the nav link lists other modules add to;
- `rendering.py`: the Jinja2 environment, `render` and `fragment`; `error_pages.py`: API errors
  as pages for console paths; `forms.py`: urlencoded forms, custom JSON with line and column;
- `live.py`: server-sent events that swap page fragments; `health.py`: statuses as OpsWorks'
  summary groups them;
- `routes/`: one module per page area, collected in `routes/__init__.py`;
- `templates/` (base.html is the layout) and `static/` (our own CSS and JS, nothing third-party).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from stackworks.console import error_pages
from stackworks.console.rendering import STATIC_PREFIX
from stackworks.console.routes import ROUTERS

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serve the console on `app` at `/` (after the API's routers and error handlers)."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC), name="console-static")
    error_pages.install(app)
