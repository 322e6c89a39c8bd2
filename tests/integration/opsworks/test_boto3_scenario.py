"""A migration's day one, driven by the real boto3 1.40.18 client and its real waiters against
a real `stackworks server` with local instances, and the same reads through `aws opsworks`.

Waiters keep their own acceptors; only their delay is shortened (WaiterConfig), since local
instances come online in seconds, not minutes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from support.cluster import ServerProcess
from support.opsworks import make_access_key, opsworks_client
from support.opsworks_cli import AwsCli
from support.web import sample_repository

pytestmark = pytest.mark.timeout(300)

FAST = {"Delay": 1, "MaxAttempts": 120}
ARN = "arn:aws:iam::123456789012:user/{}"


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_stack_layer_app_instance_deploy_scaling_permission_and_teardown(
    server: ServerProcess, admin_key: tuple[str, str], tmp_path: Path
) -> None:
    ops = opsworks_client(server, admin_key)
    repo = sample_repository(tmp_path / "web.git")

    stack_id = ops.create_stack(
        Name="shop",
        Region="us-east-1",
        ServiceRoleArn="arn:aws:iam::123456789012:role/aws-opsworks-service-role",
        DefaultInstanceProfileArn="arn:aws:iam::123456789012:instance-profile/ec2-role",
    )["StackId"]
    layer_id = ops.create_layer(StackId=stack_id, Type="custom", Name="Web", Shortname="web")[
        "LayerId"
    ]
    app_id = ops.create_app(
        StackId=stack_id,
        Name="Web Site",
        Type="other",
        AppSource={"Type": "git", "Url": repo.as_uri(), "Revision": "main"},
        Environment=[
            {"Key": "GREETING", "Value": "hello"},
            {"Key": "SECRET_KEY", "Value": "s3cret-value", "Secure": True},
        ],
    )["AppId"]
    app = ops.describe_apps(AppIds=[app_id])["Apps"][0]
    assert (app["Shortname"], app["Type"], app["AppSource"]["Url"]) == (
        "web_site", "other", repo.as_uri(),
    )  # fmt: skip
    assert {v["Key"]: v["Value"] for v in app["Environment"]} == {
        "GREETING": "hello",
        "SECRET_KEY": "*****FILTERED*****",
    }

    instance_id = ops.create_instance(
        StackId=stack_id, LayerIds=[layer_id], InstanceType="t3.micro", Hostname="web1"
    )["InstanceId"]
    ops.start_instance(InstanceId=instance_id)
    ops.get_waiter("instance_online").wait(InstanceIds=[instance_id], WaiterConfig=FAST)

    deployment_id = ops.create_deployment(
        StackId=stack_id,
        AppId=app_id,
        InstanceIds=[instance_id],
        Command={"Name": "deploy"},
        Comment="first deploy through the OpsWorks API",
        CustomJson=json.dumps({"web": {"workers": 2}}),
    )["DeploymentId"]
    ops.get_waiter("deployment_successful").wait(DeploymentIds=[deployment_id], WaiterConfig=FAST)
    deployment = ops.describe_deployments(DeploymentIds=[deployment_id])["Deployments"][0]
    assert (deployment["Status"], deployment["AppId"], deployment["InstanceIds"]) == (
        "successful", app_id, [instance_id],
    )  # fmt: skip
    assert json.loads(deployment["CustomJson"]) == {"web": {"workers": 2}}
    assert deployment["IamUserArn"].endswith(":user/admin")

    with pytest.raises(ClientError) as kept_in_clear:  # deployments keep their JSON in clear
        ops.create_deployment(
            StackId=stack_id,
            Command={"Name": "configure"},
            CustomJson=json.dumps({"db": {"password": {"$secret": "hunter2-secret"}}}),
        )
    assert error_code(kept_in_clear) == "ValidationException"
    assert "hunter2-secret" not in repr(server.call("GET", "/audit?limit=1000", expect=200))

    commands = ops.describe_commands(DeploymentId=deployment_id)["Commands"]
    assert [(c["Type"], c["Status"], c["InstanceId"]) for c in commands] == [
        ("deploy", "successful", instance_id)
    ]
    assert commands[0]["ExitCode"] == 0

    summary = ops.describe_stack_summary(StackId=stack_id)["StackSummary"]
    assert (summary["LayersCount"], summary["AppsCount"]) == (1, 1)
    assert summary["InstancesCount"]["Online"] == 1

    # time- and load-based scaling, on instances and the layer of their own
    timer_id = ops.create_instance(
        StackId=stack_id, LayerIds=[layer_id], InstanceType="t3.micro", AutoScalingType="timer"
    )["InstanceId"]
    week = {"Monday": {"9": "on", "10": "on"}, "Friday": {"17": "on"}}
    ops.set_time_based_auto_scaling(InstanceId=timer_id, AutoScalingSchedule=week)
    timed = ops.describe_time_based_auto_scaling(InstanceIds=[timer_id])[
        "TimeBasedAutoScalingConfigurations"
    ]
    assert timed == [{"InstanceId": timer_id, "AutoScalingSchedule": week}]
    ops.set_load_based_auto_scaling(
        LayerId=layer_id,
        Enable=True,
        UpScaling={"InstanceCount": 2, "ThresholdsWaitTime": 5, "CpuThreshold": 80.0},
        DownScaling={"CpuThreshold": 20.0, "IgnoreMetricsTime": 10},
    )
    [load] = ops.describe_load_based_auto_scaling(LayerIds=[layer_id])[
        "LoadBasedAutoScalingConfigurations"
    ]
    assert (load["LayerId"], load["Enable"]) == (layer_id, True)
    assert (load["UpScaling"]["InstanceCount"], load["UpScaling"]["CpuThreshold"]) == (2, 80.0)
    assert (load["DownScaling"]["CpuThreshold"], load["DownScaling"]["IgnoreMetricsTime"]) == (
        20.0, 10,
    )  # fmt: skip

    # a volume on the stopped instance, an Elastic IP on the online one
    volume_id = ops.register_volume(StackId=stack_id)["VolumeId"]
    ops.update_volume(VolumeId=volume_id, MountPoint="/srv/data")
    ops.assign_volume(VolumeId=volume_id, InstanceId=timer_id)
    [volume] = ops.describe_volumes(InstanceId=timer_id)["Volumes"]
    assert (volume["VolumeId"], volume["Status"], volume["InstanceId"]) == (
        volume_id, "in-use", timer_id,
    )  # fmt: skip
    ops.unassign_volume(VolumeId=volume_id)
    ops.deregister_volume(VolumeId=volume_id)
    ip = ops.register_elastic_ip(StackId=stack_id, ElasticIp="203.0.113.10")["ElasticIp"]
    ops.associate_elastic_ip(ElasticIp=ip, InstanceId=instance_id)
    assert ops.describe_elastic_ips(InstanceId=instance_id)["ElasticIps"][0]["Ip"] == ip
    assert ops.describe_instances(InstanceIds=[instance_id])["Instances"][0]["ElasticIp"] == ip
    ops.disassociate_elastic_ip(ElasticIp=ip)
    ops.deregister_elastic_ip(ElasticIp=ip)

    # a permission, and a show-level user whose deployment is refused
    viewer = ops.create_user_profile(IamUserArn=ARN.format("viewer"))["IamUserArn"]
    ops.set_permission(StackId=stack_id, IamUserArn=viewer, Level="show", AllowSsh=True)
    assert ops.describe_permissions(StackId=stack_id, IamUserArn=viewer)["Permissions"] == [
        {"StackId": stack_id, "IamUserArn": viewer, "AllowSsh": True, "AllowSudo": False,
         "Level": "show"}
    ]  # fmt: skip
    as_viewer = opsworks_client(server, make_access_key(server, "viewer"))
    assert [s["StackId"] for s in as_viewer.describe_stacks()["Stacks"]] == [stack_id]
    with pytest.raises(ClientError) as refused:
        as_viewer.create_deployment(StackId=stack_id, Command={"Name": "deploy"}, AppId=app_id)
    assert error_code(refused) == "AccessDeniedException"
    assert "deploy" in str(refused.value)

    # the same reads through the aws CLI
    cli = AwsCli(server, admin_key, tmp_path / "aws")
    assert [s["StackId"] for s in cli("describe-stacks")["Stacks"]] == [stack_id]
    assert cli("describe-layers", "--stack-id", stack_id)["Layers"][0]["LayerId"] == layer_id
    assert cli("describe-apps", "--app-ids", app_id)["Apps"][0]["Environment"][1]["Value"] == (
        "*****FILTERED*****"
    )
    online = cli("describe-instances", "--instance-ids", instance_id)["Instances"][0]
    assert online["Status"] == "online"
    assert (
        cli("describe-deployments", "--deployment-ids", deployment_id)["Deployments"][0]["Status"]
        == "successful"
    )
    assert cli("describe-commands", "--deployment-id", deployment_id)["Commands"] == commands
    now = ops.describe_stack_summary(StackId=stack_id)["StackSummary"]
    assert now["InstancesCount"]["Stopped"] == 1  # the time-based one, never started
    assert cli("describe-stack-summary", "--stack-id", stack_id)["StackSummary"] == now
    assert (
        cli("describe-time-based-auto-scaling", "--instance-ids", timer_id)[
            "TimeBasedAutoScalingConfigurations"
        ]
        == timed
    )
    assert cli("describe-load-based-auto-scaling", "--layer-ids", layer_id)[
        "LoadBasedAutoScalingConfigurations"
    ] == [load]
    assert cli("describe-permissions", "--stack-id", stack_id)["Permissions"][0]["Level"] == "show"

    # stop, and delete everything
    ops.stop_instance(InstanceId=instance_id)
    ops.get_waiter("instance_stopped").wait(InstanceIds=[instance_id], WaiterConfig=FAST)
    ops.delete_instance(InstanceId=instance_id)
    ops.delete_instance(InstanceId=timer_id)
    for deleted in (instance_id, timer_id):  # terminating, then gone (ResourceNotFound)
        ops.get_waiter("instance_terminated").wait(InstanceIds=[deleted], WaiterConfig=FAST)
    ops.delete_app(AppId=app_id)
    ops.delete_layer(LayerId=layer_id)
    ops.delete_stack(StackId=stack_id)
    ops.delete_user_profile(IamUserArn=viewer)
    assert ops.describe_stacks()["Stacks"] == []
    with pytest.raises(ClientError) as gone:
        ops.describe_apps(AppIds=[app_id])
    assert error_code(gone) == "ResourceNotFoundException"


def test_the_aws_cli_refuses_what_stackworks_does_not_have(
    server: ServerProcess, admin_key: tuple[str, str], tmp_path: Path
) -> None:
    code, message = AwsCli(server, admin_key, tmp_path / "aws").error("describe-ecs-clusters")
    assert code == "ValidationException"
    assert "Stackworks runs no ECS clusters" in message
