"""An in-process API over a real database (SQLite and PostgreSQL) with a recording provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackworks.api.app import create_app
from stackworks.control.settings import Settings
from stackworks.providers.fake import FakeProvider
from stackworks.providers.registered import RegisteredProvider
from stackworks.store import tokens
from stackworks.store import users as user_store
from stackworks.store.db import Database
from support.api_harness import Api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    db = Database(database_url)
    db.upgrade()
    with db.transaction() as session:
        admin = user_store.create(session, "admin", is_admin=True)
        token, _ = tokens.create(session, admin.id, "admin")
    settings = Settings(
        data_dir=tmp_path, server_url="http://127.0.0.1:1", database_url=database_url
    )
    provider = FakeProvider()
    app = create_app(
        db,
        settings,
        {"local": provider, "registered": RegisteredProvider()},
        run_orchestrator=False,
    )
    with TestClient(app) as client:
        yield Api(client, token, provider, app.state.orchestrator, db)
    db.dispose()
