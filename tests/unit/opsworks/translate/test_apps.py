from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stackworks.domain.entities import App, AppSource, EnvironmentVariable
from stackworks.domain.errors import InvalidInput
from stackworks.domain.resources import DatabaseEngine, DataSource, RegisteredDatabase
from stackworks.domain.status import SourceType
from stackworks.opsworks.translate import apps
from stackworks.opsworks.translate.resources import database_arn

DB = RegisteredDatabase("d1", "s1", "shop", DatabaseEngine.POSTGRESQL, "db.internal", 5432,
                        "shop", "shop", password="pw")  # fmt: skip
DB_ARN = "postgresql://db.internal:5432/shop"


def by_arn(arn: str) -> str:
    if arn != DB_ARN:
        raise InvalidInput("unknown", field="Arn")
    return "shop"


def test_create_app_maps_source_environment_and_data_source() -> None:
    body = apps.app_create(
        {
            "StackId": "s1",
            "Name": "My Web",
            "Type": "other",
            "AppSource": {"Type": "git", "Url": "file:///srv/web.git", "Revision": "main"},
            "Environment": [{"Key": "A", "Value": "1"}, {"Key": "S", "Value": "x", "Secure": True}],
            "Domains": ["example.org"],
            "DataSources": [{"Type": "RdsDbInstance", "Arn": DB_ARN, "DatabaseName": "shop"}],
        },
        by_arn,
    )
    assert body.shortname == "my_web"
    assert (body.source.url, body.source.revision) == ("file:///srv/web.git", "main")
    assert [(v.key, v.secure) for v in body.environment] == [("A", False), ("S", True)]
    assert [d.name for d in body.data_sources] == ["shop"]
    assert body.domains == ["example.org"]


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ({"Type": "svn", "Url": "svn://x"}, "AppSource.Type"),
        ({"Type": "s3", "Url": "https://b.s3/x.zip"}, "AppSource.Type"),
        ({"Type": "git", "Url": "git@x:y.git", "SshKey": "-----BEGIN"}, "AppSource.SshKey"),
        ({"Type": "archive", "Url": "https://x/a.zip", "Password": "p"}, "AppSource.Password"),
        ({"Type": "git"}, "AppSource.Url"),
    ],
)
def test_create_app_refuses_sources_stackworks_cannot_fetch(
    source: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        apps.app_create({"Name": "w", "Type": "other", "AppSource": source}, by_arn)
    assert refused.value.field == field


def test_create_app_refuses_ssl_and_a_missing_source() -> None:
    with pytest.raises(InvalidInput, match="TLS"):
        apps.app_create({"Name": "w", "Type": "other", "EnableSsl": True}, by_arn)
    with pytest.raises(InvalidInput) as refused:
        apps.app_create({"Name": "w", "Type": "other"}, by_arn)
    assert refused.value.field == "AppSource"


def test_update_app_changes_only_what_the_request_names() -> None:
    body = apps.app_update({"AppId": "a1", "Domains": ["x.org"]}, by_arn)
    assert body.domains == ["x.org"]
    assert body.source is None and body.environment is None and body.name is None


def test_app_shape_never_returns_a_secure_value() -> None:
    app = App(
        id="a1",
        stack_id="s1",
        shortname="web",
        name="Web",
        source=AppSource(SourceType.GIT, "file:///srv/web.git", "main"),
        environment=(EnvironmentVariable("A", "1"), EnvironmentVariable("S", "hush", True)),
        attributes={"DocumentRoot": "public", "workers": 3},
        data_sources=(DataSource("database", "shop"),),
        created_at=datetime(2026, 12, 1, 12, 0, 0, 123, tzinfo=UTC),
    )
    shape = apps.app_shape(
        app, app_type="python", description="d", databases={"shop": DB}, database_arn=database_arn
    )
    assert "hush" not in repr(shape)
    assert shape["Environment"][1] == {"Key": "S", "Value": "*****FILTERED*****", "Secure": True}
    assert shape["DataSources"] == [
        {"Type": "RdsDbInstance", "Arn": DB_ARN, "DatabaseName": "shop"}
    ]
    assert shape["Attributes"] == {"DocumentRoot": "public", "workers": "3"}
    assert shape["CreatedAt"] == "2026-12-01T12:00:00+00:00"
    assert (shape["Type"], shape["Description"]) == ("python", "d")
