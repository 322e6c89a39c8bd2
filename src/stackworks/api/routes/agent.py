"""/agent: what agents call, with their instance's own credential (docs/agent-protocol.md).

A credential names one instance: every route acts for that instance only, and a command of any
other instance is answered as unknown.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from stackworks.api import audit
from stackworks.api.deps import AgentInstance, DatabaseDep, SettingsDep, SignalDep
from stackworks.control import agent_credentials, agents
from stackworks.domain.errors import Unauthenticated
from stackworks.domain.status import CommandStatus
from stackworks.store import commands as command_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.wire import schemas

router = APIRouter(prefix="/agent", tags=["agent"])
_registration_bearer = HTTPBearer(auto_error=False)

MAX_WAIT = 60.0
RECHECK_EVERY = 1.0  # seconds between database looks when no signal came


@router.post("/register", status_code=201)
def register(
    body: schemas.RegisterRequest,
    db: DatabaseDep,
    settings: SettingsDep,
    signal: SignalDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_registration_bearer)],
    request: Request,
) -> schemas.RegisterResponse:
    """Make a host the user already runs an instance of a stack (OpsWorks' register --local),
    with a one-time registration token (`stackworks instance register-token`) as the bearer."""
    if bearer is None or not bearer.credentials:
        raise Unauthenticated("missing registration token (Authorization: Bearer ...)")
    with db.transaction() as session:
        stack, instance, credential = agent_credentials.register(session, bearer.credentials, body)
        interval = settings.heartbeat_for(stack).interval
    setattr(request.state, audit.STACK_STATE, stack.name)  # the token named it, not the body
    signal.bump()
    return schemas.RegisterResponse(
        instance_id=instance.id,
        hostname=instance.hostname,
        stack_id=stack.id,
        credential=credential,
        heartbeat_interval=interval,
    )


@router.post("/heartbeat")
def heartbeat(
    body: schemas.Heartbeat,
    instance: AgentInstance,
    db: DatabaseDep,
    settings: SettingsDep,
    signal: SignalDep,
) -> schemas.HeartbeatReply:
    with db.transaction() as session:
        updated = agents.heartbeat(session, instance, body.metrics)
        interval = settings.heartbeat_for(stack_store.get(session, instance.stack_id)).interval
        credential = agent_credentials.deliver_rotation(session, updated)
    if updated.status is not instance.status:
        signal.bump()
    return schemas.HeartbeatReply(
        status=updated.status, heartbeat_interval=interval, credential=credential
    )


def _fetch(db: DatabaseDep, instance_id: str) -> schemas.AgentCommand | None:
    with db.transaction() as session:
        current = instance_store.get(session, instance_id)
        row = agents.next_command(session, current)
        if row is None:
            return None
        return schemas.AgentCommand(
            id=row.id,
            type=row.type,
            deployment_id=row.deployment_id,
            run_list=list(row.run_list),
            configuration=command_store.configuration_for_agent(session, row),
            timeout=float(row.timeout),
        )


@router.get("/commands")
async def poll_commands(
    instance: AgentInstance, db: DatabaseDep, signal: SignalDep, wait: float = 20.0
) -> schemas.AgentCommands:
    """Long-poll: answer as soon as a command is pending, or empty after `wait` seconds."""
    deadline = time.monotonic() + max(0.0, min(wait, MAX_WAIT))
    seen = -1
    last_look = 0.0
    while True:
        now = time.monotonic()
        if signal.version != seen or now - last_look >= RECHECK_EVERY:
            seen = signal.version
            last_look = now
            command = await run_in_threadpool(_fetch, db, instance.id)
            if command is not None:
                return schemas.AgentCommands(commands=[command])
        if now >= deadline:
            return schemas.AgentCommands(commands=[])
        await asyncio.sleep(0.05)


@router.post("/commands/{command_id}/ack", status_code=204)
def acknowledge(command_id: str, instance: AgentInstance, db: DatabaseDep) -> Response:
    with db.transaction() as session:
        agents.acknowledge(session, instance, command_id)
    return Response(status_code=204)


@router.post("/commands/{command_id}/log", status_code=204)
def append_log(
    command_id: str, body: schemas.LogChunk, instance: AgentInstance, db: DatabaseDep
) -> Response:
    with db.transaction() as session:
        agents.append_log(session, instance, command_id, body.seq, body.lines)
    return Response(status_code=204)


@router.post("/commands/{command_id}/result", status_code=204)
def report_result(
    command_id: str,
    body: schemas.CommandResult,
    instance: AgentInstance,
    db: DatabaseDep,
    signal: SignalDep,
) -> Response:
    with db.transaction() as session:
        agents.complete(
            session, instance, command_id, CommandStatus(body.status), body.exit_code, body.report
        )
    signal.bump()
    return Response(status_code=204)
