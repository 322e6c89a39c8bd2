"""The FastAPI application: routers, error handlers, and the orchestrator's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from stackworks import __version__
from stackworks.api import errors
from stackworks.api.audit import AuditMiddleware
from stackworks.api.deps import User
from stackworks.api.routes import (
    agent,
    agent_credentials,
    apps,
    audit,
    deployments,
    documents,
    instances,
    layers,
    resources,
    scaling,
    stacks,
    tokens,
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
) -> FastAPI:
    """The server's app; `run_orchestrator=False` gives the API alone, for tests that drive it."""
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
    )
    app.state.db = db
    app.state.settings = settings
    app.state.providers = providers
    app.state.signal = signal
    app.state.orchestrator = orchestrator
    errors.install(app)
    app.add_middleware(AuditMiddleware, db=db, prefix=API_PREFIX)
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
    ):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/health", tags=["health"])
    def health(_user: User) -> dict[str, str]:
        """Whether the server answers, and its version (a token is needed, as everywhere)."""
        return {"status": "ok", "version": __version__}

    return app
