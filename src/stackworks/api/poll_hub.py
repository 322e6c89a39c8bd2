"""Where long-polling agents wait: one database look for all of them, not one each.

Before, each waiting poll looked in the database itself, on every signal change and every
second besides: N idle agents made N queries a second, and each command queued anywhere woke
all N to look. Now a poll registers its instance and waits on an event; one task per server
process watches the signal (`control.signals.CommandSignal`, bumped when commands are queued,
whichever way its bumps arrive) and, when it changes or a second has passed, asks once which of
the waiting instances have a pending command, and wakes only those. A woken poll fetches its
command as before (`agents.next_command`, which may still hold a shutdown back).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from stackworks.control.signals import CommandSignal
from stackworks.domain.status import CommandStatus
from stackworks.store.db import Database
from stackworks.store.tables import CommandRow

log = logging.getLogger("stackworks.api")

RECHECK_EVERY = 1.0  # seconds between looks when the signal did not change
WATCH_EVERY = 0.02  # seconds between reads of the signal's counter
CHUNK = 500  # instance ids per query


class PollHub:
    """The waiting polls of one app, and the task that wakes them."""

    def __init__(self, db: Database, signal: CommandSignal) -> None:
        self._db = db
        self._signal = signal
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None

    def register(self, instance_id: str) -> asyncio.Event:
        """An event set when the instance may have a command; `unregister` it when done."""
        self._ensure_running()
        event = asyncio.Event()
        self._waiting.setdefault(instance_id, set()).add(event)
        return event

    def unregister(self, instance_id: str, event: asyncio.Event) -> None:
        events = self._waiting.get(instance_id)
        if events is not None:
            events.discard(event)
            if not events:
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
            try:
                ready = await run_in_threadpool(self._with_pending, list(self._waiting))
            except Exception as exc:  # a database hiccup: the next look tries again
                log.warning("long-poll look failed: %s: %s", type(exc).__name__, exc)
                continue
            for instance_id in ready:
                for event in self._waiting.get(instance_id, ()):
                    event.set()

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
