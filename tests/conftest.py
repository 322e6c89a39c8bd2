"""Fixtures shared by the whole suite: databases on SQLite and on a real PostgreSQL.

`postgres_url` starts one server per test session (lazily: only if a test asks for it).
`database_url` runs a test twice, once per backend, each time on a fresh empty database.
When the PostgreSQL binaries are missing the PostgreSQL cases are skipped locally with a hint,
but fail in CI (env CI set), where `scripts/bootstrap` must have installed them.

Test files run slowest first (support/run_order.py): scripts/test spreads them over parallel
workers, and a long file picked up last would keep the run waiting for it alone.

At the very end, the session fails if a process started by a test is still running: anything a
test starts, it ends. The leftovers are listed, then killed by pid so the machine stays clean.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# The helpers live in tests/support and are imported as `support`; pytest's default import
# mode already puts this directory on sys.path, other modes (importlib) do not.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from support.postgres import (  # noqa: E402
    PostgresServer,
    PostgresUnavailable,
    find_bindir,
    skip_or_fail_without_server,
    start_server,
)
from support.processes import descendant_pids, is_alive  # noqa: E402
from support.run_order import slowest_files_first  # noqa: E402

LEFTOVER_GRACE = 5.0  # seconds for processes already told to stop to finish stopping

# Tests send many refused tokens through one app or server from one address (every route with
# no token, a wrong one, ...): the failed-authentication throttle would answer them 429. It is
# off for the suite unless a test sets its own limits (tests/integration/api/
# test_request_hardening.py does, to test the throttle itself).
os.environ.setdefault("STACKWORKS_AUTH_FAILURES", "0")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, stopped and removed at the end."""
    try:
        find_bindir()
    except PostgresUnavailable as missing:
        skip_or_fail_without_server(str(missing))
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL (postgresql+psycopg) of a database on the session's server."""
    return postgres_server.url(postgres_server.create_database("stackworks_test"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for this test, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'stackworks.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow files first (support/run_order.py), so parallel workers finish close together."""
    items[:] = slowest_files_first(items)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a test left a child process behind (after fixtures tore down)."""
    deadline = time.monotonic() + LEFTOVER_GRACE
    leftovers = descendant_pids(os.getpid())
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.1)
        leftovers = descendant_pids(os.getpid())
    if not leftovers:
        return
    lines = [f"  pid {pid}: {_cmdline(pid)}" for pid in leftovers]
    sys.stderr.write(
        "\nprocesses left running by the tests (now killed):\n" + "\n".join(lines) + "\n"
    )
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    still_alive = _reap(leftovers)
    if still_alive:
        sys.stderr.write(f"could not kill: {still_alive}\n")
    if exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _reap(pids: list[int]) -> list[int]:
    """Wait (bounded) for killed processes to die, reaping our own children; the survivors."""
    deadline = time.monotonic() + LEFTOVER_GRACE
    while True:
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # only our children; the others go to init
        alive = [pid for pid in pids if is_alive(pid)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "(gone)"
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)[:200]
