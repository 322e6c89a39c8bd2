"""Fixtures shared by the whole suite: databases on SQLite and on a real PostgreSQL.

`postgres_url` starts one server per test session (lazily: only if a test asks for it).
`database_url` runs a test twice, once per backend, each time on a fresh empty database.
When the PostgreSQL binaries are missing the PostgreSQL cases are skipped locally with a hint,
but fail in CI (env CI set), where `scripts/bootstrap` must have installed them.
"""

from __future__ import annotations

import os
import sys
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
    start_server,
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _missing_postgres(reason: str) -> None:
    """Fail in CI, where a missing server is a broken setup; skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, stopped and removed at the end."""
    try:
        find_bindir()
    except PostgresUnavailable as missing:
        _missing_postgres(str(missing))
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
