"""An agent's call: its credential looked up in the same transaction as the work it asks for.

Thousands of agents heartbeat, poll and report every few seconds (bench/agents_bench.py), so
each of their requests is kept to one trip to a worker thread and one transaction: the
declaration (`api/access.py`, `AgentOnly`) only reads the bearer credential; `AgentCall.run`
then checks it and does the route's work on one thread of the call's lane (api/thread_lanes.py:
heartbeats apart from the rest), in one transaction. An unknown
credential is refused with 401 before the work starts, and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from sqlalchemy.orm import Session

from stackworks.api.thread_lanes import Lane, Shedding, ThreadLanes
from stackworks.domain.entities import Instance
from stackworks.domain.errors import Unauthenticated
from stackworks.store import agent_credentials
from stackworks.store.db import Database

T = TypeVar("T")

INVALID = "invalid agent credential"


def authenticate(session: Session, credential_hash: str) -> Instance:
    """The instance the credential names; Unauthenticated (401) if it names none."""
    instance = agent_credentials.authenticate(session, credential_hash)
    if instance is None:
        raise Unauthenticated(INVALID)
    return instance


@dataclass(frozen=True)
class AgentCall:
    """One request of an agent, its credential (hashed) not yet checked."""

    db: Database
    credential_hash: str
    request: Request

    async def run(
        self,
        work: Callable[[Session, Instance], T],
        lane: Lane = Lane.AGENT_WORK,
        shedding: Shedding | None = None,
    ) -> T:
        """`work(session, instance)` for the instance the credential names, in one transaction
        on a thread of `lane`; 401 if the credential names none; `shedding`: when the lane may
        refuse it (503, api/thread_lanes.py)."""
        lanes: ThreadLanes = self.request.app.state.lanes
        return await lanes.run(lane, self.run_here, work, shedding=shedding)

    def run_here(self, work: Callable[[Session, Instance], T]) -> T:
        """`run`, on the calling thread (for work already off the event loop)."""
        with self.db.transaction() as session:
            instance = authenticate(session, self.credential_hash)
            self.request.state.agent_instance = instance
            return work(session, instance)
