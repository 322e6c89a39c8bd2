"""Stacks through the real boto3 OpsWorks client against a real server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

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


def test_the_server_prints_the_opsworks_endpoint_when_it_starts(server: ServerProcess) -> None:
    log = (server.data_dir / "server.log").read_text()
    assert f"OpsWorks API on {server.url}/opsworks" in log


def test_a_secret_in_custom_json_is_masked_and_an_update_sending_the_mask_keeps_it(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    client = opsworks_client(server, admin_key)
    stack_id = create_stack(
        client, "secrets", CustomJson=json.dumps({"db": {"password": {"$secret": "pa55"}}})
    )
    (stack,) = client.describe_stacks(StackIds=[stack_id])["Stacks"]
    shown = json.loads(stack["CustomJson"])
    assert shown == {"db": {"password": {"$secret": "*****FILTERED*****"}}}
    assert "pa55" not in json.dumps(stack)

    client.update_stack(StackId=stack_id, CustomJson=json.dumps({**shown, "extra": 1}))
    document = server.call("GET", "/stacks/secrets/document?with_secrets=true", expect=200)
    assert document["custom_json"]["db"]["password"] == {"$secret": "pa55"}
    assert document["custom_json"]["extra"] == 1
    records = server.call("GET", "/stacks/secrets/audit", expect=200)
    assert {r["action"] for r in records} == {"OpsWorks CreateStack", "OpsWorks UpdateStack"}
    assert "pa55" not in json.dumps(records)


def test_update_clone_and_delete_a_stack(server: ServerProcess, admin_key: tuple[str, str]) -> None:
    client = opsworks_client(server, admin_key)
    source = create_stack(client, "source", DefaultOs="Ubuntu 22.04 LTS")
    client.create_layer(StackId=source, Type="python-app", Name="Web", Shortname="web")
    client.update_stack(
        StackId=source,
        Name="Source stack",
        CustomJson='{"tier": "prod"}',
        HostnameTheme="Greek_Deities_and_Titans",
        DefaultSshKeyName="ops",
    )
    (updated,) = client.describe_stacks(StackIds=[source])["Stacks"]
    assert (updated["Name"], updated["HostnameTheme"]) == (
        "Source stack",
        "Greek_Deities_and_Titans",
    )
    assert (updated["DefaultOs"], updated["DefaultSshKeyName"]) == ("Ubuntu 22.04 LTS", "ops")

    clone = client.clone_stack(SourceStackId=source, ServiceRoleArn=ROLE, Name="Copy")["StackId"]
    (copied,) = client.describe_stacks(StackIds=[clone])["Stacks"]
    assert (copied["Name"], copied["DefaultOs"]) == ("Copy", "Ubuntu 22.04 LTS")
    assert json.loads(copied["CustomJson"]) == {"tier": "prod"}
    (layer,) = client.describe_layers(StackId=clone)["Layers"]
    assert (layer["Shortname"], layer["Type"]) == ("web", "python-app")

    parameters = client.describe_stack_provisioning_parameters(StackId=clone)["Parameters"]
    assert parameters["ServerUrl"] == server.url

    client.start_stack(StackId=clone)  # no instances: nothing to start, and no error
    client.stop_stack(StackId=clone)
    client.delete_layer(LayerId=layer["LayerId"])
    client.delete_stack(StackId=clone)
    ids = [s["StackId"] for s in client.describe_stacks()["Stacks"]]
    assert clone not in ids and source in ids


def test_an_unknown_hostname_theme_is_refused_naming_the_ones_stackworks_has(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    client = opsworks_client(server, admin_key)
    with pytest.raises(ClientError) as raised:
        create_stack(client, "themed", HostnameTheme="Wild_Cats")
    message = raised.value.response["Error"]["Message"]
    assert "Wild_Cats" in message and "Greek_Deities_and_Titans" in message
    assert "themed" not in [s["Name"] for s in client.describe_stacks()["Stacks"]]
