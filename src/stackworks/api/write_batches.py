"""Agents' writes that arrive together, written together: one transaction, one thread, a batch.

Thousands of agents' results (after a configure fan-out) or heartbeats (every few seconds) each
took a transaction and a worker thread of their own, and a thread waited most of its time for
the interpreter lock between its statements, shared with a dozen others (bench/agents_bench.py,
rounds 6 and 8). So the writes that arrive while one batch is written are all written by the
next, in one transaction on one thread of their lane (api/thread_lanes.py); a quiet server
writes each alone, as before, without waiting for company. If a batch fails as a whole (a
deadlock, a lost connection), each of its writes is tried alone, with its own error.

A batch's credentials are checked in one query, and a write whose credential names no
instance is refused (401) alone; a kind of write is a subclass saying how the writes of the
instances named are written (`write_named`): for each, its answer or the error refusing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from stackworks.api.agent_calls import INVALID
from stackworks.api.thread_lanes import Lane, LaneMeter, Shed, ThreadLanes
from stackworks.domain.entities import Instance
from stackworks.domain.errors import Unauthenticated
from stackworks.store import agent_credentials
from stackworks.store.db import Database

log = logging.getLogger("stackworks.api")

Answer = TypeVar("Answer")


class AgentWrite(Protocol):
    @property
    def credential_hash(self) -> str: ...


Sent = TypeVar("Sent", bound=AgentWrite)


@dataclass(eq=False)
class _Waiting(Generic[Sent, Answer]):
    write: Sent
    done: asyncio.Future[Answer]


class AgentWriteBatches(Generic[Sent, Answer]):
    """Agents' writes of one kind waiting to be written, and the tasks that write them: at most
    `writers` batches at once, so a write that comes while one is written waits for a thread
    of the lane, not for that batch to end (one at a time, heartbeats waited 90-140 ms at the
    median at N=1,000 where their own transactions took 30)."""

    #: writes in one transaction: the rows they lock are held until it commits
    AT_MOST = 100

    def __init__(
        self,
        db: Database,
        lanes: ThreadLanes,
        lane: Lane,
        writers: int = 1,
        admit_at_most: int | None = None,
    ) -> None:
        """`admit_at_most`: writes queued beyond which one is refused (`Shed`, 503 with a
        Retry-After) rather than queued; None: never (results, heartbeats)."""
        self._db = db
        self._lanes = lanes
        self._lane = lane
        self._writers = writers
        self._admit_at_most = admit_at_most
        self._meter = LaneMeter()  # this queue's writes done and shed
        self._queue: list[_Waiting[Sent, Answer]] = []
        self._tasks: list[asyncio.Task[None]] = []

    def write_named(
        self, session: Session, writes: Sequence[tuple[Instance, Sent]]
    ) -> list[Answer | Exception]:
        """The writes whose credentials named an instance: for each, its answer or error."""
        raise NotImplementedError

    def commit(self, batch: Sequence[Sent]) -> list[Answer | Exception]:
        """Write the batch in one transaction: for each write, its answer or its error."""
        with self._db.transaction() as session:
            named = agent_credentials.authenticate_many(session, (w.credential_hash for w in batch))
            outcomes: list[Answer | Exception] = [Unauthenticated(INVALID)] * len(batch)
            known = [i for i, w in enumerate(batch) if w.credential_hash in named]
            answers = self.write_named(
                session, [(named[batch[i].credential_hash], batch[i]) for i in known]
            )
            for i, answer in zip(known, answers, strict=True):
                outcomes[i] = answer
        return outcomes

    async def write(self, write: Sent) -> Answer:
        """Write it, with the others that came meanwhile; its answer, or its error raised."""
        loop = asyncio.get_running_loop()
        waiting: _Waiting[Sent, Answer] = _Waiting(write, loop.create_future())
        if any(task.get_loop() is not loop for task in self._tasks):
            self._queue, self._tasks = [], []  # an ended loop's (tests run apps on several)
        self._tasks = [task for task in self._tasks if not task.done()]
        if self._admit_at_most is not None and len(self._queue) >= self._admit_at_most:
            self._meter.note_shed()
            raise Shed(self._lane, self._meter.retry_after(len(self._queue)))
        if len(self._tasks) < self._writers:
            self._tasks.append(loop.create_task(self._drain(), name=f"{self._lane} batches"))
        self._queue.append(waiting)
        return await waiting.done

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await task

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # the writes that came with the first one queue too
        while self._queue:
            batch, self._queue = self._queue[: self.AT_MOST], self._queue[self.AT_MOST :]
            try:
                outcomes = await self._lanes.run(self._lane, self.commit, [w.write for w in batch])
            except Exception as exc:
                log.warning("a batch of %s failed: %s: %s", self._lane, type(exc).__name__, exc)
                await asyncio.gather(*(self._alone(w) for w in batch))
                continue
            self._meter.note_done(len(batch))
            for waiting, outcome in zip(batch, outcomes, strict=True):
                _settle(waiting, outcome)

    async def _alone(self, waiting: _Waiting[Sent, Answer]) -> None:
        outcome: Answer | Exception
        try:
            [outcome] = await self._lanes.run(self._lane, self.commit, [waiting.write])
        except Exception as exc:
            outcome = exc
        _settle(waiting, outcome)


def _settle(waiting: _Waiting[Sent, Answer], outcome: Answer | Exception) -> None:
    """Answer a write's request; one that has ended meanwhile (its agent gone) gets nothing:
    what it sent is written all the same, and a resend is taken as the agent's next."""
    if waiting.done.done():
        return
    if isinstance(outcome, Exception):
        waiting.done.set_exception(outcome)
    else:
        waiting.done.set_result(outcome)
