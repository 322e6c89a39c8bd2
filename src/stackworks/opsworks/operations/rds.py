"""RDS registration is Stackworks' registered databases: RegisterRdsDbInstance,
DescribeRdsDbInstances, UpdateRdsDbInstance, DeregisterRdsDbInstance, through the REST API's
database control (docs/resources.md): manage to change, show to read.

The RdsDbInstanceArn is the database's URL without credentials (translate/resources.py), and
one URL is registered with one stack, so the ARN alone finds it, as in OpsWorks.
"""

from __future__ import annotations

from typing import Any

from stackworks.control import databases as database_control
from stackworks.domain.access import Level
from stackworks.domain.entities import Stack
from stackworks.domain.resources import RegisteredDatabase
from stackworks.opsworks import shapes
from stackworks.opsworks.context import Context, not_found
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import resources as translate
from stackworks.store import databases as database_store
from stackworks.store import stacks as stack_store


def _registered_as(ctx: Context, arn: str) -> list[RegisteredDatabase]:
    """Every registration of the URL `arn` names, in any stack (visible or not)."""
    wanted = translate.normal_database_arn(arn)
    return [
        db
        for stack in stack_store.list_all(ctx.session)
        for db in database_store.list_for_stack(ctx.session, stack.id)
        if translate.database_arn(db) == wanted
    ]


def _database(ctx: Context, arn: str, needed: Level) -> tuple[Stack, RegisteredDatabase]:
    visible = {s.id for s in ctx.visible_stacks()}
    found = [db for db in _registered_as(ctx, arn) if db.stack_id in visible]
    if not found:
        raise not_found("RDS DB instance", arn)
    if len(found) > 1:
        raise ValidationException(
            f"RdsDbInstanceArn: {arn} is registered with {len(found)} stacks (through the REST "
            "API); change it there, naming the stack: stackworks database ..."
        )
    return ctx.stack(found[0].stack_id, needed), found[0]


@operation("RegisterRdsDbInstance")
def register_rds_db_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    if _registered_as(ctx, params["RdsDbInstanceArn"]):
        raise ValidationException(
            f"RdsDbInstanceArn: {params['RdsDbInstanceArn']} is registered with a stack already; "
            "deregister it there first"
        )
    taken = {db.name for db in database_store.list_for_stack(ctx.session, stack.id)}
    body = translate.database_register(params, taken)
    database_control.register_database(ctx.session, stack, body)
    return {}


@operation("DescribeRdsDbInstances")
def describe_rds_db_instances(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"])
    found = database_store.list_for_stack(ctx.session, stack.id)
    if params.get("RdsDbInstanceArns"):
        by_arn = {translate.database_arn(db): db for db in found}
        wanted = []
        for arn in params["RdsDbInstanceArns"]:
            key = translate.normal_database_arn(arn)
            if key not in by_arn:
                raise not_found("RDS DB instance", arn)
            wanted.append(by_arn[key])
        found = wanted
    where = shapes.region(ctx.session, stack.id)
    return {"RdsDbInstances": [translate.database_shape(db, where) for db in found]}


@operation("UpdateRdsDbInstance")
def update_rds_db_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """New DbUser or DbPassword; the apps that use it are reconfigured where they run."""
    _stack, database = _database(ctx, params["RdsDbInstanceArn"], Level.MANAGE)
    body = translate.database_update(params)
    database_control.update_database(ctx.session, database, body)
    ctx.wake_agents = True
    return {}


@operation("DeregisterRdsDbInstance")
def deregister_rds_db_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Refused while an app reads from it (it is one of its DataSources)."""
    _stack, database = _database(ctx, params["RdsDbInstanceArn"], Level.MANAGE)
    database_control.deregister_database(ctx.session, database)
    return {}
