"""Agents' results, many to a transaction.

A configure fan-out's results all come within a second or two. Each was a transaction of its
own on one of the agents' lane's threads (api/thread_lanes.py), and a thread held for 7.6 ms
waited most of it for the interpreter lock between its statements, so at N=1,000 the results
queued 2.9 s at the median for a thread (bench/agents_bench.py, round 6). So the results that
arrive while one batch is written are all written by the next, in one transaction: their
credentials in one query, their instances' and commands' rows locked in one query each
(control.agents.complete_many), their UPDATEs flushed together. A quiet server writes each
alone, as before, without waiting for company. A result whose command is not its agent's is
refused alone (404); if a batch fails as a whole, each of its results is written alone, with
its own error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from stackworks.api.agent_calls import INVALID
from stackworks.api.thread_lanes import Lane, ThreadLanes
from stackworks.control import agents
from stackworks.domain.errors import Unauthenticated
from stackworks.store import agent_credentials
from stackworks.store.db import Database

log = logging.getLogger("stackworks.api")

AT_MOST = 100  # results in one transaction: its instances' rows are held until it commits


@dataclass(frozen=True)
class Reported:
    """A result as it arrived: its agent's credential (hashed), not yet checked, and what the
    agent reported."""

    credential_hash: str
    report: agents.Report


@dataclass(eq=False)
class _Waiting:
    reported: Reported
    done: asyncio.Future[None]


class ResultBatches:
    """The results of one app waiting to be written, and the task that writes them."""

    def __init__(self, db: Database, lanes: ThreadLanes) -> None:
        self._db = db
        self._lanes = lanes
        self._queue: list[_Waiting] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, reported: Reported) -> None:
        """Write a result, with the others that came meanwhile; Unauthenticated (401) or
        NotFound (404) as `agents.complete` would refuse it alone."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(reported, loop.create_future())
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._queue = []  # results of an ended loop (tests run apps on several) wait no more
            self._task = loop.create_task(self._drain(), name="result-batches")
        self._queue.append(waiting)
        await waiting.done

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # the results that came with the first one queue too
        while self._queue:
            batch, self._queue = self._queue[:AT_MOST], self._queue[AT_MOST:]
            try:
                outcomes = await self._lanes.run(
                    Lane.AGENT_WORK, self.commit, [w.reported for w in batch]
                )
            except Exception as exc:  # a deadlock, a lost connection: each alone, its own error
                log.warning("a batch of results failed: %s: %s", type(exc).__name__, exc)
                await asyncio.gather(*(self._alone(w) for w in batch))
                continue
            for waiting, outcome in zip(batch, outcomes, strict=True):
                _settle(waiting, outcome)

    async def _alone(self, waiting: _Waiting) -> None:
        try:
            [outcome] = await self._lanes.run(Lane.AGENT_WORK, self.commit, [waiting.reported])
        except Exception as exc:
            outcome = exc
        _settle(waiting, outcome)

    def commit(self, batch: Sequence[Reported]) -> list[Exception | None]:
        """Write the results in one transaction: for each, None or the error refusing it."""
        with self._db.transaction() as session:
            named = agent_credentials.authenticate_many(session, (r.credential_hash for r in batch))
            outcomes: list[Exception | None] = [Unauthenticated(INVALID)] * len(batch)
            known = [i for i, r in enumerate(batch) if r.credential_hash in named]
            refused = agents.complete_many(
                session, [(named[batch[i].credential_hash], batch[i].report) for i in known]
            )
            for i, outcome in zip(known, refused, strict=True):
                outcomes[i] = outcome
        return outcomes


def _settle(waiting: _Waiting, outcome: BaseException | None) -> None:
    """Answer a result's request; one that has ended meanwhile (its agent gone) gets nothing:
    what it reported is written all the same, and a resend is ignored."""
    if waiting.done.done():
        return
    if outcome is None:
        waiting.done.set_result(None)
    else:
        waiting.done.set_exception(outcome)
