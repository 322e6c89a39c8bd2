"""The API's error mapping for a transaction the database rolled back for a concurrent one
(PostgreSQL's deadlock detector, a serialization failure): 503 with Retry-After, in the API's
one error shape; any other database error stays a 500."""

from __future__ import annotations

import psycopg.errors
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from stackworks.api import errors

DRIVER_ERRORS: dict[str, type[psycopg.Error]] = {
    "deadlock": psycopg.errors.DeadlockDetected,
    "serialization": psycopg.errors.SerializationFailure,
    "disk full": psycopg.errors.DiskFull,
}


def client_raising(kind: str) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.post("/work")
    def work() -> None:
        driver_error = DRIVER_ERRORS[kind]("from the test")
        raise OperationalError("UPDATE commands SET ...", {}, driver_error)

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("kind", ["deadlock", "serialization"])
def test_a_transaction_rolled_back_for_a_concurrent_one_is_answered_503_with_retry_after(
    kind: str,
) -> None:
    answer = client_raising(kind).post("/work")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    detail = answer.json()["detail"]
    assert "send it again" in detail["message"]
    assert detail["field"] is None
    assert "UPDATE" not in answer.text  # no statement, no driver text


def test_another_database_error_is_still_a_server_error() -> None:
    answer = client_raising("disk full").post("/work")
    assert answer.status_code == 500
    assert "Retry-After" not in answer.headers
