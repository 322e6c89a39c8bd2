"""A real server with local instances, for the OpsWorks endpoint's clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cluster import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "d")  # a short path: instances' unix sockets live under it
    process.start()
    try:
        yield process
    finally:
        process.close()
