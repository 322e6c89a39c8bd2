"""The database: an engine, transactions, and migrations applied on start.

No module-level engine: the server makes one `Database` and hands it down. SQLite is opened in
WAL mode and every transaction takes the write lock up front (BEGIN IMMEDIATE) behind an
in-process lock, so the API threads and the orchestrator never hit "database is locked";
PostgreSQL needs neither, and its connections notice a vanished peer in seconds
(store/pg_connection.py). SQLite also zeroes what it frees (secure_delete), so an old value,
such as a secret from before encryption, does not linger in free pages.

Every session carries the server's keyring (`store.keyring.of(session)`), so the store modules
encrypt and decrypt secrets without their callers passing keys around.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from stackworks.store import pg_connection
from stackworks.store.keyring import SESSION_KEY, Keyring

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: seconds a pooled PostgreSQL connection is used before it is replaced
RECYCLE = 1800
#: PostgreSQL connections kept open, and opened beyond them at a peak: the API's thread pool
#: runs up to 40 transactions at once (anyio's default), and a connection opened past the kept
#: ones is closed again when returned, so a busy server that kept the default 5 forked a new
#: PostgreSQL backend for most of its requests (bench/agents_bench.py)
POOL_SIZE = 30
MAX_OVERFLOW = 20

#: the advisory lock replicas starting at once take turns on: "STKW" and 2
STARTUP_KEY = 0x53544B57_0002


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Database:
    """One database, shared by the API and the orchestrator of a server process."""

    def __init__(self, url: str, keyring: Keyring | None = None) -> None:
        """`keyring` None: a fresh key that lives as long as this object (tests in one process);
        the server passes the one it loaded (`store.keyring.load`)."""
        self.url = url
        self.keyring = keyring or Keyring.generate()
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            # no ping on every checkout (a round trip for each of two transactions a request,
            # bench/agents_bench.py): a connection the database dropped fails its one request,
            # and that disconnect discards every pooled connection older than it; connections
            # are renewed past RECYCLE anyway
            kwargs["pool_recycle"] = RECYCLE
            kwargs["pool_size"], kwargs["max_overflow"] = POOL_SIZE, MAX_OVERFLOW
            if make_url(url).get_driver_name() == "psycopg":
                kwargs["connect_args"] = dict(pg_connection.CONNECT_ARGS)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _make_sqlite_transactional(self.engine)
        self._sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={SESSION_KEY: self.keyring}
        )
        self._write_lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error."""
        if self.is_sqlite:
            with self._write_lock, self._sessions() as session, session.begin():
                yield session
        else:
            with self._sessions() as session, session.begin():
                yield session

    def upgrade(self) -> None:
        """Apply every Alembic migration not yet applied (replicas starting together on
        PostgreSQL: one migrates, the others wait and find nothing left to do)."""
        with self.engine.begin() as connection:
            serialize(connection)
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def answers(self) -> bool:
        """Whether the database takes a query now (the readiness check). SQLite is a file of
        this process: it answers while the process does."""
        if self.is_sqlite:
            return True
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def serialize(connection: Connection | Session) -> None:
    """Hold PostgreSQL's transaction-scoped STARTUP_KEY lock until the transaction ends, so
    what replicas do once on start (migrate, make the first admin) runs one replica at a time.
    SQLite runs one server and serializes its writes already."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STARTUP_KEY})


def _make_sqlite_transactional(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN; take the write lock at the start (IMMEDIATE)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
