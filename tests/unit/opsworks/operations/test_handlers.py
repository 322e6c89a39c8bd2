"""Handlers whose rules no boto3 scenario reaches cheaply, on a real (SQLite) store: which
permissions a caller may read, an RDS URL registered twice, stack events as service errors,
tags going with their stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from stackworks.control import databases as database_control
from stackworks.control.settings import Settings
from stackworks.domain.access import Level, Permission, Principal
from stackworks.domain.entities import Stack
from stackworks.domain.status import EventKind
from stackworks.opsworks import registry
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import (
    AccessDeniedException,
    ResourceNotFoundException,
    ValidationException,
)
from stackworks.store import events, permissions, tags
from stackworks.store import stacks as stack_store
from stackworks.store import users as user_store
from stackworks.store.db import Database, sqlite_url
from stackworks.wire import schemas

ADMIN = Principal(user_id="", name="root", is_admin=True)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    db = Database(sqlite_url(tmp_path / "db.sqlite"))
    db.upgrade()
    with db.transaction() as session:
        yield session


def call(session: Session, principal: Principal, operation: str, **params: Any) -> Any:
    settings = Settings(data_dir=Path("/nonexistent"), server_url="", database_url="")
    ctx = Context(session=session, principal=principal, settings=settings, providers={})
    return registry.load_handlers()[operation].handler(ctx, params)


def stack(session: Session, name: str) -> Stack:
    return stack_store.create(session, Stack(id="", name=name))


def test_a_user_reads_permissions_only_on_the_stacks_they_manage_but_all_of_their_own(
    session: Session,
) -> None:
    shop, blog = stack(session, "shop"), stack(session, "blog")
    ann = user_store.create(session, "ann")
    bob = user_store.create(session, "bob")
    permissions.put(session, Permission(shop.id, ann.id, Level.MANAGE))
    permissions.put(session, Permission(blog.id, ann.id, Level.SHOW))
    for where in (shop, blog):
        permissions.put(session, Permission(where.id, bob.id, Level.DEPLOY))
    as_ann = ann.principal()

    bobs = call(session, as_ann, "DescribePermissions", IamUserArn="bob")["Permissions"]
    assert [p["StackId"] for p in bobs] == [shop.id]
    own = call(session, as_ann, "DescribePermissions", IamUserArn="ann")["Permissions"]
    assert sorted(p["Level"] for p in own) == ["manage", "show"]
    mine_on_blog = call(session, as_ann, "DescribePermissions", StackId=blog.id, IamUserArn="ann")
    assert mine_on_blog["Permissions"][0]["Level"] == "show"
    with pytest.raises(AccessDeniedException):
        call(session, as_ann, "DescribePermissions", StackId=blog.id)
    with pytest.raises(ValidationException):
        call(session, as_ann, "DescribePermissions")


def test_a_user_without_an_explicit_permission_is_answered_with_their_default_level(
    session: Session,
) -> None:
    shop = stack(session, "shop")
    user_store.create(session, "ci", default_level=Level.DEPLOY)
    [held] = call(session, ADMIN, "DescribePermissions", StackId=shop.id, IamUserArn="ci")[
        "Permissions"
    ]
    assert (held["Level"], held["AllowSsh"]) == ("deploy", False)


def test_an_rds_url_registered_with_two_stacks_through_the_rest_api_is_not_guessed(
    session: Session,
) -> None:
    body = schemas.DatabaseRegister(name="main", host="db.internal", database="shop", user="u")
    for name in ("shop", "shop2"):
        database_control.register_database(session, stack(session, name), body)
    arn = "postgresql://db.internal/shop"
    with pytest.raises(ValidationException, match="registered with 2 stacks"):
        call(session, ADMIN, "UpdateRdsDbInstance", RdsDbInstanceArn=arn, DbUser="v")
    with pytest.raises(ValidationException, match="registered with a stack already"):
        call(
            session,
            ADMIN,
            "RegisterRdsDbInstance",
            StackId=stack(session, "shop3").id,
            RdsDbInstanceArn=arn,
            DbUser="u",
            DbPassword="p",
        )


def test_lifecycle_and_healing_events_are_the_service_errors(session: Session) -> None:
    shop = stack(session, "shop")
    lost = events.record(session, shop.id, EventKind.LIFECYCLE, "web1 lost: no heartbeat")
    events.record(session, shop.id, EventKind.RESOURCE, "volume data registered")
    healed = events.record(session, shop.id, EventKind.HEALING, "web1: replaced")
    listed = call(session, ADMIN, "DescribeServiceErrors", StackId=shop.id)["ServiceErrors"]
    assert [(e["ServiceErrorId"], e["Type"]) for e in listed] == [
        (str(lost.seq), "lifecycle"),
        (str(healed.seq), "healing"),
    ]
    [one] = call(session, ADMIN, "DescribeServiceErrors", ServiceErrorIds=[str(lost.seq)])[
        "ServiceErrors"
    ]
    assert (one["Message"], one["StackId"]) == ("web1 lost: no heartbeat", shop.id)
    with pytest.raises(ResourceNotFoundException):
        call(session, ADMIN, "DescribeServiceErrors", ServiceErrorIds=[str(lost.seq + 1)])


def test_tags_go_with_the_stack(session: Session) -> None:
    shop = stack(session, "shop")
    arn = f"arn:aws:opsworks:us-east-1:000000000000:stack/{shop.id}/"
    call(session, ADMIN, "TagResource", ResourceArn=arn, Tags={"team": "web"})
    assert call(session, ADMIN, "ListTags", ResourceArn=arn) == {"Tags": {"team": "web"}}
    stack_store.delete(session, shop.id)
    session.flush()
    assert tags.list_for(session, shop.id) == {}
