"""An in-process API over a real database (SQLite and PostgreSQL) with a recording provider."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stackworks.api.app import create_app
from stackworks.control.orchestrator import Orchestrator
from stackworks.control.settings import Settings
from stackworks.providers.fake import FakeProvider
from stackworks.providers.registered import RegisteredProvider
from stackworks.store import tokens
from stackworks.store.db import Database


@dataclass
class Api:
    """A test client that sends the admin token, plus the pieces tests look behind."""

    client: TestClient
    token: str
    provider: FakeProvider
    orchestrator: Orchestrator
    db: Database

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def get(self, path: str, **kw: Any) -> Any:
        kw.setdefault("headers", self.headers())
        return self.client.get(f"/api/v1{path}", **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        kw.setdefault("headers", self.headers())
        return self.client.post(f"/api/v1{path}", json=body, **kw)

    def patch(self, path: str, body: Any, **kw: Any) -> Any:
        kw.setdefault("headers", self.headers())
        return self.client.patch(f"/api/v1{path}", json=body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        kw.setdefault("headers", self.headers())
        return self.client.put(f"/api/v1{path}", json=body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        kw.setdefault("headers", self.headers())
        return self.client.delete(f"/api/v1{path}", **kw)

    def tick(self) -> None:
        """One orchestrator pass with its provider work done before returning."""
        self.orchestrator.tick(inline=True)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    db = Database(database_url)
    db.upgrade()
    with db.transaction() as session:
        token = tokens.create(session, "admin")
    settings = Settings(
        data_dir=tmp_path, server_url="http://127.0.0.1:1", database_url=database_url
    )
    provider = FakeProvider()
    app = create_app(
        db, settings, {"local": provider, "registered": RegisteredProvider()},
        run_orchestrator=False,
    )
    with TestClient(app) as client:
        yield Api(client, token, provider, app.state.orchestrator, db)
    db.dispose()
