"""The FastAPI application: routers, error handlers, and the orchestrator's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from stackworks import __version__, console
from stackworks.api import errors
from stackworks.api.access import AnyUser, refuse_unparsed
from stackworks.api.audit import AuditMiddleware
from stackworks.api.auth_throttle import FailedAuthThrottle
from stackworks.api.body_limits import BodyLimits
from stackworks.api.limits import RequestLimits
from stackworks.api.routes import (
    agent,
    agent_credentials,
    apps,
    audit,
    deployments,
    documents,
    instances,
    layers,
    me,
    permissions,
    resources,
    scaling,
    stacks,
    tokens,
    users,
)
from stackworks.control.orchestrator import Orchestrator
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.store.db import Database

API_PREFIX = "/api/v1"


def create_app(
    db: Database,
    settings: Settings,
    providers: Mapping[str, Any],
    *,
    run_orchestrator: bool = True,
    limits: RequestLimits | None = None,
) -> FastAPI:
    """The server's app; `run_orchestrator=False` gives the API alone, for tests that drive it.
    `limits` (default: from the environment, api/limits.py) bound what one request may ask."""
    limits = limits or RequestLimits()
    signal = CommandSignal()
    orchestrator = Orchestrator(db, settings, providers, signal)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_orchestrator:
            orchestrator.start()
        try:
            yield
        finally:
            if run_orchestrator:
                orchestrator.stop()

    app = FastAPI(
        title="Stackworks",
        version=__version__,
        description="Stacks, layers, apps, instances and deployments of a Python web cluster.",
        lifespan=lifespan,
        responses=errors.ERROR_RESPONSES,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.providers = providers
    app.state.signal = signal
    app.state.orchestrator = orchestrator
    errors.install(app, refuse_unparsed)
    app.add_middleware(AuditMiddleware, db=db, prefix=API_PREFIX, outside_prefix=True)
    # the last added runs first: a throttled address is refused before its body is read, and
    # a body over the limits before the audit middleware sees it
    app.add_middleware(BodyLimits, max_bytes=limits.max_body_bytes, max_depth=limits.max_json_depth)
    app.add_middleware(
        FailedAuthThrottle, max_failures=limits.auth_failures, window=limits.auth_window
    )
    for module in (
        stacks,
        layers,
        apps,
        instances,
        deployments,
        documents,
        agent,
        agent_credentials,
        tokens,
        scaling,
        resources,
        audit,
        users,
        me,
        permissions,
    ):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/health", tags=["health"])
    def health(_user: AnyUser) -> dict[str, str]:
        """Whether the server answers, and its version (a token is needed, as everywhere)."""
        return {"status": "ok", "version": __version__}

    console.install(app)  # the web console at /, after the API (its error pages wrap the API's)
    return app
