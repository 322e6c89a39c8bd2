"""Encoded answer bodies: gzip once per content, ETag and Accept-Encoding parsing."""

from __future__ import annotations

import gzip
import json

import pytest

from stackworks.api.encoded_bodies import (
    MIN_COMPRESSED,
    EncodedBodies,
    accepts_gzip,
    encode,
    etag_matches,
)


def test_a_large_body_is_compressed_and_decompresses_to_its_json() -> None:
    value = {"instances": {f"app{n}": {"private_ip": f"10.0.0.{n}"} for n in range(200)}}
    body = encode(value)
    assert body.compressed is not None
    assert len(body.compressed) < len(body.plain) / 3
    assert json.loads(gzip.decompress(body.compressed)) == value
    assert json.loads(body.plain) == value


def test_a_small_body_is_left_uncompressed() -> None:
    body = encode({"a": 1})
    assert body.compressed is None
    assert len(body.plain) < MIN_COMPRESSED


def test_a_body_is_encoded_once_per_key() -> None:
    bodies = EncodedBodies()
    loads: list[str] = []

    def load() -> dict[str, str]:
        loads.append("x")
        return {"k": "v"}

    first = bodies.get("v1", load)
    assert bodies.get("v1", load) is first
    assert loads == ["x"]


def test_the_least_recently_used_body_is_dropped_beyond_the_size() -> None:
    bodies = EncodedBodies(size=2)
    bodies.get("a", lambda: 1)
    bodies.get("b", lambda: 2)
    bodies.get("a", lambda: 1)  # a is now the most recent
    bodies.get("c", lambda: 3)
    assert json.loads(bodies.get("a", lambda: "reloaded").plain) == 1
    assert json.loads(bodies.get("b", lambda: "reloaded").plain) == "reloaded"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"v1"', True),
        ('W/"v1"', True),
        ('"v0", "v1"', True),
        ("*", True),
        ('"v2"', False),
        ("", False),
        ("v10", False),
    ],
)
def test_if_none_match_names_the_tag(header: str, expected: bool) -> None:
    assert etag_matches(header, "v1") is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
    ],
)
def test_accept_encoding_allows_gzip(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected
