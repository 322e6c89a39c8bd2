"""The OpsWorks endpoint of a real server, as boto3 sees it: access keys and clients.

`make_access_key` issues a key through the REST API (as `stackworks user access-key create`
does); `opsworks_client` is the real `boto3.client("opsworks")` pointed at the server, with
botocore's own parameter validation off when a test means to send what the server must refuse.
"""

from __future__ import annotations

from typing import Any

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from support.cluster import ServerProcess

REGION = "us-east-1"


def make_access_key(server: ServerProcess, user: str | None = None) -> tuple[str, str]:
    """(access key id, secret) of a new key for `user` (default: the server's admin)."""
    path = f"/users/{user}/access-keys" if user else "/me/access-keys"
    made = server.call("POST", path, expect=201)
    return str(made["access_key_id"]), str(made["secret_access_key"])


def opsworks_url(server: ServerProcess) -> str:
    return f"{server.url}/opsworks"


def signed_post(
    server: ServerProcess, key: tuple[str, str], operation: str, body: bytes
) -> httpx.Response:
    """A request botocore's client would not send (a made-up operation, a broken body), signed
    with botocore's own SigV4 signer and posted as is."""
    request = AWSRequest(
        method="POST",
        url=opsworks_url(server),
        data=body,
        headers={
            "X-Amz-Target": f"OpsWorks_20130218.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    SigV4Auth(Credentials(*key), "opsworks", REGION).add_auth(request)
    return httpx.post(request.url, content=body, headers=dict(request.headers.items()), timeout=10)


def opsworks_client(
    server: ServerProcess, key: tuple[str, str], *, validate: bool = True, **config: Any
) -> Any:
    return boto3.client(
        "opsworks",
        endpoint_url=opsworks_url(server),
        region_name=REGION,
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        config=Config(
            parameter_validation=validate,
            retries={"max_attempts": 1, "mode": "standard"},
            **config,
        ),
    )
