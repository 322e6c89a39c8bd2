"""The FastAPI application: routers, error handlers, and the lifetime of the orchestrator, its
election (control/leadership.py) and, on PostgreSQL, the wake-ups shared with the other
replicas (store/wakeups.py)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from stackworks import __version__, console, opsworks
from stackworks.api import errors
from stackworks.api.access import refuse_before_422
from stackworks.api.audit import AuditMiddleware
from stackworks.api.auth_throttle import FailedAuthThrottle
from stackworks.api.body_limits import BodyLimits
from stackworks.api.heartbeat_batches import HeartbeatBatches
from stackworks.api.lane_watch import LaneWatch
from stackworks.api.limits import RequestLimits
from stackworks.api.poll_hub import PollHub
from stackworks.api.poll_looks import PollLooks
from stackworks.api.result_batches import ResultBatches
from stackworks.api.routes import (
    access_keys,
    agent,
    agent_credentials,
    apps,
    audit,
    deployments,
    documents,
    health,
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
from stackworks.api.thread_lanes import ThreadLanes
from stackworks.control import leadership
from stackworks.control.orchestrator import Orchestrator
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.opsworks import wire as opsworks_wire
from stackworks.store.db import Database
from stackworks.store.wakeups import Wakeups

API_PREFIX = "/api/v1"


def telemetry_off() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry hooks, off, where its version has them (0.16x): Stackworks
    exports no traces or metrics, and left on they looked up the global providers (an
    os.environ read each) on every request, 7% of the server's CPU in a 1,000-agent fan-out
    (bench/agents_bench.py)."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


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
    wakeups = None if db.is_sqlite else Wakeups(db.url, signal.wake)
    if wakeups is not None:
        signal.relay_to(wakeups.publish)
    elector = leadership.elector_for(db, settings.replica)
    # without its thread (tests tick it by hand) the orchestrator is not elected, nor fenced
    orchestrator = Orchestrator(
        db, settings, providers, signal, elector=elector if run_orchestrator else None
    )
    lanes = ThreadLanes()
    poll_hub = PollHub(db, signal, lanes)
    result_batches = ResultBatches(db, lanes)
    poll_looks = PollLooks(db, lanes)
    # the app's settings and pacer at each batch, as a route's dependencies at each request
    heartbeat_batches = HeartbeatBatches(
        db, lanes, lambda: app.state.settings, lambda: app.state.pacer
    )
    lane_watch = LaneWatch(lanes)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if wakeups is not None:
            wakeups.start()
        lane_watch.start()
        if run_orchestrator:
            elector.start()
            orchestrator.start()
        try:
            yield
        finally:
            await lane_watch.stop()
            await poll_hub.close()
            await result_batches.close()
            await heartbeat_batches.close()
            await poll_looks.close()
            if run_orchestrator:
                orchestrator.stop()
                elector.stop()  # after the orchestrator: no pass runs once the lock is let go
            if wakeups is not None:
                wakeups.stop()

    app = FastAPI(
        title="Stackworks",
        version=__version__,
        description="Stacks, layers, apps, instances and deployments of a Python web cluster.",
        lifespan=lifespan,
        responses=errors.ERROR_RESPONSES,
        **telemetry_off(),
    )
    app.state.db = db
    app.state.settings = settings
    app.state.providers = providers
    app.state.signal = signal
    app.state.lanes = lanes
    app.state.poll_hub = poll_hub
    app.state.result_batches = result_batches
    app.state.heartbeat_batches = heartbeat_batches
    app.state.poll_looks = poll_looks
    app.state.orchestrator = orchestrator
    app.state.pacer = orchestrator.pacer
    app.state.elector = elector
    app.state.wakeups = wakeups
    errors.install(app, refuse_before_422)
    app.add_middleware(
        AuditMiddleware,
        db=db,
        prefix=API_PREFIX,
        outside_prefix=True,
        own_records=(opsworks.ENDPOINT_PATH,),  # it writes its own entries, secrets masked
    )
    # the last added runs first: a throttled address is refused before its body is read, and
    # a body over the limits before the audit middleware sees it
    answer = opsworks_wire.early_answers(errors.early_answer)  # AWS's shape under /opsworks
    app.add_middleware(
        BodyLimits,
        max_bytes=limits.max_body_bytes,
        max_depth=limits.max_json_depth,
        answer=answer,
    )
    app.add_middleware(
        FailedAuthThrottle,
        max_failures=limits.auth_failures,
        window=limits.auth_window,
        answer=answer,
    )
    # the agent routes first: a router tries its routes in order, and agents make most calls
    for module in (
        agent,
        stacks,
        layers,
        apps,
        instances,
        deployments,
        documents,
        agent_credentials,
        tokens,
        scaling,
        resources,
        audit,
        users,
        me,
        permissions,
        health,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(access_keys.mine, prefix=API_PREFIX)
    app.include_router(access_keys.theirs, prefix=API_PREFIX)

    opsworks_wire.install(app, limits.max_json_depth)

    console.install(app)  # the web console at /, after the API (its error pages wrap the API's)
    return app
