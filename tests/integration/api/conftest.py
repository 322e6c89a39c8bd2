"""An in-process API over a real database (SQLite and PostgreSQL) with a recording provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.api_harness import Api, serve_api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with serve_api(database_url, tmp_path) as served:
        yield served
