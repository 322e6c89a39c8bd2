from __future__ import annotations

import pytest

from stackworks.domain.errors import InvalidInput
from stackworks.domain.resources import Address, DatabaseEngine, RegisteredDatabase, Volume
from stackworks.opsworks.translate import resources

DB = RegisteredDatabase("d1", "s1", "shop", DatabaseEngine.MYSQL, "db.internal", 3306, "shop",
                        "app", password="secret")  # fmt: skip


def test_a_registered_volume_is_named_after_its_ec2_volume_id() -> None:
    assert resources.volume_register({"Ec2VolumeId": "vol-0ABC12"}, "volume-1").name == "vol-0abc12"
    assert resources.volume_register({"StackId": "s1"}, "volume-1").name == "volume-1"


def test_volume_shape() -> None:
    volume = Volume("v1", "s1", "data", "/x", size=5, mount_point="/srv/data", instance_id="i1")
    assert resources.volume_shape(volume, "us-east-1") == {
        "VolumeId": "v1", "Name": "data", "InstanceId": "i1", "Status": "in-use", "Size": 5,
        "MountPoint": "/srv/data", "Region": "us-east-1",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("asked", "name"),
    [("203.0.113.7", "ip-203-0-113-7"), ("www", "www"), ("2001:db8::1", "ip-2001-db8--1")],
)
def test_register_elastic_ip_names_the_address_it_allocates(asked: str, name: str) -> None:
    assert resources.address_name(asked) == name


def test_elastic_ip_shape() -> None:
    shape = resources.elastic_ip_shape(Address("a1", "s1", "127.77.0.9", "www", "i1"))
    assert shape == {"Ip": "127.77.0.9", "Name": "www", "InstanceId": "i1"}


def test_a_database_arn_is_its_url_without_credentials() -> None:
    assert resources.database_arn(DB) == "mysql://db.internal:3306/shop"
    assert resources.parse_database_arn("postgresql://db/shop") == (
        "postgresql",
        "db",
        5432,
        "shop",
    )


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("arn:aws:rds:us-east-1:1:db:shop", "not an AWS ARN"),
        ("postgresql://u:p@db/shop", "credentials"),
        ("redis://db/0", "not a database URL"),
        ("postgresql://db/", "database name"),
        ("postgresql://db:99999/x", "not a database URL"),
    ],
)
def test_a_database_arn_that_names_no_reachable_database_is_refused(arn: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        resources.parse_database_arn(arn)
    assert refused.value.field == "RdsDbInstanceArn"


def test_register_rds_names_the_registration_apart_from_taken_names() -> None:
    request = {"StackId": "s1", "RdsDbInstanceArn": "postgresql://db.internal/Shop",
               "DbUser": "app", "DbPassword": "pw"}  # fmt: skip
    assert resources.database_register(request, set()).name == "shop"
    second = resources.database_register(request, {"shop"})
    assert (second.name, second.host, second.port, second.database, second.password) == (
        "db.internal-shop", "db.internal", 5432, "Shop", "pw",
    )  # fmt: skip


def test_database_shape_filters_the_password() -> None:
    shape = resources.database_shape(DB)
    assert shape["DbPassword"] == "*****FILTERED*****"
    assert "secret" not in repr(shape)
    assert (shape["DbInstanceIdentifier"], shape["Address"], shape["Engine"]) == (
        "shop", "db.internal", "mysql",
    )  # fmt: skip
