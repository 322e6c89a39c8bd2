"""An in-process Stackworks API for tests: a client that sends the admin token, and builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from stackworks.api.app import create_app
from stackworks.control.orchestrator import Orchestrator
from stackworks.control.settings import Settings
from stackworks.providers.fake import FakeProvider
from stackworks.providers.registered import RegisteredProvider
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store import tokens
from stackworks.store import users as user_store
from stackworks.store.db import Database
from support.postgres import PostgresServer


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


def make_server_admin(db: Database, name: str = "admin") -> str:
    """A server admin `name` in `db`, and a token of it (the only time it is in clear)."""
    with db.transaction() as session:
        admin = user_store.create(session, name, is_admin=True)
        token, _ = tokens.create(session, admin.id, name)
    return token


@contextmanager
def serve_api(
    database_url: str, data_dir: Path, configure: Callable[[FastAPI], None] | None = None
) -> Iterator[Api]:
    """The API in-process on a migrated database, with a server admin `admin` and its token,
    a recording provider and no orchestrator thread (tests tick it). `configure` may add to the
    app (a middleware) before it starts."""
    db = Database(database_url)
    db.upgrade()
    token = make_server_admin(db)
    settings = Settings(
        data_dir=data_dir, server_url="http://127.0.0.1:1", database_url=database_url
    )
    provider = FakeProvider()
    app = create_app(
        db,
        settings,
        {"local": provider, "registered": RegisteredProvider()},
        run_orchestrator=False,
    )
    if configure is not None:
        configure(app)
    try:
        with TestClient(app) as client:
            yield Api(client, token, provider, app.state.orchestrator, db)
    finally:
        db.dispose()


@contextmanager
def serve_api_on_postgres(server: PostgresServer, data_dir: Path) -> Iterator[Api]:
    """`serve_api` on a database of its own on `server`, dropped when the block ends."""
    name = server.create_database()
    try:
        with serve_api(server.url(name), data_dir) as served:
            yield served
    finally:
        server.drop_database(name)


def make_stack(api: Api, name: str = "demo", **extra: Any) -> dict[str, Any]:
    answer = api.post("/stacks", {"name": name, **extra})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def make_layer(api: Api, stack: str, shortname: str, type_: str = "custom", **extra: Any) -> None:
    answer = api.post(f"/stacks/{stack}/layers", {"shortname": shortname, "type": type_, **extra})
    assert answer.status_code == 201, answer.text


def make_instance(api: Api, stack: str, layers: list[str], hostname: str | None = None) -> str:
    body: dict[str, Any] = {"layers": layers}
    if hostname:
        body["hostname"] = hostname
    answer = api.post(f"/stacks/{stack}/instances", body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["hostname"])


def make_user(api: Api, name: str, *, levels: dict[str, str] | None = None, **fields: Any) -> str:
    """A user with `levels` (stack -> level) and a token; returns the token."""
    answer = api.post("/users", {"name": name, **fields})
    assert answer.status_code == 201, answer.text
    for stack, level in (levels or {}).items():
        granted = api.put(f"/stacks/{stack}/permissions/{name}", {"level": level})
        assert granted.status_code == 200, granted.text
    made = api.post(f"/users/{name}/tokens", {"name": "test"})
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def give_credential(api: Api, stack: str, hostname: str, credential: str) -> None:
    """Give the instance an agent credential without starting it (tests of who may call)."""
    with api.db.transaction() as session:
        found = stack_store.get_by_name(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        instance_store.update_fields(
            session, instance.id, credential_hash=tokens.hash_token(credential)
        )
