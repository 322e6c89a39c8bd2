"""Wake-ups across replicas: PostgreSQL LISTEN/NOTIFY carrying `CommandSignal` bumps.

A replica's long-polls watch its in-process signal (control/signals.py). With several replicas
on one PostgreSQL, a command queued by one must wake the long-poll held by another: every bump
is published as a NOTIFY on one channel, and each replica's listener thread bumps its own signal
for every notification from another replica. Publishing runs on a thread of its own with a
dedicated connection, and bumps that come while it is busy are sent as one notification, so a
burst of results costs a few round trips, not one per result. NOTIFY is delivered only after the
notifying transaction commits; here it is sent after the change committed, so a woken
long-poll always finds the command.

If a connection drops, the thread connects again (every RETRY_DELAY) and wakes its pollers once
it is back, as it may have missed something; meanwhile long-polls still look at the database
every second (api/routes/agent.py), so a lost notification delays, it never loses a command.
SQLite runs one process and needs none of this.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

import psycopg

from stackworks.store import pg_connection

log = logging.getLogger("stackworks.wakeups")

CHANNEL = "stackworks_wakeup"
RETRY_DELAY = 1.0
#: seconds the listener waits for a notification before looking at its stop flag
LISTEN_SLICE = 0.5


class Wakeups:
    """One replica's publisher and listener; `publish()` is cheap and never blocks."""

    def __init__(self, url: str, wake: Callable[[], None]) -> None:
        """`wake` is called for every notification from another replica (each notification
        carries its sender's random id, so a replica skips its own)."""
        self.url = url
        self.sender = uuid.uuid4().hex
        self.wake = wake
        self.listening = threading.Event()
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for target, name in ((self._listen, "wakeup-listener"), (self._publish, "wakeup-sender")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._pending.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def publish(self) -> None:
        """Ask the sender to notify the other replicas (coalesced with bumps not yet sent)."""
        self._pending.set()

    # --- threads ----------------------------------------------------------------------------

    def _publish(self) -> None:
        connection: psycopg.Connection[tuple[Any, ...]] | None = None
        while not self._stop.is_set():
            self._pending.wait()
            if self._stop.is_set():
                break
            self._pending.clear()
            try:
                if connection is None:
                    connection = pg_connection.connect(self.url)
                connection.execute(b"SELECT pg_notify(%s, %s)", (CHANNEL, self.sender))
            except psycopg.Error as error:
                log.warning("could not notify the other replicas: %s", error)
                _closed(connection)
                connection = None
                self._pending.set()  # try again once connected
                self._stop.wait(RETRY_DELAY)
        _closed(connection)

    def _listen(self) -> None:
        while not self._stop.is_set():
            connection: psycopg.Connection[tuple[Any, ...]] | None = None
            try:
                connection = pg_connection.connect(self.url)
                connection.execute(f"LISTEN {CHANNEL}".encode())
                self.listening.set()
                self.wake()  # whatever was sent while not listening is looked for now
                while not self._stop.is_set():
                    for notification in connection.notifies(timeout=LISTEN_SLICE):
                        if notification.payload != self.sender:
                            self.wake()
            except psycopg.Error as error:
                log.warning("wake-up listener lost its connection: %s", error)
            finally:
                self.listening.clear()
                _closed(connection)
            self._stop.wait(RETRY_DELAY)


def _closed(connection: psycopg.Connection[tuple[Any, ...]] | None) -> None:
    if connection is not None:
        with contextlib.suppress(psycopg.Error):
            connection.close()
