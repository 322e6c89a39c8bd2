"""/agent: what agents call, with their instance's own credential (docs/agent-protocol.md).

A credential names one instance: every route acts for that instance only, and a command of any
other instance is answered as unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from stackworks.api import audit
from stackworks.api.access import AgentOnly, RegistrationBearer
from stackworks.api.command_delivery import PollAsks, deliver_one
from stackworks.api.deps import DatabaseDep, SettingsDep, SignalDep
from stackworks.api.encoded_bodies import EncodedBodies, EncodedBody, accepts_gzip, etag_matches
from stackworks.api.heartbeat_batches import Beat, HeartbeatBatches
from stackworks.api.poll_hub import PollHub
from stackworks.api.poll_looks import Look, PollLooks
from stackworks.api.result_batches import Reported, ResultBatches
from stackworks.api.thread_lanes import Lane, Shedding, ThreadLanes
from stackworks.control import agent_credentials, agents
from stackworks.domain import beat_slots, heartbeat_pacing
from stackworks.domain.entities import Instance
from stackworks.domain.errors import NotFound
from stackworks.domain.status import CommandStatus
from stackworks.store import instances as instance_store
from stackworks.store import stack_configurations
from stackworks.store.db import Database
from stackworks.wire import schemas

router = APIRouter(prefix="/agent", tags=["agent"])

MAX_WAIT = heartbeat_pacing.MAX_POLL_WAIT
#: stack configuration versions as sent, keyed by their digest (so shared by every app safely)
_bodies = EncodedBodies()

#: a woken poll's look for its command, and a fetch of a version, are refused (503, Retry-After)
#: rather than queued when their lane is this backed up (a poll's first look is batched and
#: bounded in api/poll_looks.py), and skipped when they waited longer than the
#: agent's client waits for an answer beyond its poll (agent/client.py): work no one would get
SHED_LOOKS = Shedding(admit_at_most=200, waited_at_most=10.0)


@router.post("/register", status_code=201)
def register(
    body: schemas.RegisterRequest,
    db: DatabaseDep,
    settings: SettingsDep,
    signal: SignalDep,
    registration_token: RegistrationBearer,
    request: Request,
) -> schemas.RegisterResponse:
    """Make a host the user already runs an instance of a stack (OpsWorks' register --local),
    with a one-time registration token (`stackworks instance register-token`) as the bearer."""
    with db.transaction() as session:
        stack, instance, credential = agent_credentials.register(session, registration_token, body)
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
async def heartbeat(
    body: schemas.Heartbeat, agent: AgentOnly, signal: SignalDep, request: Request
) -> schemas.HeartbeatReply:
    """Keep the heartbeat, with the others that came meanwhile (api/heartbeat_batches.py);
    answer with the interval to beat at, the long-poll wait (domain/heartbeat_pacing.py) and
    when to beat next: the agent's slot in the interval (domain/beat_slots.py), timed from now,
    when the answer leaves, not from when its batch was written."""
    batches: HeartbeatBatches = request.app.state.heartbeat_batches
    kept = await batches.write(Beat(agent.credential_hash, body.metrics))
    if kept.moved:
        signal.bump()
    reply = kept.reply
    reply.next_heartbeat_in = beat_slots.until_instance_slot(
        kept.instance_id, reply.heartbeat_interval, time.time()
    )
    return reply


def _fetch(db: Database, instance_id: str, asks: PollAsks) -> schemas.AgentCommand | None:
    with db.transaction() as session:
        return deliver_one(session, instance_store.get(session, instance_id), asks)


@router.get("/commands")
async def poll_commands(
    agent: AgentOnly,
    signal: SignalDep,
    request: Request,
    wait: float = heartbeat_pacing.POLL_WAIT,
    stack_configuration: Literal["inline", "by_version"] = "inline",
    have: Annotated[str | None, Query(max_length=64)] = None,
    acknowledge: Literal["separately", "on_delivery"] = "separately",
) -> schemas.AgentCommands:
    """Long-poll: answer as soon as a command is pending, or empty at the agent's slot within
    `wait` seconds (domain/beat_slots.py; api/poll_hub.py wakes the poll, mostly with its
    command: api/command_delivery.py).

    `stack_configuration=by_version`: the agent fetches each command's shared sections by
    version (`GET /agent/stack-configuration/{version}`); an agent that does not say so (one
    older than versions) gets them inline, as before. `have`: the version the agent holds; a
    command of another version then carries the delta from it (`stack_configuration_delta`),
    when the server still has it and the delta is smaller than the version.
    `acknowledge=on_delivery`: the delivery is the command's ack (`acknowledged` true in the
    answer), one request fewer per command; an agent that does not say so acks each command."""
    asks = PollAsks(stack_configuration == "by_version", have, acknowledge == "on_delivery")
    held_for = max(0.0, min(wait, MAX_WAIT))
    deadline = time.monotonic() + held_for
    hub: PollHub = request.app.state.poll_hub
    lanes: ThreadLanes = request.app.state.lanes
    seen = signal.version
    # the first look checks the credential in the same transaction, batched with the looks of
    # the polls that came meanwhile (api/poll_looks.py)
    looks: PollLooks = request.app.state.poll_looks
    looked = await looks.write(Look(agent.credential_hash, asks))
    instance, command = looked.instance, looked.command
    if command is not None:
        return schemas.AgentCommands(commands=[command])
    # with nothing to deliver, the poll is answered at its agent's slot (domain/beat_slots.py),
    # so a fleet's renewals spread over the wait instead of coming back all at once
    slot_in = beat_slots.until_instance_slot(instance.id, held_for, time.time())
    deadline = min(deadline, time.monotonic() + slot_in)
    waiter = hub.register(instance.id, asks)
    if signal.version != seen:
        waiter.woken.set()  # something was queued while the first look ran, before the hub knew us
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return schemas.AgentCommands(commands=[])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.woken.wait(), remaining)
            if not waiter.woken.is_set():
                continue  # the wait ran out: the deadline check answers
            waiter.woken.clear()
            command = waiter.take_delivered()  # the hub's delivery, if it made one for us
            if command is None:
                command = await lanes.run(
                    Lane.AGENT_WORK, _fetch, agent.db, instance.id, asks, shedding=SHED_LOOKS
                )
            if command is not None:
                return schemas.AgentCommands(commands=[command])
    finally:
        hub.unregister(instance.id, waiter)


@router.get("/stack-configuration/{version}", response_model=None)
async def stack_configuration(version: str, agent: AgentOnly, request: Request) -> Response:
    """The shared sections of a stack configuration version of the agent's own stack.

    A version never changes, so its digest is its ETag: asked again with If-None-Match, the
    answer is 304 with no body. Another stack's version is 404, as a missing one. The body is
    gzip-compressed (once per version) for an agent that accepts it."""
    etag = f'"{version}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable"}
    unchanged = etag_matches(request.headers.get("if-none-match", ""), version)

    def look_up(session: Session, instance: Instance) -> EncodedBody | None:
        # keyed by stack and version: a body found was checked to be this stack's when it was
        # loaded, so a fleet's fetches of one version read only their credentials
        key = f"{instance.stack_id}/{version}"
        known = key in _bodies
        if not known and stack_configurations.stack_of(session, version) != instance.stack_id:
            raise NotFound("stack configuration", version)
        if unchanged:
            return None
        return _bodies.get(
            key, lambda: stack_configurations.get(session, instance.stack_id, version)
        )

    body = await agent.run(look_up, Lane.CONFIGURATION, SHED_LOOKS)
    if body is None:
        return Response(status_code=304, headers=headers)
    headers["Vary"] = "Accept-Encoding"
    if body.compressed is not None and accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["Content-Encoding"] = "gzip"
        return Response(body.compressed, media_type="application/json", headers=headers)
    return Response(body.plain, media_type="application/json", headers=headers)


@router.post("/commands/{command_id}/ack", status_code=204)
async def acknowledge(command_id: str, agent: AgentOnly) -> Response:
    await agent.run(lambda s, i: agents.acknowledge(s, i, command_id))
    return Response(status_code=204)


@router.post("/commands/{command_id}/log", status_code=204)
async def append_log(command_id: str, body: schemas.LogChunk, agent: AgentOnly) -> Response:
    await agent.run(lambda s, i: agents.append_log(s, i, command_id, body.seq, body.lines))
    return Response(status_code=204)


@router.post("/commands/{command_id}/result", status_code=204)
async def report_result(
    command_id: str,
    body: schemas.CommandResult,
    agent: AgentOnly,
    signal: SignalDep,
    request: Request,
) -> Response:
    """The result, and with it (`log`) the command's last log chunk, in one transaction."""
    batches: ResultBatches = request.app.state.result_batches  # many to a transaction
    await batches.write(
        Reported(
            agent.credential_hash,
            agents.Report(
                command_id, CommandStatus(body.status), body.exit_code, body.report, body.log
            ),
        )
    )
    signal.bump()
    return Response(status_code=204)
