"""Where long-polling agents wait: one database look for all of them, not one each.

Before, each waiting poll looked in the database itself, on every signal change and every
second besides: N idle agents made N queries a second, and each command queued anywhere woke
all N to look. Now a poll registers its instance and waits on an event; one task per server
process watches the signal (`control.signals.CommandSignal`, bumped when commands are queued,
whichever way its bumps arrive) and, when it changes or a second has passed, asks once which of
the waiting instances have a pending command, and wakes only those.

It wakes them with their commands: in the same transaction it delivers the next command of each
(api/command_delivery.py, `deliver_many`, shaped by what each poll asked for), so a fan-out to
a thousand agents costs a few queries, not a transaction per agent. A poll woken without one
(its command held back, or the delivery failed) looks for itself, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from stackworks.api.command_delivery import PollAsks, deliver_many
from stackworks.api.thread_lanes import Lane, ThreadLanes
from stackworks.control.signals import CommandSignal
from stackworks.domain.status import CommandStatus
from stackworks.store.db import Database
from stackworks.store.tables import CommandRow
from stackworks.wire.schemas import AgentCommand

log = logging.getLogger("stackworks.api")

RECHECK_EVERY = 1.0  # seconds between looks when the signal did not change
WATCH_EVERY = 0.02  # seconds between reads of the signal's counter
CHUNK = 500  # instance ids per query


@dataclass(eq=False)
class Waiter:
    """One waiting poll: `woken` is set when its instance may have a command, and the hub
    leaves the command here when it delivered one for it."""

    asks: PollAsks
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    delivered: AgentCommand | None = None

    def take_delivered(self) -> AgentCommand | None:
        command, self.delivered = self.delivered, None
        return command


class PollHub:
    """The waiting polls of one app, and the task that wakes them."""

    def __init__(self, db: Database, signal: CommandSignal, lanes: ThreadLanes) -> None:
        self._db = db
        self._lanes = lanes
        self._signal = signal
        self._waiting: dict[str, list[Waiter]] = {}
        self._task: asyncio.Task[None] | None = None

    def register(self, instance_id: str, asks: PollAsks) -> Waiter:
        """A poll of the instance waiting; `unregister` it when done."""
        self._ensure_running()
        waiter = Waiter(asks)
        self._waiting.setdefault(instance_id, []).append(waiter)
        return waiter

    def waiting(self) -> int:
        """How many instances have a poll waiting here."""
        return len(self._waiting)

    def unregister(self, instance_id: str, waiter: Waiter) -> None:
        waiters = self._waiting.get(instance_id)
        if waiters is not None and waiter in waiters:
            waiters.remove(waiter)
            if not waiters:
                del self._waiting[instance_id]

    def _ensure_running(self) -> None:
        """Start the watching task on the running loop (again, if its loop has ended)."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._watch(), name="poll-hub")

    async def _watch(self) -> None:
        seen = self._signal.version
        last_look = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(WATCH_EVERY)
            now = asyncio.get_running_loop().time()
            if not self._waiting or (
                self._signal.version == seen and now - last_look < RECHECK_EVERY
            ):
                continue
            seen, last_look = self._signal.version, now
            # the newest poll of each instance is the one its agent still waits on
            newest = {instance_id: waiters[-1] for instance_id, waiters in self._waiting.items()}
            asks = {instance_id: waiter.asks for instance_id, waiter in newest.items()}
            try:
                ready = await self._lanes.run(Lane.WAKE_UP, self._with_pending, list(asks))
            except Exception as exc:  # a database hiccup: the next look tries again
                log.warning("long-poll look failed: %s: %s", type(exc).__name__, exc)
                continue
            delivered = await self._deliver({i: asks[i] for i in ready})
            for instance_id in ready:
                still_waiting = self._waiting.get(instance_id, [])
                if instance_id in delivered and newest[instance_id] in still_waiting:
                    newest[instance_id].delivered = delivered[instance_id]
                for waiter in still_waiting:
                    waiter.woken.set()

    async def _deliver(self, asks: Mapping[str, PollAsks]) -> dict[str, AgentCommand]:
        """The next command of each instance, marked sent, in one transaction; none if that
        fails (every woken poll then looks for itself). A command marked sent whose poll has
        ended meanwhile is still pending, so its agent's next poll gets it."""
        if not asks:
            return {}
        try:
            return await self._lanes.run(Lane.WAKE_UP, self._deliver_now, asks)
        except Exception as exc:
            log.warning("long-poll delivery failed: %s: %s", type(exc).__name__, exc)
            return {}

    def _deliver_now(self, asks: Mapping[str, PollAsks]) -> dict[str, AgentCommand]:
        with self._db.transaction() as session:
            return deliver_many(session, asks)

    def _with_pending(self, instance_ids: Iterable[str]) -> set[str]:
        """Which of the instances have a pending command (one query per CHUNK of them)."""
        ids = list(instance_ids)
        found: set[str] = set()
        with self._db.transaction() as session:
            for start in range(0, len(ids), CHUNK):
                found.update(
                    session.scalars(
                        select(CommandRow.instance_id)
                        .where(
                            CommandRow.instance_id.in_(ids[start : start + CHUNK]),
                            CommandRow.status == CommandStatus.PENDING.value,
                        )
                        .distinct()
                    )
                )
        return found

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task
