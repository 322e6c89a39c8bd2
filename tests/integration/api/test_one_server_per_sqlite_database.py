"""A second `stackworks server` on a SQLite database another server runs on is refused: a
clear message naming the database, a non-zero exit, no traceback, and nothing started."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cluster import ServerProcess
from support.processes import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def first(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "d")
    server.start()
    try:
        yield server
    finally:
        server.close()


def second_server(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "stackworks",
            "server",
            "--listen",
            f"127.0.0.1:{free_port()}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
        env=os.environ.copy(),
    )


@pytest.mark.parametrize("how", ["same data dir", "same database file"])
def test_a_second_server_on_the_same_sqlite_database_is_refused(
    first: ServerProcess, tmp_path: Path, how: str
) -> None:
    database = (first.data_dir / "stackworks.db").resolve()
    args = (
        ["--data-dir", str(first.data_dir)]
        if how == "same data dir"
        else ["--data-dir", str(tmp_path / "other"), "--database-url", f"sqlite:///{database}"]
    )
    result = second_server(*args)
    assert result.returncode != 0
    assert f"{database}: another stackworks server already runs on this SQLite" in result.stderr
    assert "postgresql+psycopg://" in result.stderr  # says what to do instead
    assert "Traceback" not in result.stderr + result.stdout
    assert first.client.get("/health").status_code == 200  # the first one is untouched
