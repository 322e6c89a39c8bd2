"""What an audit record keeps of a body: secrets masked wherever they are, sizes bounded."""

from __future__ import annotations

import json

import pytest

from stackworks.domain.audit import MAX_PARSED_BYTES, MAX_STORED_CHARS, mask, stored_body
from stackworks.domain.entities import FILTERED


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"password": "pw", "user": "u"}, {"password": FILTERED, "user": "u"}),
        ({"db": {"Password": "pw"}}, {"db": {"Password": FILTERED}}),
        ({"api_token": "t", "ssh_key": "k", "private_key": "p"}, None),
        ({"ssh_public_key": "ssh-ed25519 AAAA"}, {"ssh_public_key": "ssh-ed25519 AAAA"}),
        ({"password": ""}, {"password": ""}),
        (
            [{"key": "A", "value": "v"}, {"key": "B", "value": "s", "secure": True}],
            [{"key": "A", "value": "v"}, {"key": "B", "value": FILTERED, "secure": True}],
        ),
        ({"url": "https://me:pw@host/x.git"}, {"url": f"https://{FILTERED}@host/x.git"}),
        ({"url": "https://tok@host/x"}, {"url": f"https://{FILTERED}@host/x"}),
        ({"url": "https://host/a@b"}, {"url": "https://host/a@b"}),
    ],
)
def test_secrets_are_masked_wherever_they_stand(body: object, expected: object) -> None:
    masked = mask(body)
    if expected is None:
        assert isinstance(masked, dict) and set(masked.values()) == {FILTERED}
    else:
        assert masked == expected


def test_masking_leaves_the_original_alone() -> None:
    body = {"password": "pw"}
    mask(body)
    assert body == {"password": "pw"}


def test_a_deeply_nested_body_is_cut_not_recursed_forever() -> None:
    deep: object = "x"
    for _ in range(100):
        deep = [deep]
    assert "[nested too deep]" in json.dumps(mask(deep))


def test_bodies_are_kept_masked_or_noted_never_raw() -> None:
    assert stored_body(b"", "application/json") == {}
    assert stored_body(b'{"token": "t"}', "application/json") == {"body": {"token": FILTERED}}
    assert stored_body(b'{"password": ', "application/json") == {
        "omitted": "a body of 13 bytes that is not valid JSON"
    }
    assert "omitted" in stored_body(b"password=pw", "application/x-www-form-urlencoded")
    assert stored_body(b"{}", "application/json", size=MAX_PARSED_BYTES + 1) == {
        "omitted": f"a body of {MAX_PARSED_BYTES + 1} bytes"
    }


def test_a_large_body_is_truncated_after_masking() -> None:
    body = {"password": "pw" * 10, "notes": "n" * (MAX_STORED_CHARS * 2)}
    kept = stored_body(json.dumps(body).encode(), "application/json")
    assert len(kept["truncated"]) == MAX_STORED_CHARS
    assert "pwpw" not in kept["truncated"] and FILTERED in kept["truncated"]


def test_an_opsworks_environment_entry_marked_secure_has_its_value_masked() -> None:
    body = {
        "Environment": [{"Key": "K", "Value": "s3cret", "Secure": True}, {"Key": "P", "Value": "p"}]
    }
    assert mask(body) == {
        "Environment": [
            {"Key": "K", "Value": FILTERED, "Secure": True},
            {"Key": "P", "Value": "p"},
        ]
    }
