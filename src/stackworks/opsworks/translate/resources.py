"""A stack's resources: volumes, Elastic IPs (Stackworks addresses) and RDS registrations
(registered databases).

An RDS registration here is any PostgreSQL or MySQL server, so its RdsDbInstanceArn is the
server's URL without credentials: `postgresql://HOST[:PORT]/DATABASE` (DbUser and DbPassword
come apart, as in OpsWorks). An AWS RDS ARN names no host Stackworks could reach.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from stackworks.domain.entities import FILTERED
from stackworks.domain.errors import InvalidInput
from stackworks.domain.resources import (
    DEFAULT_PORTS,
    Address,
    RegisteredDatabase,
    Volume,
    check_resource_name,
)
from stackworks.opsworks.shapes import drop_none
from stackworks.wire import schemas

_SLUG = re.compile(r"[^a-z0-9._-]+")


def _slug(text: str, fallback: str) -> str:
    slug = _SLUG.sub("-", text.lower()).strip("-._")[:63].rstrip("-._")
    return slug or fallback


# --- volumes --------------------------------------------------------------------------------


def volume_register(request: Mapping[str, Any], new_name: str) -> schemas.VolumeRegister:
    """RegisterVolume: a new, empty volume. An Ec2VolumeId names it (vol-0abc... is a valid
    name); without one it is called `new_name`."""
    given = request.get("Ec2VolumeId")
    name = check_resource_name(given.lower(), "Ec2VolumeId") if given else new_name
    return schemas.VolumeRegister(name=name)


def volume_update(request: Mapping[str, Any]) -> schemas.VolumeUpdate:
    return schemas.VolumeUpdate(name=request.get("Name"), mount_point=request.get("MountPoint"))


def volume_shape(volume: Volume, region: str | None = None) -> dict[str, Any]:
    return drop_none(
        {
            "VolumeId": volume.id,
            "Name": volume.name,
            "InstanceId": volume.instance_id,
            "Status": volume.status.value,
            "Size": volume.size,
            "MountPoint": volume.mount_point,
            "Region": region,
        }
    )


# --- Elastic IPs ----------------------------------------------------------------------------


def address_name(requested: str) -> str:
    """The name of the address RegisterElasticIp makes: Stackworks allocates the address
    itself, so the ElasticIp asked for names it (an IP such as 203.0.113.7 as `ip-203-0-113-7`)."""
    try:
        ip = ipaddress.ip_address(requested)
    except ValueError:
        return check_resource_name(requested, "ElasticIp")
    return "ip-" + _slug(str(ip).replace(":", "-").replace(".", "-"), "address")


def elastic_ip_shape(address: Address, region: str | None = None) -> dict[str, Any]:
    return drop_none(
        {
            "Ip": address.ip,
            "Name": address.name,
            "Region": region,
            "InstanceId": address.instance_id,
        }
    )


# --- RDS registrations ----------------------------------------------------------------------


def database_arn(database: RegisteredDatabase) -> str:
    """The RdsDbInstanceArn of a registered database: its URL without credentials."""
    return f"{database.engine.value}://{database.host}:{database.port}/{database.database}"


def parse_database_arn(arn: str, field: str = "RdsDbInstanceArn") -> tuple[str, str, int, str]:
    """(engine, host, port, database) of a `postgresql://HOST[:PORT]/DATABASE` ARN."""
    if arn.startswith("arn:"):
        raise InvalidInput(
            f"{field}: Stackworks registers a database by its URL, not an AWS ARN: give "
            "postgresql://HOST[:PORT]/DATABASE or mysql://HOST[:PORT]/DATABASE",
            field=field,
        )
    try:
        parts = urlsplit(arn)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{field}: {arn!r} is not a database URL", field=field) from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidInput(
            f"{field}: {arn!r} is not a database URL; expected postgresql://HOST[:PORT]/DATABASE "
            "or mysql://HOST[:PORT]/DATABASE",
            field=field,
        )
    if parts.username or parts.password:
        raise InvalidInput(
            f"{field}: keep credentials out of the URL; give them as DbUser and DbPassword",
            field=field,
        )
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database or parts.query or parts.fragment:
        raise InvalidInput(
            f"{field}: the URL must end with the database name, e.g. .../shop", field=field
        )
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], database


def normal_database_arn(arn: str, field: str = "RdsDbInstanceArn") -> str:
    """`arn` as `database_arn` spells it (the port written out), to compare ARNs."""
    engine, host, port, database = parse_database_arn(arn, field)
    return f"{engine}://{host}:{port}/{database}"


def database_register(request: Mapping[str, Any], taken: set[str]) -> schemas.DatabaseRegister:
    """RegisterRdsDbInstance; the registration is named after its database (then host and
    database) so that it differs from the stack's `taken` names."""
    engine, host, port, database = parse_database_arn(request["RdsDbInstanceArn"])
    name = _slug(database, "database")
    if name in taken:
        name = _slug(f"{host}-{database}", "database")
    return schemas.DatabaseRegister(
        name=name,
        engine=engine,
        host=host,
        port=port,
        database=database,
        user=request["DbUser"],
        password=request["DbPassword"],
    )


def database_update(request: Mapping[str, Any]) -> schemas.DatabaseUpdate:
    return schemas.DatabaseUpdate(user=request.get("DbUser"), password=request.get("DbPassword"))


def database_shape(database: RegisteredDatabase, region: str | None = None) -> dict[str, Any]:
    """OpsWorks' RdsDbInstance; the password only ever as *****FILTERED*****."""
    return drop_none(
        {
            "RdsDbInstanceArn": database_arn(database),
            "DbInstanceIdentifier": database.name,
            "DbUser": database.user,
            "DbPassword": FILTERED if database.password else None,
            "Region": region,
            "Address": database.host,
            "Engine": database.engine.value,
            "StackId": database.stack_id,
            "MissingOnRds": False,
        }
    )
