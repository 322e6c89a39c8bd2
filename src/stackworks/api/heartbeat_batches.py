"""Agents' heartbeats, many to a transaction (api/write_batches.py).

At 5,000 agents a server takes about a hundred heartbeats a second even when it has told them
to beat slower (domain/heartbeat_pacing.py), and each was a transaction on one of the eight
threads of the heartbeats' lane: with a fan-out's work beside them, 2,000 heartbeats queued
there (bench/agents_bench.py, round 8). A batch reads its credentials in one query, sends its
instances' UPDATEs as one statement, in id order (the order in which other transactions that
lock many instances take them, so a batch and they never wait for each other in a circle),
reads their statuses back in one query and adds their metrics in one INSERT: a few statements
for the batch, not two a heartbeat. A heartbeat whose instance was deleted meanwhile is
refused (404) alone; the others' are written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from stackworks.api.thread_lanes import Lane, ThreadLanes
from stackworks.api.write_batches import AgentWriteBatches
from stackworks.control import agent_credentials, agents
from stackworks.control.heartbeat_pacer import HeartbeatPacer
from stackworks.control.settings import Settings
from stackworks.domain import heartbeat_pacing
from stackworks.domain.entities import Instance
from stackworks.domain.errors import NotFound
from stackworks.store.db import Database
from stackworks.wire import schemas

#: batches written at once: the heartbeats' lane has 8 threads; their rows are taken in id
#: order in every batch, so two batches never wait for each other in a circle
WRITERS = 4


@dataclass(frozen=True)
class Beat:
    """A heartbeat as it arrived: its agent's credential (hashed), not yet checked, and the
    metrics it reported."""

    credential_hash: str
    metrics: dict[str, Any]


@dataclass(frozen=True)
class Kept:
    """A heartbeat written: the answer for its agent, and whether its instance's status moved
    (the agent booting or lost connected again: the long-polls are woken)."""

    reply: schemas.HeartbeatReply
    moved: bool
    instance_id: str


class HeartbeatBatches(AgentWriteBatches[Beat, Kept]):
    """Heartbeats waiting to be written; `write` raises Unauthenticated (401) for a
    credential that names no instance."""

    def __init__(
        self,
        db: Database,
        lanes: ThreadLanes,
        settings: Callable[[], Settings],
        pacer: Callable[[], HeartbeatPacer],
    ) -> None:
        """`settings` and `pacer`: the app's, looked up for each batch (as a route's
        dependencies are for each request: tests give the app others)."""
        super().__init__(db, lanes, Lane.HEARTBEAT, writers=WRITERS)
        self._settings = settings
        self._pacer = pacer

    def write_named(
        self, session: Session, writes: Sequence[tuple[Instance, Beat]]
    ) -> list[Kept | Exception]:
        recorded = agents.heartbeats(session, [(i, beat.metrics) for i, beat in writes])
        factor = self._pacer().interval_factor(session)
        settings = self._settings()
        answers: list[Kept | Exception] = []
        for instance, _beat in writes:
            kept = recorded.get(instance.id)
            if kept is None:  # its instance went meanwhile: its answer only
                answers.append(NotFound("instance", instance.id))
                continue
            updated, own = kept
            reply = schemas.HeartbeatReply(
                status=updated.status,
                heartbeat_interval=settings.heartbeat_from(*own).interval * factor,
                poll_wait=heartbeat_pacing.poll_wait_for(factor),
                credential=agent_credentials.deliver_rotation(session, updated),
            )
            answers.append(
                Kept(reply, moved=updated.status is not instance.status, instance_id=instance.id)
            )
        return answers
