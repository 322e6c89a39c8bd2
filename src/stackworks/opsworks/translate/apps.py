"""Apps: CreateApp/UpdateApp requests as the REST API's AppCreate/AppUpdate, and an App as
OpsWorks' App shape. Secure environment values leave only as *****FILTERED*****."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from stackworks.domain.entities import FILTERED, App
from stackworks.domain.errors import InvalidInput
from stackworks.domain.resources import RegisteredDatabase
from stackworks.domain.status import SourceType
from stackworks.opsworks.shapes import drop_none, timestamp
from stackworks.opsworks.translate.common import string_map
from stackworks.wire import schemas

#: the data source type that names a registered database (OpsWorks' RDS data source)
RDS_DATA_SOURCE = "RdsDbInstance"
#: what an app's Type is when it was made through the REST API: Stackworks apps are Python
DEFAULT_APP_TYPE = "other"
_SOURCE_TYPES = {"git": SourceType.GIT, "archive": SourceType.ARCHIVE}
_SOURCE_CREDENTIALS = ("Username", "Password", "SshKey")

#: ARN of a registered database -> its name in the stack (the handler's lookup)
DatabaseByArn = Callable[[str], str]


def shortname_from(name: str) -> str:
    """OpsWorks' default Shortname: the Name, lowercase, other characters as `_`."""
    slug = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_-")
    return slug[:63] or "app"


def source_in(source: Mapping[str, Any], field: str = "AppSource") -> schemas.AppSourceIn:
    kind = source.get("Type", "git")
    if kind not in _SOURCE_TYPES:
        raise InvalidInput(
            f"{field}.Type: Stackworks fetches apps from git or an archive URL, not {kind!r}; "
            "mirror the source into git, or publish it as a .tar.gz/.zip at a URL (archive)",
            field=f"{field}.Type",
        )
    for secret in _SOURCE_CREDENTIALS:
        if source.get(secret):
            raise InvalidInput(
                f"{field}.{secret}: Stackworks keeps no source credentials; it fetches with the "
                "server's own git credentials (its user's SSH key or credential helper)",
                field=f"{field}.{secret}",
            )
    if not source.get("Url"):
        raise InvalidInput(f"{field}.Url: the app's source needs a URL", field=f"{field}.Url")
    return schemas.AppSourceIn(
        type=_SOURCE_TYPES[kind], url=source["Url"], revision=source.get("Revision") or "HEAD"
    )


def environment_in(variables: Sequence[Mapping[str, Any]]) -> list[schemas.EnvironmentVariableIn]:
    return [
        schemas.EnvironmentVariableIn(
            key=var["Key"], value=var["Value"], secure=bool(var.get("Secure", False))
        )
        for var in variables
    ]


def data_sources_in(
    sources: Sequence[Mapping[str, Any]], database_by_arn: DatabaseByArn
) -> list[schemas.DataSourceIn]:
    chosen = []
    for n, source in enumerate(sources):
        at = f"DataSources[{n}]"
        if source.get("Type", RDS_DATA_SOURCE) != RDS_DATA_SOURCE:
            raise InvalidInput(
                f"{at}.Type: Stackworks runs no OpsWorks MySQL layer; register the database "
                f"(RegisterRdsDbInstance) and name it with Type {RDS_DATA_SOURCE}",
                field=f"{at}.Type",
            )
        if not source.get("Arn"):
            raise InvalidInput(f"{at}.Arn: the registered database's ARN", field=f"{at}.Arn")
        chosen.append(schemas.DataSourceIn(name=database_by_arn(source["Arn"])))
    return chosen


def _no_ssl(request: Mapping[str, Any]) -> None:
    if request.get("EnableSsl") or request.get("SslConfiguration"):
        raise InvalidInput(
            "EnableSsl: Stackworks apps carry no certificate; terminate TLS in front of the "
            "stack's load balancer (or on a layer of your own), and leave EnableSsl false",
            field="EnableSsl",
        )


def app_create(request: Mapping[str, Any], database_by_arn: DatabaseByArn) -> schemas.AppCreate:
    """CreateApp as the REST API's AppCreate; Type and Description are the handler's to keep."""
    _no_ssl(request)
    if "AppSource" not in request:
        raise InvalidInput(
            "AppSource: Stackworks deploys an app from its source; give its git or archive URL",
            field="AppSource",
        )
    return schemas.AppCreate(
        shortname=request.get("Shortname") or shortname_from(request["Name"]),
        name=request["Name"],
        source=source_in(request["AppSource"]),
        environment=environment_in(request.get("Environment", [])),
        domains=list(request.get("Domains", [])),
        attributes=dict(request.get("Attributes", {})),
        data_sources=data_sources_in(request.get("DataSources", []), database_by_arn),
    )


def app_update(request: Mapping[str, Any], database_by_arn: DatabaseByArn) -> schemas.AppUpdate:
    """UpdateApp: only what the request names changes. A secure variable sent back as
    *****FILTERED***** keeps the value it had, as in the REST API."""
    _no_ssl(request)
    return schemas.AppUpdate(
        name=request.get("Name"),
        source=source_in(request["AppSource"]) if "AppSource" in request else None,
        environment=environment_in(request["Environment"]) if "Environment" in request else None,
        domains=list(request["Domains"]) if "Domains" in request else None,
        attributes=dict(request["Attributes"]) if "Attributes" in request else None,
        data_sources=data_sources_in(request["DataSources"], database_by_arn)
        if "DataSources" in request
        else None,
    )


def app_shape(
    app: App,
    *,
    app_type: str = DEFAULT_APP_TYPE,
    description: str | None = None,
    databases: Mapping[str, RegisteredDatabase],
    database_arn: Callable[[RegisteredDatabase], str],
) -> dict[str, Any]:
    """OpsWorks' App. `databases`: the stack's registered databases by name."""
    sources = []
    for source in app.data_sources:
        database = databases.get(source.name)
        if database is not None:
            sources.append(
                {
                    "Type": RDS_DATA_SOURCE,
                    "Arn": database_arn(database),
                    "DatabaseName": database.database,
                }
            )
    return drop_none(
        {
            "AppId": app.id,
            "StackId": app.stack_id,
            "Shortname": app.shortname,
            "Name": app.name,
            "Description": description,
            "Type": app_type,
            "AppSource": {
                "Type": app.source.type.value,
                "Url": app.source.url,
                "Revision": app.source.revision,
            },
            "DataSources": sources,
            "Domains": list(app.domains),
            "EnableSsl": False,
            "Attributes": string_map(app.attributes),
            "CreatedAt": timestamp(app.created_at),
            "Environment": [
                {
                    "Key": var.key,
                    "Value": FILTERED if var.secure else var.value,
                    "Secure": var.secure,
                }
                for var in app.environment
            ],
        }
    )
