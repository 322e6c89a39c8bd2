"""The console's routers, in the order the app includes them.

Adding a page module is one line here: write `console/routes/<area>.py` with a `router`
(`APIRouter(include_in_schema=False)`), one console declaration (console/access.py) per route,
and append the module below. Its routes then need a line each in the permission matrix test's
`EXPECTED` and in docs/security.md, "Routes by level".
"""

from __future__ import annotations

from fastapi import APIRouter

from stackworks.console.routes import (
    auth,
    catalog,
    deployments,
    instances,
    layer_settings,
    monitoring,
    operations,
    stack_json,
    stack_page,
    stacks,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    stacks.router,
    stack_page.router,
    catalog.router,
    instances.router,
    deployments.router,
    monitoring.router,
    layer_settings.router,
    stack_json.router,
    operations.router,
]
