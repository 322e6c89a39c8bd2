"""Fixtures the cookbook recipe tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

#: the release `deployed` makes current
RELEASE = "20260101T000000Z"


@pytest.fixture
def deployed(tmp_path: Path) -> Path:
    """An app `site` with a current release on disk under tmp_path (what configure acts on)."""
    app = tmp_path / "srv/www/site"
    (app / "releases" / RELEASE).mkdir(parents=True)
    (app / "current").symlink_to(f"releases/{RELEASE}")
    return app
