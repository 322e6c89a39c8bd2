"""Two replicas' apps on one PostgreSQL: an agent's long-poll held by replica B is answered with
the command a deployment made on replica A, woken by LISTEN/NOTIFY.

The polls' own look at the database (every RECHECK_EVERY s) is pushed beyond the poll's wait
here, so only a wake-up can answer the poll before it ends empty.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stackworks.api import poll_hub
from stackworks.api.app import create_app
from stackworks.control.settings import Settings
from stackworks.domain.status import InstanceStatus
from stackworks.providers.fake import FakeProvider
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store import tokens
from stackworks.store.db import Database
from support.api_harness import make_server_admin
from support.postgres import PostgresServer

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

POLL_WAIT = 20.0


class Replica:
    """One replica's app, served in-process, with the admin token."""

    def __init__(self, db: Database, data_dir: Path, name: str, token: str) -> None:
        settings = Settings(
            data_dir=data_dir, server_url="http://127.0.0.1:1", database_url=db.url, replica=name
        )
        app = create_app(db, settings, {"local": FakeProvider()}, run_orchestrator=False)
        self.client = TestClient(app)
        self.auth = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        answer = self.client.request(method, f"/api/v1{path}", json=body, headers=self.auth)
        assert answer.status_code == status, answer.text
        return answer.json()


@pytest.fixture
def replicas(
    postgres_server: PostgresServer, tmp_path: Path
) -> Iterator[tuple[Replica, Replica, Database]]:
    name = postgres_server.create_database()
    db_a, db_b = Database(postgres_server.url(name)), Database(postgres_server.url(name))
    db_a.upgrade()
    token = make_server_admin(db_a)
    a = Replica(db_a, tmp_path, "replica-a", token)
    b = Replica(db_b, tmp_path, "replica-b", token)
    try:
        with a.client, b.client:  # runs each app's lifespan: its wake-up listener
            yield a, b, db_a
    finally:
        db_a.dispose()
        db_b.dispose()
        postgres_server.drop_database(name)


def online_instance_with_credential(a: Replica, db: Database) -> str:
    """An online instance of stack `core` (the lifecycle is tested elsewhere), and its
    agent credential."""
    a.call("POST", "/stacks", {"name": "core"}, status=201)
    a.call("POST", "/stacks/core/layers", {"shortname": "app", "type": "custom"}, status=201)
    a.call("POST", "/stacks/core/instances", {"layers": ["app"], "hostname": "app1"}, status=201)
    credential = tokens.new_secret("swi")
    with db.transaction() as session:
        stack = stack_store.get_by_name(session, "core")
        instance = instance_store.get_by_hostname(session, stack.id, "app1")
        instance_store.update_fields(
            session, instance.id, credential_hash=tokens.hash_token(credential)
        )
        instance_store.set_status(session, instance.id, InstanceStatus.ONLINE, "", None)
    return credential


def test_a_long_poll_on_one_replica_is_answered_by_a_command_made_on_the_other(
    replicas: tuple[Replica, Replica, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, db = replicas
    credential = online_instance_with_credential(a, db)
    assert b.client.app.state.wakeups.listening.wait(10)
    # only a wake-up, not the shared look's periodic recheck, may answer the poll in time
    monkeypatch.setattr(poll_hub, "RECHECK_EVERY", POLL_WAIT * 3)
    answers: list[Any] = []
    polling = threading.Thread(
        target=lambda: answers.append(
            b.client.get(
                "/api/v1/agent/commands",
                params={"wait": POLL_WAIT},
                headers={"Authorization": f"Bearer {credential}"},
            )
        )
    )
    polling.start()
    try:
        # let the poll make its first (empty) look before the command exists
        polling.join(1.0)
        deployment = a.call(
            "POST",
            "/stacks/core/deployments",
            {"command": {"name": "execute_recipes", "args": {"recipes": ["probe::record"]}}},
            status=201,
        )
    finally:
        polling.join(POLL_WAIT + 10)
    (answer,) = answers
    assert answer.status_code == 200, answer.text
    commands = answer.json()["commands"]
    assert [c["deployment_id"] for c in commands] == [deployment["id"]]
