"""A real server with local instances: agents, supervisords and the probe cookbook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cluster import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    # a short path: unix sockets of instances live under it
    process = ServerProcess(tmp_path / "d")
    process.start()
    try:
        yield process
    finally:
        process.close()
