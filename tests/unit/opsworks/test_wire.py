"""Pieces of the endpoint that need no server: the operation named by X-Amz-Target, the body's
parsing, and what the audit log is given of a body."""

from __future__ import annotations

import json

import pytest

from stackworks.domain.audit import stored_body
from stackworks.domain.entities import FILTERED
from stackworks.opsworks import sigv4, wire
from stackworks.opsworks.errors import SerializationException


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
