"""One real server for a module's OpsWorks tests, and an admin's access key on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cluster import ServerProcess
from support.opsworks import make_access_key


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # a short path: unix sockets of instances live under it
    process = ServerProcess(Path(tmp_path_factory.mktemp("ow")) / "d")
    process.start()
    try:
        yield process
    finally:
        process.close()


@pytest.fixture(scope="module")
def admin_key(server: ServerProcess) -> tuple[str, str]:
    return make_access_key(server)
