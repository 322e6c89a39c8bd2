"""Stacks through the real boto3 OpsWorks client against a real server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from support.cluster import ServerProcess
from support.opsworks import REGION, opsworks_client

pytestmark = pytest.mark.integration

ROLE = "arn:aws:iam::111122223333:role/aws-opsworks-service-role"
PROFILE = "arn:aws:iam::111122223333:instance-profile/aws-opsworks-ec2-role"


def create_stack(client: Any, name: str, **extra: Any) -> str:
    made = client.create_stack(
        Name=name,
        Region=REGION,
        ServiceRoleArn=ROLE,
        DefaultInstanceProfileArn=PROFILE,
        **extra,
    )
    return str(made["StackId"])


def test_a_created_stack_is_described_with_what_it_was_given(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    client = opsworks_client(server, admin_key)
    stack_id = create_stack(
        client,
        "My Shop",
        CustomJson=json.dumps({"shop": {"port": 8080}}),
        DefaultOs="Ubuntu 22.04 LTS",
        HostnameTheme="Fruits",
        Attributes={"Color": "rgb(45, 114, 184)"},
    )

    (stack,) = client.describe_stacks(StackIds=[stack_id])["Stacks"]

    assert stack["StackId"] == stack_id
    assert stack["Name"] == "My Shop"
    assert stack["Region"] == REGION
    assert stack["ServiceRoleArn"] == ROLE
    assert stack["DefaultInstanceProfileArn"] == PROFILE
    assert stack["DefaultOs"] == "Ubuntu 22.04 LTS"
    assert stack["HostnameTheme"] == "Fruits"
    assert stack["Attributes"] == {"Color": "rgb(45, 114, 184)"}
    assert json.loads(stack["CustomJson"]) == {"shop": {"port": 8080}}
    assert stack["Arn"].startswith(f"arn:aws:opsworks:{REGION}:")
    # the same stack on the REST API, under a Stackworks name made from the OpsWorks one
    listed = {s["id"]: s for s in server.call("GET", "/stacks", expect=200)}
    assert listed[stack_id]["name"] == "My-Shop"
    assert listed[stack_id]["hostname_theme"] == "fruits"
    assert stack_id in [s["StackId"] for s in client.describe_stacks()["Stacks"]]
