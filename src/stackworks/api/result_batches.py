"""Agents' results, many to a transaction (api/write_batches.py).

A configure fan-out's results all come within a second or two. Each was a transaction of its
own, and at N=1,000 the results queued 2.9 s at the median for a thread (bench/agents_bench.py,
round 6). Now a batch's credentials are read in one query, its instances' and commands' rows
locked in one query each (control.agents.complete_many), its UPDATEs flushed together, on the
results' own lane. A result whose command is not its agent's is refused alone (404).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from stackworks.api.thread_lanes import Lane, ThreadLanes
from stackworks.api.write_batches import AgentWriteBatches
from stackworks.control import agents
from stackworks.domain.entities import Instance
from stackworks.store.db import Database


@dataclass(frozen=True)
class Reported:
    """A result as it arrived: its agent's credential (hashed), not yet checked, and what the
    agent reported."""

    credential_hash: str
    report: agents.Report


class ResultBatches(AgentWriteBatches[Reported, None]):
    """Results waiting to be written; `write` raises Unauthenticated (401) or NotFound (404)
    as `agents.complete` would refuse the result alone."""

    def __init__(self, db: Database, lanes: ThreadLanes) -> None:
        super().__init__(db, lanes, Lane.RESULTS, writers=2)

    def write_named(
        self, session: Session, writes: Sequence[tuple[Instance, Reported]]
    ) -> list[Exception | None]:
        return list(agents.complete_many(session, [(i, r.report) for i, r in writes]))
