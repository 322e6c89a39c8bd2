"""The server's request limits on the OpsWorks endpoint, answered in AWS's shape: a body over
the size limit, JSON nested too deep, and an address throttled after failed signatures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.cluster import ServerProcess
from support.opsworks import make_access_key, opsworks_client, signed_post

pytestmark = pytest.mark.integration

MAX_BODY = 4096
MAX_FAILURES = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("owl")) / "d",
        env={
            "STACKWORKS_MAX_BODY_BYTES": str(MAX_BODY),
            "STACKWORKS_MAX_JSON_DEPTH": "8",
            "STACKWORKS_AUTH_FAILURES": str(MAX_FAILURES),
            "STACKWORKS_AUTH_WINDOW": "600",
        },
    )
    process.start()
    try:
        yield process
    finally:
        process.close()


def error_of(call: Any, **params: Any) -> tuple[int, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_a_body_over_the_limit_and_one_nested_too_deep_are_refused_as_aws_errors(
    server: ServerProcess,
) -> None:
    key = make_access_key(server)
    client = opsworks_client(server, key)
    big = error_of(client.describe_stacks, StackIds=["x" * 100] * (MAX_BODY // 100))
    assert big == (413, "RequestEntityTooLargeException")
    deep = b'{"StackIds": ' + b"[" * 20 + b"]" * 20 + b"}"
    answer = signed_post(server, key, "DescribeStacks", deep)
    assert answer.status_code == 400
    assert answer.json()["__type"] == "SerializationException"
    assert "deeper than 8 levels" in answer.json()["message"]


def test_failed_signatures_throttle_the_address_like_failed_tokens(
    server: ServerProcess,
) -> None:
    key = make_access_key(server)
    wrong = opsworks_client(server, (key[0], "y" * 40))
    for _ in range(MAX_FAILURES):
        assert error_of(wrong.describe_stacks) == (400, "InvalidSignatureException")
    right = opsworks_client(server, key)
    assert error_of(right.describe_stacks) == (400, "ThrottlingException")
    # the REST API refuses the address too: one throttle for both
    assert server.client.get("/health").status_code == 429
