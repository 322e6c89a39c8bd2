"""The election and its fence, on a real (SQLite) store with locks the tests hand out: who
leads, what a loss does at once, and that a deposed leader's transactions write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from stackworks.control.leadership import Elector, FencedDatabase, SoleLock
from stackworks.domain.entities import Stack
from stackworks.store import leadership as leadership_store
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database, sqlite_url
from stackworks.store.leadership import LeadershipLost
from support.election_locks import HandedLock, SharedLock


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(sqlite_url(tmp_path / "db.sqlite"))
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


def stack_names(db: Database) -> list[str]:
    with db.transaction() as session:
        return [stack.name for stack in stack_store.list_all(session)]


def test_the_replica_that_takes_the_lock_leads_in_a_new_epoch_and_the_row_names_it(
    db: Database,
) -> None:
    shared = SharedLock()
    first = Elector(db, HandedLock(shared), "replica-a")
    second = Elector(db, HandedLock(shared), "replica-b")
    first.step()
    second.step()
    assert (first.is_leader, first.epoch) == (True, 1)
    assert (second.is_leader, second.epoch) == (False, None)
    with db.transaction() as session:
        lead = leadership_store.current(session)
    assert (lead.epoch, lead.holder) == (1, "replica-a")
    assert lead.since == first.leading_since


def test_a_lost_lock_ends_the_lead_at_the_next_look_and_another_takes_over_in_the_next_epoch(
    db: Database,
) -> None:
    shared = SharedLock()
    lock_a = HandedLock(shared)
    first = Elector(db, lock_a, "replica-a")
    second = Elector(db, HandedLock(shared), "replica-b")
    first.step()
    first.note_pass()
    lock_a.cut()  # its session ended: killed, or its connection dropped
    first.step()
    assert not first.is_leader
    assert first.first_pass_at is None
    second.step()
    assert (second.is_leader, second.epoch) == (True, 2)
    first.step()  # the old leader tries again: the lock is taken
    assert not first.is_leader
    with db.transaction() as session:
        assert leadership_store.current(session).holder == "replica-b"


def test_a_deposed_leaders_transaction_is_refused_and_writes_nothing(db: Database) -> None:
    shared = SharedLock()
    lock_a = HandedLock(shared)
    first = Elector(db, lock_a, "replica-a")
    first.step()
    fenced = FencedDatabase(db, first)
    with fenced.transaction() as session:
        stack_store.create(session, Stack(id="", name="written-while-leading"))
    # the successor claims the next epoch before the old leader noticed it lost its lock
    lock_a.cut()
    second = Elector(db, HandedLock(shared), "replica-b")
    second.step()
    assert first.epoch == 1  # it has not looked yet
    with (
        pytest.raises(LeadershipLost, match="epoch is now 2, not 1"),
        fenced.transaction() as session,
    ):
        stack_store.create(session, Stack(id="", name="written-after-the-takeover"))
    assert stack_names(db) == ["written-while-leading"]


def test_a_follower_opens_no_orchestrator_transaction(db: Database) -> None:
    shared = SharedLock()
    Elector(db, HandedLock(shared), "replica-a").step()
    follower = Elector(db, HandedLock(shared), "replica-b")
    follower.step()
    with (
        pytest.raises(LeadershipLost, match="replica-b does not lead"),
        FencedDatabase(db, follower).transaction(),
    ):
        pass


def test_a_replica_that_cannot_claim_the_epoch_lets_the_lock_go(tmp_path: Path) -> None:
    unmigrated = Database(sqlite_url(tmp_path / "db.sqlite"))  # no leadership table
    shared = SharedLock()
    elector = Elector(unmigrated, HandedLock(shared), "replica-a")
    with pytest.raises(OperationalError, match="orchestrator_leadership"):
        elector.step()
    assert not elector.is_leader
    assert shared.holder is None  # another replica may lead instead
    unmigrated.dispose()


def test_a_server_alone_on_sqlite_leads_from_its_first_step_and_stays_leader(
    db: Database,
) -> None:
    elector = Elector(db, SoleLock(), "alone")
    elector.step()
    elector.step()
    assert elector.epoch == 1
    with FencedDatabase(db, elector).transaction() as session:
        stack_store.create(session, Stack(id="", name="shop"))
    assert stack_names(db) == ["shop"]


def test_only_the_first_pass_after_taking_the_lead_is_noted(db: Database) -> None:
    elector = Elector(db, SoleLock(), "alone")
    elector.note_pass()
    assert elector.first_pass_at is None  # following: nothing to note
    elector.step()
    elector.note_pass()
    first = elector.first_pass_at
    elector.note_pass()
    assert first is not None and elector.first_pass_at == first
