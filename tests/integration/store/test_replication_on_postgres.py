"""The replication pieces on a real PostgreSQL: the election lock, its fence, and wake-ups
relayed by LISTEN/NOTIFY between two replicas' listeners."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from stackworks.control.leadership import Elector, FencedDatabase
from stackworks.store import leadership as leadership_store
from stackworks.store import pg_connection
from stackworks.store.db import Database
from stackworks.store.election_lock import AdvisoryLock
from stackworks.store.wakeups import Wakeups
from support.postgres import PostgresServer
from support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    database = Database(url)
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


def lock_holders(server: PostgresServer) -> list[int]:
    with server.connect_admin() as conn:
        rows = conn.execute(b"SELECT pid FROM pg_locks WHERE locktype = 'advisory'").fetchall()
    return [int(row[0]) for row in rows]


def test_one_session_holds_the_election_lock_and_a_terminated_session_frees_it(
    url: str, postgres_server: PostgresServer
) -> None:
    first, second = AdvisoryLock(url), AdvisoryLock(url)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.still_held()
        (holder,) = lock_holders(postgres_server)
        with postgres_server.connect_admin() as conn:  # as a dropped connection ends it
            conn.execute(b"SELECT pg_terminate_backend(%s)", (holder,))
        wait_until(lambda: not lock_holders(postgres_server), 10, what="the lock to be free")
        assert not first.still_held()  # the leader notices at its next look
        assert second.try_acquire()
        assert not first.try_acquire()  # it connects again, and follows
    finally:
        first.release()
        second.release()


def test_a_takeover_waits_for_the_old_leaders_open_transaction_which_commits_first(
    db: Database, url: str
) -> None:
    old_lock, new_lock = AdvisoryLock(url), AdvisoryLock(url)
    old = Elector(db, old_lock, "replica-a")
    new = Elector(db, new_lock, "replica-b")
    try:
        old.step()
        assert old.epoch == 1
        inside = threading.Event()
        finish = threading.Event()
        committed_at: list[float] = []

        def old_leader_transaction() -> None:
            with FencedDatabase(db, old).transaction():
                inside.set()
                finish.wait(10)
            committed_at.append(time.monotonic())

        writer = threading.Thread(target=old_leader_transaction)
        writer.start()
        assert inside.wait(10)
        old_lock.release()  # the old leader's lock session ends mid-transaction
        claimer = threading.Thread(target=new.step)
        claimer.start()
        claimer.join(1.0)
        assert claimer.is_alive()  # the claim waits on the share lock of the old transaction
        finish.set()
        writer.join(10)
        claimer.join(10)
        assert new.epoch == 2
        with db.transaction() as session:
            lead = leadership_store.current(session)
        assert (lead.epoch, lead.holder) == (2, "replica-b")
        assert lead.since is not None and committed_at
    finally:
        old.stop()
        new.stop()


def test_a_bump_published_by_one_replica_wakes_the_others_listener_not_its_own(
    url: str,
) -> None:
    woken = {"a": threading.Event(), "b": threading.Event()}
    a = Wakeups(url, woken["a"].set)
    b = Wakeups(url, woken["b"].set)
    a.start()
    b.start()
    try:
        assert a.listening.wait(10) and b.listening.wait(10)
        for event in woken.values():  # the wake each gives itself on connecting
            event.clear()
        a.publish()
        assert woken["b"].wait(10)
        assert not woken["a"].wait(0.5)
    finally:
        a.stop()
        b.stop()


def test_the_listener_connects_again_after_its_session_is_terminated(
    url: str, postgres_server: PostgresServer
) -> None:
    woken = threading.Event()
    listener = Wakeups(url, woken.set)
    sender = Wakeups(url, lambda: None)
    listener.start()
    sender.start()
    try:
        assert listener.listening.wait(10)
        with postgres_server.connect_admin() as conn:
            conn.execute(
                b"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                b"WHERE query LIKE 'LISTEN %%'"
            )
        wait_until(lambda: not listener.listening.is_set(), 10, what="the listener to notice")
        assert listener.listening.wait(10)
        woken.clear()
        sender.publish()
        assert woken.wait(10)
    finally:
        listener.stop()
        sender.stop()


def test_the_server_end_of_every_connection_gives_up_on_a_silent_peer_in_seconds(
    url: str, db: Database
) -> None:
    names = ("tcp_user_timeout", "tcp_keepalives_idle", "tcp_keepalives_count")
    expected = {"tcp_user_timeout": "3000", "tcp_keepalives_idle": "1", "tcp_keepalives_count": "3"}
    with pg_connection.connect(url) as conn:  # the election's and the listener's
        dedicated = {name: conn.execute(f"SHOW {name}".encode()).fetchone()[0] for name in names}
    with db.engine.connect() as pooled:  # the API's and the orchestrator's
        from_pool = {name: pooled.exec_driver_sql(f"SHOW {name}").scalar() for name in names}
    assert dedicated == expected
    assert from_pool == expected
    with pytest.raises(psycopg.OperationalError):
        pg_connection.connect(url.rsplit("/", 1)[0] + "/no_such_database")
