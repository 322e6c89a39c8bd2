"""The levels the apps, deployments, users, scaling and resources operations need are the REST
API's: a deploy-level user deploys and updates apps but changes nothing else, a show-level one
only reads, and the operations OpsWorks gave to IAM policies need a server admin."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.cluster import ServerProcess
from support.opsworks import make_access_key, opsworks_client
from support.opsworks_calls import call

pytestmark = pytest.mark.integration

USER = "arn:aws:iam::123456789012:user/reader"
DB = "postgresql://db.internal:5432/shop"
DEPLOY = {
    "UpdateApp": {"AppId": "{app}", "Domains": ["x.example"]},
    "CreateDeployment": {"StackId": "{stack}", "Command": {"Name": "configure"}},
}
MANAGE = {
    "CreateApp": {"StackId": "{stack}", "Name": "n", "Type": "other",
                  "AppSource": {"Type": "git", "Url": "file:///x"}},
    "DeleteApp": {"AppId": "{app}"},
    "SetPermission": {"StackId": "{stack}", "IamUserArn": USER, "Level": "manage"},
    "DescribePermissions": {"StackId": "{stack}"},
    "SetTimeBasedAutoScaling": {"InstanceId": "{instance}", "AutoScalingSchedule": {}},
    "SetLoadBasedAutoScaling": {"LayerId": "{layer}", "Enable": True},
    "RegisterVolume": {"StackId": "{stack}"},
    "UpdateVolume": {"VolumeId": "{volume}", "Name": "other"},
    "AssignVolume": {"VolumeId": "{volume}", "InstanceId": "{instance}"},
    "UnassignVolume": {"VolumeId": "{volume}"},
    "DeregisterVolume": {"VolumeId": "{volume}"},
    "RegisterElasticIp": {"StackId": "{stack}", "ElasticIp": "more"},
    "AssociateElasticIp": {"ElasticIp": "{ip}", "InstanceId": "{instance}"},
    "DisassociateElasticIp": {"ElasticIp": "{ip}"},
    "UpdateElasticIp": {"ElasticIp": "{ip}", "Name": "other"},
    "DeregisterElasticIp": {"ElasticIp": "{ip}"},
    "RegisterRdsDbInstance": {"StackId": "{stack}", "RdsDbInstanceArn": "mysql://h/d",
                              "DbUser": "u", "DbPassword": "p"},
    "UpdateRdsDbInstance": {"RdsDbInstanceArn": DB, "DbUser": "other"},
    "DeregisterRdsDbInstance": {"RdsDbInstanceArn": DB},
    "TagResource": {"ResourceArn": "{arn}", "Tags": {"k": "v"}},
    "UntagResource": {"ResourceArn": "{arn}", "TagKeys": ["team"]},
}  # fmt: skip
ADMIN = {
    "CreateUserProfile": {"IamUserArn": "arn:aws:iam::1:user/eve"},
    "DescribeUserProfiles": {},
    "UpdateUserProfile": {"IamUserArn": USER, "SshUsername": "r"},
    "DeleteUserProfile": {"IamUserArn": USER},
}
SHOW = {
    "DescribeApps": {"AppIds": ["{app}"]},
    "DescribeDeployments": {"StackId": "{stack}"},
    "DescribeCommands": {"InstanceId": "{instance}"},
    "DescribeTimeBasedAutoScaling": {"InstanceIds": ["{instance}"]},
    "DescribeLoadBasedAutoScaling": {"LayerIds": ["{layer}"]},
    "DescribeVolumes": {"VolumeIds": ["{volume}"]},
    "DescribeElasticIps": {"Ips": ["{ip}"]},
    "DescribeRdsDbInstances": {"StackId": "{stack}"},
    "ListTags": {"ResourceArn": "{arn}"},
    "DescribeAgentVersions": {"StackId": "{stack}"},
    "DescribeServiceErrors": {"StackId": "{stack}"},
    "DescribeRaidArrays": {"StackId": "{stack}"},
    "DescribeMyUserProfile": {},
    "DescribeOperatingSystems": {},
    "DescribePermissions": {"StackId": "{stack}", "IamUserArn": USER},
}


def refused_with(client: Any, operation: str, params: dict[str, Any], ids: dict[str, str]) -> str:
    with pytest.raises(ClientError) as raised:
        call(client, operation, params, ids)
    return str(raised.value.response["Error"]["Code"])


def test_each_operation_needs_the_rest_apis_level_and_refusals_change_nothing(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    admin = opsworks_client(server, admin_key)
    stack = admin.create_stack(
        Name="levels2", Region="us-east-1", ServiceRoleArn="r", DefaultInstanceProfileArn="p"
    )["StackId"]
    layer = admin.create_layer(StackId=stack, Type="custom", Name="A", Shortname="a")["LayerId"]
    instance = admin.create_instance(
        StackId=stack, LayerIds=[layer], InstanceType="t", AutoScalingType="timer"
    )["InstanceId"]
    app = admin.create_app(
        StackId=stack, Name="w", Type="other", AppSource={"Type": "git", "Url": "file:///w"}
    )["AppId"]
    volume = admin.register_volume(StackId=stack, Ec2VolumeId="vol-1")["VolumeId"]
    admin.update_volume(VolumeId=volume, MountPoint="/srv/data")
    ip = admin.register_elastic_ip(StackId=stack, ElasticIp="www")["ElasticIp"]
    admin.register_rds_db_instance(StackId=stack, RdsDbInstanceArn=DB, DbUser="u", DbPassword="p")
    arn = admin.describe_stacks(StackIds=[stack])["Stacks"][0]["Arn"]
    admin.tag_resource(ResourceArn=arn, Tags={"team": "web"})
    ids = {"stack": stack, "layer": layer, "instance": instance, "app": app, "volume": volume,
           "ip": ip, "arn": arn}  # fmt: skip
    admin.create_user_profile(IamUserArn=USER)
    reader = opsworks_client(server, make_access_key(server, "reader"))
    admin.set_permission(StackId=stack, IamUserArn=USER, Level="deploy")
    before = [
        server.call("GET", f"/stacks/levels2/{what}", expect=200)
        for what in ("document", "volumes", "addresses", "databases")
    ]

    for operation, params in {**MANAGE, **ADMIN}.items():
        assert refused_with(reader, operation, params, ids) == "AccessDeniedException", operation
    for operation, params in SHOW.items():
        call(reader, operation, params, ids)
    after = [
        server.call("GET", f"/stacks/levels2/{what}", expect=200)
        for what in ("document", "volumes", "addresses", "databases")
    ]
    assert after == before
    assert admin.list_tags(ResourceArn=arn)["Tags"] == {"team": "web"}

    call(reader, "UpdateApp", DEPLOY["UpdateApp"], ids)  # deploy is enough
    # past the level check: a configure needs an online instance, which the stack has not
    assert refused_with(reader, "CreateDeployment", DEPLOY["CreateDeployment"], ids) == (
        "ValidationException"
    )
    admin.set_permission(StackId=stack, IamUserArn=USER, Level="show")
    for operation, params in DEPLOY.items():
        assert refused_with(reader, operation, params, ids) == "AccessDeniedException", operation
