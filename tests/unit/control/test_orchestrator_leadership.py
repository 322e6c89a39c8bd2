"""The orchestrator under an elector: no pass while its replica follows, passes from the moment
it leads, none once it lost the lead; and a takeover restarts the watch on heartbeats."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from stackworks.control.leadership import Elector
from stackworks.control.orchestrator import Orchestrator
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.store.db import Database, sqlite_url
from support.election_locks import HandedLock, SharedLock
from support.processes import wait_until


class RecordingPass:
    """A periodic pass that only notes when it ran."""

    def __init__(self) -> None:
        self.runs: list[datetime] = []
        self.ran = threading.Event()

    def __call__(self, session: Session, now: datetime) -> bool:
        self.runs.append(now)
        self.ran.set()
        return False


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(sqlite_url(tmp_path / "db.sqlite"))
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


def test_the_orchestrator_passes_only_while_its_replica_leads(db: Database, tmp_path: Path) -> None:
    shared = SharedLock()
    other = HandedLock(shared)
    assert other.try_acquire()  # another replica leads first
    lock = HandedLock(shared)
    elector = Elector(db, lock, "replica-b")
    recording = RecordingPass()
    settings = Settings(tmp_path, "http://127.0.0.1:1", db.url, tick=0.01)
    orchestrator = Orchestrator(
        db, settings, {}, CommandSignal(), passes=[recording], elector=elector
    )
    watch_before = orchestrator.started_at
    orchestrator.start()
    try:
        elector.step()
        assert not recording.ran.wait(0.3)  # following: not one pass
        other.cut()  # the leader died
        elector.step()
        assert recording.ran.wait(10)
        wait_until(lambda: elector.first_pass_at is not None, 10, what="the first pass noted")
        assert orchestrator.started_at > watch_before  # the watch restarted with the lead
        lock.cut()
        elector.step()
        assert not elector.is_leader
        runs = len(recording.runs)
        recording.ran.clear()
        assert not recording.ran.wait(1.5)  # periodic passes run every second while leading
        assert len(recording.runs) == runs
    finally:
        orchestrator.stop()
