"""Which databases get the one-server lock, and where its file is. The refusal of a second
server is tested on real processes (tests/integration/api/test_one_server_per_sqlite_database.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stackworks.store import replica_lock


def test_a_sqlite_file_is_locked_by_a_file_beside_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'stackworks.db'}"
    assert replica_lock.lock_path(url) == tmp_path / "data" / "stackworks.db.server-lock"


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://sw@127.0.0.1:5432/stackworks"],
)
def test_postgresql_and_in_memory_sqlite_need_no_lock(url: str) -> None:
    assert replica_lock.lock_path(url) is None
    assert replica_lock.hold(url) is None


def test_the_process_that_holds_the_lock_may_prepare_its_server_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stackworks.db'}"
    first = replica_lock.hold(url)
    assert first is not None
    assert replica_lock.hold(url) == first
    assert (tmp_path / "stackworks.db.server-lock").exists()
