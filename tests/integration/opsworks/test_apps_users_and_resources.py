"""Apps, user profiles, RDS registrations, Elastic IPs, volumes, tags and the service's own
descriptions through the real boto3 client, checked against the REST API where it shows the
same things: one store behind both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.cluster import ServerProcess
from support.opsworks import make_access_key, opsworks_client

pytestmark = pytest.mark.integration

ARN = "arn:aws:iam::123456789012:user/{}"
DB_URL = "postgresql://db.internal/shop"


def code_of(refused: pytest.ExceptionInfo[ClientError]) -> str:
    return str(refused.value.response["Error"]["Code"])


@pytest.fixture
def ops(server: ServerProcess, admin_key: tuple[str, str]) -> Any:
    return opsworks_client(server, admin_key)


@pytest.fixture
def stack(ops: Any) -> Iterator[tuple[str, str]]:
    """(StackId, its Stackworks name)."""
    stack_id = ops.create_stack(
        Name="res", Region="eu-west-1", ServiceRoleArn="r", DefaultInstanceProfileArn="p"
    )["StackId"]
    yield stack_id, "res"
    ops.delete_stack(StackId=stack_id)


def test_an_app_keeps_its_type_hides_secure_values_and_reads_from_a_registered_database(
    ops: Any, server: ServerProcess, stack: tuple[str, str]
) -> None:
    stack_id, name = stack
    ops.register_rds_db_instance(
        StackId=stack_id, RdsDbInstanceArn=DB_URL, DbUser="shop", DbPassword="db-secret"
    )
    [db] = ops.describe_rds_db_instances(StackId=stack_id)["RdsDbInstances"]
    assert (db["RdsDbInstanceArn"], db["DbPassword"], db["Region"]) == (
        "postgresql://db.internal:5432/shop", "*****FILTERED*****", "eu-west-1",
    )  # fmt: skip
    app_id = ops.create_app(
        StackId=stack_id,
        Name="Shop",
        Type="rails",
        Description="the shop",
        AppSource={"Type": "archive", "Url": "https://example.invalid/shop.tar.gz"},
        Environment=[{"Key": "TOKEN", "Value": "app-secret", "Secure": True}],
        DataSources=[{"Type": "RdsDbInstance", "Arn": db["RdsDbInstanceArn"]}],
    )["AppId"]
    ops.update_app(
        AppId=app_id,
        Environment=[
            {"Key": "TOKEN", "Value": "*****FILTERED*****", "Secure": True},
            {"Key": "MODE", "Value": "live"},
        ],
    )
    [app] = ops.describe_apps(StackId=stack_id)["Apps"]
    assert (app["Type"], app["Description"], app["DataSources"][0]["DatabaseName"]) == (
        "rails", "the shop", "shop",
    )  # fmt: skip
    assert app["Environment"] == [
        {"Key": "TOKEN", "Value": "*****FILTERED*****", "Secure": True},
        {"Key": "MODE", "Value": "live", "Secure": False},
    ]
    everything = repr(ops.describe_apps(AppIds=[app_id])) + repr(
        ops.describe_rds_db_instances(StackId=stack_id)
    )
    assert "app-secret" not in everything and "db-secret" not in everything
    audit = repr(server.call("GET", "/audit?limit=1000", expect=200))
    assert "OpsWorks CreateApp" in audit
    assert "app-secret" not in audit and "db-secret" not in audit
    rest = server.call("GET", f"/stacks/{name}/apps/shop", expect=200)
    assert [v["key"] for v in rest["environment"]] == ["TOKEN", "MODE"]

    with pytest.raises(ClientError) as in_use:
        ops.deregister_rds_db_instance(RdsDbInstanceArn=DB_URL)
    assert code_of(in_use) == "ValidationException"
    ops.delete_app(AppId=app_id)
    ops.update_rds_db_instance(RdsDbInstanceArn=DB_URL, DbUser="shop2")
    assert server.call("GET", f"/stacks/{name}/databases/shop", expect=200)["user"] == "shop2"
    ops.deregister_rds_db_instance(RdsDbInstanceArn=DB_URL)
    assert ops.describe_rds_db_instances(StackId=stack_id)["RdsDbInstances"] == []


def test_sources_and_arns_stackworks_cannot_use_are_refused_naming_the_field(
    ops: Any, stack: tuple[str, str]
) -> None:
    stack_id, _ = stack
    with pytest.raises(ClientError) as svn:
        ops.create_app(
            StackId=stack_id, Name="x", Type="other", AppSource={"Type": "svn", "Url": "svn://x"}
        )
    assert code_of(svn) == "ValidationException"
    assert "AppSource.Type" in str(svn.value)
    with pytest.raises(ClientError) as command:  # git hears ext:: URLs as a command to run
        ops.create_app(
            StackId=stack_id,
            Name="x",
            Type="other",
            AppSource={"Type": "git", "Url": "ext::sh -c touch% /tmp/owned"},
        )
    assert code_of(command) == "ValidationException"
    assert "url" in str(command.value)
    with pytest.raises(ClientError) as rds:
        ops.register_rds_db_instance(
            StackId=stack_id,
            RdsDbInstanceArn="arn:aws:rds:us-east-1:123456789012:db:shop",
            DbUser="u",
            DbPassword="p",
        )
    assert "postgresql://HOST[:PORT]/DATABASE" in str(rds.value)


def test_user_profiles_permissions_and_ones_own_profile(
    ops: Any, server: ServerProcess, stack: tuple[str, str]
) -> None:
    stack_id, _ = stack
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq0dUm1m1p6rvjVqvYy9z3f5eCx7oQ3H2dJx8xJfH6R ann"
    arn = ops.create_user_profile(IamUserArn=ARN.format("ann"), SshPublicKey=key)["IamUserArn"]
    assert arn == "arn:aws:iam::000000000000:user/ann"
    [profile] = ops.describe_user_profiles(IamUserArns=[arn])["UserProfiles"]
    assert (profile["Name"], profile["SshUsername"], profile["SshPublicKey"]) == ("ann", "ann", key)
    ops.set_permission(StackId=stack_id, IamUserArn=arn, Level="deploy")
    assert server.call("GET", "/users/ann", expect=200)["permissions"][0]["level"] == "deploy"

    as_ann = opsworks_client(server, make_access_key(server, "ann"))
    assert as_ann.describe_my_user_profile()["UserProfile"]["IamUserArn"] == arn
    new_key = key.replace("ann", "ann-laptop")
    as_ann.update_my_user_profile(SshPublicKey=new_key)
    assert ops.describe_user_profiles(IamUserArns=[arn])["UserProfiles"][0]["SshPublicKey"] == (
        new_key
    )
    own = as_ann.describe_permissions(IamUserArn=arn)["Permissions"]
    assert [(p["StackId"], p["Level"]) for p in own] == [(stack_id, "deploy")]
    with pytest.raises(ClientError) as others:
        as_ann.describe_permissions(StackId=stack_id)
    assert code_of(others) == "AccessDeniedException"
    with pytest.raises(ClientError) as not_admin:
        as_ann.create_user_profile(IamUserArn=ARN.format("eve"))
    assert code_of(not_admin) == "AccessDeniedException"
    with pytest.raises(ClientError) as iam_only:
        ops.set_permission(StackId=stack_id, IamUserArn=arn, Level="iam_only")
    assert "deny, show, deploy or manage" in str(iam_only.value)
    ops.delete_user_profile(IamUserArn=arn)
    with pytest.raises(ClientError) as gone:
        ops.describe_user_profiles(IamUserArns=[arn])
    assert code_of(gone) == "ResourceNotFoundException"


def test_importing_a_user_that_exists_already_sets_its_ssh_profile(
    ops: Any, server: ServerProcess
) -> None:
    server.call("POST", "/users", {"name": "Bob.Builder"}, expect=201)
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq0dUm1m1p6rvjVqvYy9z3f5eCx7oQ3H2dJx8xJfH6R bob"
    arn = ops.create_user_profile(IamUserArn=ARN.format("Bob.Builder"), SshPublicKey=key)[
        "IamUserArn"
    ]
    shown = server.call("GET", "/users/Bob.Builder", expect=200)
    assert (shown["ssh_username"], shown["ssh_public_key"]) == ("bobbuilder", key)
    ops.delete_user_profile(IamUserArn=arn)
    with pytest.raises(ClientError) as gone:
        ops.describe_user_profiles(IamUserArns=[arn])
    assert code_of(gone) == "ResourceNotFoundException"


def test_volumes_and_elastic_ips_are_the_stacks_volumes_and_addresses(
    ops: Any, server: ServerProcess, stack: tuple[str, str]
) -> None:
    stack_id, name = stack
    volume_id = ops.register_volume(StackId=stack_id, Ec2VolumeId="vol-0abc")["VolumeId"]
    ops.update_volume(VolumeId=volume_id, MountPoint="/srv/data")
    [volume] = ops.describe_volumes(StackId=stack_id)["Volumes"]
    assert (volume["Name"], volume["MountPoint"], volume["Status"]) == (
        "vol-0abc", "/srv/data", "available",
    )  # fmt: skip
    assert server.call("GET", f"/stacks/{name}/volumes/vol-0abc", expect=200)["id"] == volume_id
    ops.deregister_volume(VolumeId=volume_id)
    assert ops.describe_volumes(StackId=stack_id)["Volumes"] == []

    ip = ops.register_elastic_ip(StackId=stack_id, ElasticIp="203.0.113.7")["ElasticIp"]
    assert ip.startswith("127.")
    ops.update_elastic_ip(ElasticIp=ip, Name="www")
    [address] = ops.describe_elastic_ips(Ips=[ip])["ElasticIps"]
    assert (address["Name"], address["Region"]) == ("www", "eu-west-1")
    assert server.call("GET", f"/stacks/{name}/addresses/www", expect=200)["ip"] == ip
    ops.deregister_elastic_ip(ElasticIp=ip)
    with pytest.raises(ClientError) as gone:
        ops.describe_elastic_ips(Ips=[ip])
    assert code_of(gone) == "ResourceNotFoundException"


def test_tags_page_and_go_with_their_stack(ops: Any, stack: tuple[str, str]) -> None:
    stack_id, _ = stack
    arn = ops.describe_stacks(StackIds=[stack_id])["Stacks"][0]["Arn"]
    ops.tag_resource(ResourceArn=arn, Tags={"team": "shop", "env": "prod", "cost": "42"})
    ops.untag_resource(ResourceArn=arn, TagKeys=["cost"])
    first = ops.list_tags(ResourceArn=arn, MaxResults=1)
    assert first["Tags"] == {"env": "prod"}
    rest = ops.list_tags(ResourceArn=arn, MaxResults=5, NextToken=first["NextToken"])
    assert rest == {"Tags": {"team": "shop"}, "ResponseMetadata": rest["ResponseMetadata"]}


def test_what_the_service_says_about_itself(ops: Any, stack: tuple[str, str]) -> None:
    stack_id, _ = stack
    [agent] = ops.describe_agent_versions(StackId=stack_id)["AgentVersions"]
    assert agent["ConfigurationManager"]["Name"] == "Stackworks"
    [system] = ops.describe_operating_systems()["OperatingSystems"]
    assert (system["Type"], system["Supported"]) == ("Linux", True)
    assert ops.describe_service_errors(StackId=stack_id)["ServiceErrors"] == []
    assert ops.describe_raid_arrays(StackId=stack_id)["RaidArrays"] == []
    with pytest.raises(ClientError) as refused:
        ops.attach_elastic_load_balancer(ElasticLoadBalancerName="x", LayerId="y")
    assert code_of(refused) == "ValidationException"
    assert "HAProxy" in str(refused.value)


def test_what_is_in_a_stack_the_caller_cannot_see_is_not_found_and_show_cannot_change_it(
    ops: Any, server: ServerProcess, stack: tuple[str, str]
) -> None:
    stack_id, _ = stack
    app_id = ops.create_app(
        StackId=stack_id, Name="w", Type="other", AppSource={"Type": "git", "Url": "file:///x"}
    )["AppId"]
    volume_id = ops.register_volume(StackId=stack_id)["VolumeId"]
    ip = ops.register_elastic_ip(StackId=stack_id, ElasticIp="lb")["ElasticIp"]
    server.call("POST", "/users", {"name": "outsider"}, expect=201)
    outsider = opsworks_client(server, make_access_key(server, "outsider"))
    hidden = [
        lambda: outsider.describe_apps(AppIds=[app_id]),
        lambda: outsider.describe_volumes(VolumeIds=[volume_id]),
        lambda: outsider.describe_elastic_ips(Ips=[ip]),
        lambda: outsider.describe_rds_db_instances(StackId=stack_id),
        lambda: outsider.delete_app(AppId=app_id),
    ]
    for call in hidden:
        with pytest.raises(ClientError) as refused:
            call()
        assert code_of(refused) == "ResourceNotFoundException"
    ops.set_permission(StackId=stack_id, IamUserArn=ARN.format("outsider"), Level="show")
    assert outsider.describe_apps(AppIds=[app_id])["Apps"][0]["AppId"] == app_id
    for change in [
        lambda: outsider.delete_app(AppId=app_id),
        lambda: outsider.deregister_volume(VolumeId=volume_id),
        lambda: outsider.update_elastic_ip(ElasticIp=ip, Name="mine"),
    ]:
        with pytest.raises(ClientError) as denied:
            change()
        assert code_of(denied) == "AccessDeniedException"
    ops.deregister_elastic_ip(ElasticIp=ip)
    ops.deregister_volume(VolumeId=volume_id)
