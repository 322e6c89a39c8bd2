"""A throwaway PostgreSQL server for tests: initdb into a temp dir, run on loopback, remove.

The store must behave the same on SQLite and PostgreSQL, so the test setup starts a real
server rather than mocking one. The server:
- listens on 127.0.0.1 on a free port, with its Unix socket inside its own temp dir;
- trusts local connections (nothing but this test run can reach it);
- runs with durability off (fsync, synchronous_commit) because its data dies with the run;
- runs as the `postgres` user when we are root (PostgreSQL refuses to run as root): the temp
  dir is chowned to that user and each program is started with Popen(user=, group=), which
  switches user in the child before exec, like `setpriv`, so the pid we hold is the server's.
It is started in a new session; `stop()` sends SIGINT (fast shutdown), waits, then SIGKILLs
whatever is left of it and its children, and removes the directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from .processes import descendant_pids, free_port, is_alive, wait_until

INSTALL_HINT = (
    "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and "
    "`pg_config --bindir`). Install them with `apt-get install postgresql` or run "
    "`scripts/bootstrap`."
)
SUPERUSER = "stackworks"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class PostgresUnavailable(RuntimeError):
    """The server binaries are not installed on this machine."""


class PostgresStartError(RuntimeError):
    """initdb or postgres failed; the message carries the program's own output."""


def find_bindir() -> Path:
    """The directory holding `initdb` and `postgres`, newest major version first."""
    candidates = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: _version_key(p.parent.name),
        reverse=True,
    )
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise PostgresUnavailable(INSTALL_HINT)


def skip_or_fail_without_server(reason: str) -> None:
    """Fail in CI (env CI set), where a missing server means a broken setup; skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(reason)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


@dataclass
class PostgresServer:
    """One running server; `url(dbname)` gives SQLAlchemy URLs for databases on it."""

    bindir: Path
    root: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    _owner: tuple[int, int] | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def connect_admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the maintenance database (CREATE/DROP DATABASE)."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a unique name unless given) and return its name."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        with self.connect_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database even if a leaked connection still holds it (WITH FORCE)."""
        with self.connect_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())

    def start(self) -> None:
        """initdb, then start postgres and wait (bounded) until it accepts connections."""
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            self._owner = (entry.pw_uid, entry.pw_gid)
            for path in (self.root, self.socket_dir):
                os.chown(path, *self._owner)
        self._initdb()
        for _attempt in range(3):  # the free port may be taken before postgres binds it
            self.port = free_port("127.0.0.1")
            self._spawn()
            if self._wait_ready():
                return
            self._kill()
        raise PostgresStartError(f"postgres did not start; its log:\n{self._log_tail()}")

    @property
    def _uid(self) -> int | None:
        return None if self._owner is None else self._owner[0]

    @property
    def _gid(self) -> int | None:
        return None if self._owner is None else self._owner[1]

    @property
    def _extra_groups(self) -> list[int] | None:
        """Drop root's supplementary groups when switching user."""
        return None if self._owner is None else []

    def _initdb(self) -> None:
        argv = [
            str(self.bindir / "initdb"),
            "--pgdata",
            str(self.data_dir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
            "--no-instructions",
        ]
        result = subprocess.run(
            argv,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            user=self._uid,
            group=self._gid,
            extra_groups=self._extra_groups,
        )
        if result.returncode != 0:
            raise PostgresStartError(
                f"initdb failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def _spawn(self) -> None:
        argv = [
            str(self.bindir / "postgres"),
            "-D",
            str(self.data_dir),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            str(self.socket_dir),
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=100",
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=self._uid,
                group=self._gid,
                extra_groups=self._extra_groups,
            )

    def _wait_ready(self) -> bool:
        """True once a connection succeeds; False if postgres exits or the wait runs out."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with self.connect_admin() as conn:
                    conn.execute(b"SELECT 1")
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Fast shutdown (SIGINT), bounded wait, then SIGKILL the group; remove the dir."""
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=STOP_TIMEOUT)
            self._kill()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> None:
        """SIGKILL the server and its children, then reap the postmaster.

        PostgreSQL puts each child (checkpointer, walwriter, backends) in its own session,
        so the children are found by parent link before the postmaster dies.
        """
        if self.process is None:
            return
        pid = self.process.pid
        victims = [*descendant_pids(pid)]
        if self.process.poll() is None:
            victims.append(pid)
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_TIMEOUT)
        wait_until(
            lambda: not any(is_alive(victim) for victim in victims),
            timeout=STOP_TIMEOUT,
            what="postgres processes to exit",
        )
        self.process = None

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def start_server() -> PostgresServer:
    """Find the binaries and start a server in a fresh temp dir (caller must `stop()` it).

    The dir is made directly under the system temp dir because pytest's own tmp tree is
    private to root (mode 0700) and the `postgres` user must be able to enter it.
    """
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="stackworks-pg-"))
    server = PostgresServer(bindir=bindir, root=root)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
