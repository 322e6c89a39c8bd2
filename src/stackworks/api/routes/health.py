"""/health (for users: the version, and which replica runs the orchestrator) and /healthz (for
a load balancer in front of replicas: ready or not, with no credential and nothing else said)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from stackworks import __version__
from stackworks.api.access import Anonymous, AnyUser
from stackworks.api.deps import DatabaseDep, SettingsDep
from stackworks.control.leadership import Elector
from stackworks.store import leadership as leadership_store
from stackworks.wire.health import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/health")
def health(db: DatabaseDep, settings: SettingsDep, request: Request, _user: AnyUser) -> Health:
    """Whether the server answers, its version, and which replica runs the orchestrator (a
    token is needed, as everywhere)."""
    elector: Elector = request.app.state.elector
    with db.transaction() as session:
        lead = leadership_store.current(session)
    return Health(
        status="ok",
        version=__version__,
        replica=settings.replica,
        leading=elector.is_leader,
        leader=lead.holder or None,
        epoch=lead.epoch,
        orchestrating_since=elector.first_pass_at,
    )


@router.get(
    "/healthz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "the database does not answer"}},
)
async def ready(db: DatabaseDep, _anyone: Anonymous) -> Readiness | JSONResponse:
    """Readiness, for HAProxy's health check: 200 while this replica reaches its database,
    503 while it does not. No credential, and nothing said but that."""
    if await run_in_threadpool(db.answers):
        return Readiness(status="ready")
    return JSONResponse({"status": "unavailable"}, status_code=503)
