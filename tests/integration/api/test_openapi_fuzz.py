"""schemathesis against the app's own OpenAPI, authorized: no 5xx, no answer the spec denies.

Every operation gets a bounded number of generated requests, valid ones and invalid ones, half
of each aimed at a seeded stack (`demo`, its layer, app and instances) so that the routes' own
logic runs, not only the 404 of an unknown name. User routes carry the admin token, agent
routes the credential of a registered instance. Each answer must not be a 5xx and must have a
status code, content type and body that the OpenAPI document declares for the operation. The
app runs in-process (ASGI) over SQLite with the recording provider: nothing leaves the process.
Examples are derandomized, so a run in CI repeats the one before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.generation.case import Case

from stackworks.api.app import create_app
from stackworks.api.limits import RequestLimits
from stackworks.control.settings import Settings
from stackworks.providers.fake import FakeProvider
from stackworks.providers.registered import RegisteredProvider
from stackworks.store.db import Database
from support.api_harness import make_server_admin

pytestmark = [pytest.mark.integration, pytest.mark.api_fuzz]

#: generated requests per operation (about 90 operations): one to two minutes on 2 cores
EXAMPLES_PER_OPERATION = 20

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

#: path parameter -> the seeded object's name
SEEDED = {"stack": "demo", "layer": "web", "app": "shop", "hostname": "web1"}


def _app(db: Database, data_dir: Path) -> Any:
    settings_ = Settings(data_dir=data_dir, server_url="http://127.0.0.1:1", database_url="")
    return create_app(
        db,
        settings_,
        {"local": FakeProvider(), "registered": RegisteredProvider()},
        run_orchestrator=False,
        limits=RequestLimits(auth_failures=0),  # a 429 is no finding; no 401s are sent anyway
    )


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from an app that never touches its database."""
    document = _app(Database("sqlite://"), Path("/nonexistent")).openapi()
    return [(method.upper(), path) for path, item in document["paths"].items() for method in item]


class FuzzTarget:
    """The app under test, its admin token and a registered instance's agent credential."""

    def __init__(self, data_dir: Path) -> None:
        self.db = Database(f"sqlite:///{data_dir / 'stackworks.db'}")
        self.db.upgrade()
        self.token = make_server_admin(self.db)
        self.app = _app(self.db, data_dir)
        self.client = TestClient(self.app)
        self.client.headers["Authorization"] = f"Bearer {self.token}"
        self.credential = ""

    def seed(self) -> None:
        """The seeded objects, made again where an earlier operation deleted them."""
        post = self.client.post
        post("/api/v1/stacks", json={"name": "demo"})
        post("/api/v1/stacks/demo/layers", json={"shortname": "web", "type": "python-app"})
        app = {"shortname": "shop", "source": {"url": "file:///srv/git/shop.git"}}
        post("/api/v1/stacks/demo/apps", json=app)
        post("/api/v1/stacks/demo/instances", json={"layers": ["web"], "hostname": "web1"})
        issued = post("/api/v1/stacks/demo/registration-tokens", json={"expires_in": 600})
        registered = post(
            "/api/v1/agent/register",
            json={"stack": "demo", "layers": ["web"], "hostname": "box", "private_ip": "127.0.0.2"},
            headers={"Authorization": f"Bearer {issued.json().get('token', '')}"},
        )
        if registered.status_code == 200:
            self.credential = registered.json()["credential"]

    def headers(self, path: str) -> dict[str, str]:
        agent = path.startswith("/api/v1/agent/") and not path.endswith("/register")
        return {"Authorization": f"Bearer {self.credential if agent else self.token}"}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    made = FuzzTarget(tmp_path_factory.mktemp("fuzz"))
    yield made
    made.client.close()
    made.db.dispose()


@pytest.fixture(scope="module")
def api_schema(target: FuzzTarget) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", target.app)


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda v: str(v))
def test_every_operation_answers_as_its_openapi_says(
    method: str, path: str, target: FuzzTarget, api_schema: Any
) -> None:
    target.seed()
    operation = api_schema[path][method]
    seeded = {name: value for name, value in SEEDED.items() if f"{{{name}}}" in path}
    cases = st.one_of(
        *(
            operation.as_strategy(mode, path_parameters=names)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for names in ({}, seeded)
        )
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def answers_as_declared(case: Case) -> None:
        case.call_and_validate(headers=target.headers(path), checks=CHECKS)

    answers_as_declared()
