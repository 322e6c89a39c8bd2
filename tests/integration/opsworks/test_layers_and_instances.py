"""Layers and instances through the real boto3 OpsWorks client against a real server,
up to a local instance online (the `instance_online` waiter) and stopped again."""

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
FAST_WAITER = {"Delay": 1, "MaxAttempts": 120}


@pytest.fixture(scope="module")
def client(server: ServerProcess, admin_key: tuple[str, str]) -> Any:
    return opsworks_client(server, admin_key)


@pytest.fixture(scope="module")
def stack_id(client: Any) -> str:
    made = client.create_stack(
        Name="layers and instances",
        Region=REGION,
        ServiceRoleArn=ROLE,
        DefaultInstanceProfileArn=PROFILE,
    )
    return str(made["StackId"])


def error_of(call: Any, **params: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return dict(raised.value.response["Error"]) | {
        "Status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"]
    }


def test_a_custom_layer_keeps_its_recipes_packages_and_the_opsworks_only_fields(
    client: Any, stack_id: str
) -> None:
    layer_id = client.create_layer(
        StackId=stack_id,
        Type="custom",
        Name="Workers",
        Shortname="workers",
        CustomRecipes={"Setup": ["probe::setup"], "Deploy": ["probe::deploy"]},
        Packages=["curl"],
        CustomJson=json.dumps({"workers": {"count": 2}}),
        CustomSecurityGroupIds=["sg-0123"],
        AutoAssignPublicIps=True,
        EnableAutoHealing=False,
        LifecycleEventConfiguration={"Shutdown": {"ExecutionTimeout": 30}},
        VolumeConfigurations=[{"MountPoint": "/srv/data", "NumberOfDisks": 1, "Size": 5}],
    )["LayerId"]

    (layer,) = client.describe_layers(LayerIds=[layer_id])["Layers"]

    assert (layer["StackId"], layer["Type"], layer["Shortname"]) == (stack_id, "custom", "workers")
    assert layer["CustomRecipes"]["Setup"] == ["probe::setup"]
    assert layer["CustomRecipes"]["Deploy"] == ["probe::deploy"]
    assert layer["Packages"] == ["curl"]
    assert json.loads(layer["CustomJson"]) == {"workers": {"count": 2}}
    assert layer["CustomSecurityGroupIds"] == ["sg-0123"]
    assert layer["AutoAssignPublicIps"] is True
    assert layer["EnableAutoHealing"] is False
    assert layer["LifecycleEventConfiguration"]["Shutdown"]["ExecutionTimeout"] == 30
    assert layer["VolumeConfigurations"] == [
        {"MountPoint": "/srv/data", "NumberOfDisks": 1, "Size": 5}
    ]

    client.update_layer(LayerId=layer_id, Name="Background workers", Packages=["curl", "jq"])
    (updated,) = client.describe_layers(StackId=stack_id)["Layers"]
    assert (updated["Name"], updated["Packages"]) == ("Background workers", ["curl", "jq"])
    assert updated["CustomSecurityGroupIds"] == ["sg-0123"]  # kept across the update

    client.delete_layer(LayerId=layer_id)
    assert client.describe_layers(StackId=stack_id)["Layers"] == []


def test_opsworks_layer_types_and_ec2_features_stackworks_lacks_are_refused_saying_why(
    client: Any, stack_id: str
) -> None:
    php = error_of(
        client.create_layer, StackId=stack_id, Type="php-app", Name="PHP", Shortname="php"
    )
    assert php["Code"] == "ValidationException" and php["Status"] == 400
    assert "python-app" in php["Message"]
    raid = error_of(
        client.create_layer,
        StackId=stack_id,
        Type="custom",
        Name="Db",
        Shortname="db",
        VolumeConfigurations=[
            {"MountPoint": "/srv", "NumberOfDisks": 2, "Size": 5, "RaidLevel": 1}
        ],
    )
    assert raid["Code"] == "ValidationException" and "RAID" in raid["Message"]
    assert client.describe_layers(StackId=stack_id)["Layers"] == []  # nothing half-made


def test_an_instance_is_created_started_online_stopped_and_deleted(
    client: Any, stack_id: str
) -> None:
    layer_id = client.create_layer(StackId=stack_id, Type="custom", Name="App", Shortname="app")[
        "LayerId"
    ]
    suggested = client.get_hostname_suggestion(LayerId=layer_id)
    assert (suggested["LayerId"], suggested["Hostname"]) == (layer_id, "app1")
    instance_id = client.create_instance(
        StackId=stack_id,
        LayerIds=[layer_id],
        InstanceType="t3.small",
        Os="Ubuntu 22.04 LTS",
        SshKeyName="ops",
    )["InstanceId"]
    (made,) = client.describe_instances(InstanceIds=[instance_id])["Instances"]
    assert (made["Hostname"], made["Status"], made["LayerIds"]) == ("app1", "stopped", [layer_id])
    assert (made["InstanceType"], made["Os"], made["SshKeyName"]) == (
        "t3.small",
        "Ubuntu 22.04 LTS",
        "ops",
    )
    assert made["PrivateIp"].startswith("127.")

    client.start_instance(InstanceId=instance_id)
    client.get_waiter("instance_online").wait(InstanceIds=[instance_id], WaiterConfig=FAST_WAITER)
    summary = client.describe_stack_summary(StackId=stack_id)["StackSummary"]
    assert summary["InstancesCount"]["Online"] == 1 and summary["LayersCount"] == 1

    refused = error_of(client.delete_instance, InstanceId=instance_id)
    assert refused["Code"] == "ValidationException" and "stop it" in refused["Message"]

    client.stop_instance(InstanceId=instance_id)
    client.get_waiter("instance_stopped").wait(InstanceIds=[instance_id], WaiterConfig=FAST_WAITER)
    client.update_instance(InstanceId=instance_id, Hostname="web1", InstanceType="t3.large")
    (stopped,) = client.describe_instances(LayerId=layer_id)["Instances"]
    assert (stopped["Hostname"], stopped["InstanceType"]) == ("web1", "t3.large")

    client.delete_instance(InstanceId=instance_id)
    left = client.describe_instances(StackId=stack_id)["Instances"]
    assert [i["Status"] for i in left] in ([], ["terminating"], ["terminated"])


def test_layers_of_an_instance_change_through_assign_and_update_and_unassign_is_refused(
    client: Any, stack_id: str, server: ServerProcess
) -> None:
    first = client.create_layer(StackId=stack_id, Type="custom", Name="A", Shortname="a")
    second = client.create_layer(StackId=stack_id, Type="redis", Name="B", Shortname="b")
    a, b = first["LayerId"], second["LayerId"]
    instance_id = client.create_instance(
        StackId=stack_id, LayerIds=[a], InstanceType="t3.micro", AutoScalingType="timer"
    )["InstanceId"]

    client.assign_instance(InstanceId=instance_id, LayerIds=[b])
    (assigned,) = client.describe_instances(InstanceIds=[instance_id])["Instances"]
    assert assigned["LayerIds"] == [a, b] and assigned["AutoScalingType"] == "timer"
    client.update_instance(InstanceId=instance_id, LayerIds=[b], AutoScalingType="load")
    (updated,) = client.describe_instances(LayerId=b)["Instances"]
    assert updated["LayerIds"] == [b] and updated["AutoScalingType"] == "load"
    rest = server.instances("layers-and-instances")[updated["Hostname"]]
    assert (rest["layers"], rest["scaling"]) == (["b"], "load")

    for call, params, words in (
        (client.unassign_instance, {"InstanceId": instance_id}, "at least one layer"),
        (
            client.register_instance,
            {"StackId": stack_id, "Hostname": "host1"},
            "stackworks agent register",
        ),
        (client.deregister_instance, {"InstanceId": instance_id}, "DeleteInstance"),
        (client.describe_instances, {"StackId": stack_id, "LayerId": a}, "exactly one"),
        (client.update_instance, {"InstanceId": instance_id, "LayerIds": ["nope"]}, "no layer"),
    ):
        refused = error_of(call, **params)
        assert (refused["Status"], refused["Code"]) == (400, "ValidationException"), call
        assert words in refused["Message"], (call, refused["Message"])

    client.delete_instance(InstanceId=instance_id)


def test_an_unknown_instance_or_layer_id_is_not_found(client: Any) -> None:
    missing = "00000000-0000-4000-8000-000000000001"
    refused = error_of(client.start_instance, InstanceId=missing)
    assert (refused["Code"], refused["Message"]) == (
        "ResourceNotFoundException",
        f"Unable to find instance with ID {missing}",
    )
    refused = error_of(client.get_hostname_suggestion, LayerId=missing)
    assert refused["Message"] == f"Unable to find layer with ID {missing}"
