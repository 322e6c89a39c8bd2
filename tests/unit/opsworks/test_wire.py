"""Pieces of the endpoint that need no server: the operation named by X-Amz-Target, the body's
parsing, and what the audit log is given of a body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import psycopg.errors
import pytest
from sqlalchemy.exc import OperationalError

from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.domain.audit import stored_body
from stackworks.domain.entities import FILTERED
from stackworks.opsworks import sigv4, wire
from stackworks.opsworks.errors import SerializationException
from stackworks.store.db import Database


def request(target: str | None, body: bytes = b"{}") -> sigv4.Request:
    headers = [("X-Amz-Target", target)] if target is not None else []
    return sigv4.Request("POST", "/opsworks", "", headers, body)


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("OpsWorks_20130218.DescribeStacks", "DescribeStacks"),
        ("OpsWorks_20130218.", None),
        ("Ec2_20161115.DescribeInstances", None),
        ("DescribeStacks", None),
        (None, None),
    ],
)
def test_the_operation_is_the_one_the_target_names_under_the_service_prefix(
    target: str | None, name: str | None
) -> None:
    assert wire.operation_name(request(target)) == name


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"[1, 2]", "must be a JSON object"), (b'{"a": ', "not valid JSON"), (b"[" * 70, "deeper")],
)
def test_a_body_that_is_not_a_json_object_is_a_serialization_error(body: bytes, words: str) -> None:
    with pytest.raises(SerializationException, match=words):
        wire.parse_body(body, max_depth=64)


def test_an_empty_body_is_no_parameters() -> None:
    assert wire.parse_body(b"", max_depth=64) == {}


def test_secrets_inside_a_custom_json_string_are_masked_in_the_audit_record() -> None:
    body = json.dumps(
        {
            "Name": "shop",
            "CustomJson": json.dumps({"db": {"password": "pa55"}, "key": {"$secret": "k3y"}}),
            "CustomCookbooksSource": {"Type": "git", "Url": "https://u:t0ken@git.example/c"},
        }
    ).encode()
    kept = stored_body(wire.audited_body(body), "application/json")
    text = json.dumps(kept)
    assert "pa55" not in text and "k3y" not in text and "t0ken" not in text
    assert kept["body"]["CustomJson"]["db"]["password"] == FILTERED
    unreadable = json.dumps({"CustomJson": '{"password": "pa55"'}).encode()
    assert "pa55" not in json.dumps(stored_body(wire.audited_body(unreadable), "application/json"))


class DatabaseGivingWay:
    """A database whose every transaction PostgreSQL's deadlock detector (or another driver
    error, `driver_error`) rolls back: all the endpoint can meet of a lost race."""

    def __init__(self, driver_error: type[psycopg.Error]) -> None:
        self.driver_error = driver_error

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise OperationalError("SELECT ...", {}, self.driver_error("from the test"))
        yield


def served_with(driver_error: type[psycopg.Error]) -> wire.Answer:
    endpoint = wire.Endpoint(
        db=cast(Database, DatabaseGivingWay(driver_error)),
        settings=cast(Settings, None),
        providers={},
        signal=CommandSignal(),
        max_json_depth=64,
    )
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/eu-west-1/opsworks/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    )
    call = request("OpsWorks_20130218.DescribeStacks")
    headers = [*call.headers, ("Authorization", authorization)]
    return endpoint.serve(sigv4.Request(call.method, call.path, "", headers, b"{}"))


def test_a_call_the_database_rolled_back_for_a_concurrent_one_is_service_unavailable() -> None:
    answer = served_with(psycopg.errors.DeadlockDetected)
    assert (answer.status, answer.error_type) == (503, "ServiceUnavailable")  # botocore retries
    assert "send it again" in answer.body["message"]


def test_any_other_database_error_is_an_internal_failure() -> None:
    answer = served_with(psycopg.errors.DiskFull)
    assert (answer.status, answer.error_type) == (500, "InternalFailure")
