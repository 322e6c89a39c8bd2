"""Agents' heartbeats, many to a transaction (api/write_batches.py).

At 5,000 agents a server takes about a hundred heartbeats a second even when it has told them
to beat slower (domain/heartbeat_pacing.py), and each was a transaction on one of the eight
threads of the heartbeats' lane: with a fan-out's work beside them, 2,000 heartbeats queued
there (bench/agents_bench.py, round 8). A batch reads its credentials in one query and keeps
each heartbeat as before (its UPDATE, its metrics), its instances in id order: the order in
which other transactions that lock many instances take them, so a batch and they never wait
for each other in a circle. What one heartbeat is refused for (its instance deleted) is its
own answer; the others' are written.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from stackworks.domain.errors import DomainError
from stackworks.store.db import Database
from stackworks.wire import schemas


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


class HeartbeatBatches(AgentWriteBatches[Beat, Kept]):
    """Heartbeats waiting to be written; `write` raises Unauthenticated (401) for a
    credential that names no instance."""

    def __init__(
        self, db: Database, lanes: ThreadLanes, settings: Settings, pacer: HeartbeatPacer
    ) -> None:
        super().__init__(db, lanes, Lane.HEARTBEAT)
        self._settings = settings
        self._pacer = pacer

    def write_named(
        self, session: Session, writes: Sequence[tuple[Instance, Beat]]
    ) -> list[Kept | Exception]:
        answers: dict[int, Kept | Exception] = {}
        for n in sorted(range(len(writes)), key=lambda n: writes[n][0].id):  # rows in id order
            instance, beat = writes[n]
            try:
                answers[n] = self.keep(session, instance, beat)
            except DomainError as refused:  # its instance went meanwhile: its answer only
                answers[n] = refused
        return [answers[n] for n in range(len(writes))]

    def keep(self, session: Session, instance: Instance, beat: Beat) -> Kept:
        """One heartbeat: kept, and answered with the interval to beat at, the stack's own
        stretched to what the server takes from its whole fleet, and then a longer long-poll
        wait too; and a rotation's new credential when one waits."""
        updated, own = agents.heartbeat(session, instance, beat.metrics)
        factor = self._pacer.interval_factor(session)
        reply = schemas.HeartbeatReply(
            status=updated.status,
            heartbeat_interval=self._settings.heartbeat_from(*own).interval * factor,
            poll_wait=heartbeat_pacing.poll_wait_for(factor),
            credential=agent_credentials.deliver_rotation(session, updated),
        )
        return Kept(reply, moved=updated.status is not instance.status)
