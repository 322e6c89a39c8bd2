"""Lookups the handlers of apps, deployments and resources share: an OpsWorks ID or ARN of
something in a stack, checked to be in that stack, as the name the REST API's models take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stackworks.domain.access import Level
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import InvalidInput
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.translate.resources import database_arn
from stackworks.store import apps as app_store
from stackworks.store import databases as database_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store


def hostname_in(ctx: Context, stack: Stack, field: str) -> Callable[[str], str]:
    hostnames = instance_store.hostnames_by_id(ctx.session, stack.id)
    return _name_in(hostnames, "instance", stack, field)


def layer_in(ctx: Context, stack: Stack, field: str) -> Callable[[str], str]:
    names = {
        layer.id: layer.shortname for layer in layer_store.list_for_stack(ctx.session, stack.id)
    }
    return _name_in(names, "layer", stack, field)


def app_in(ctx: Context, stack: Stack, field: str) -> Callable[[str], str]:
    names = {app.id: app.shortname for app in app_store.list_for_stack(ctx.session, stack.id)}
    return _name_in(names, "app", stack, field)


def database_in(ctx: Context, stack: Stack, field: str = "Arn") -> Callable[[str], str]:
    """An RdsDbInstanceArn of a database registered with the stack -> its name."""
    names = {
        database_arn(db): db.name for db in database_store.list_for_stack(ctx.session, stack.id)
    }
    return _name_in(names, "registered database", stack, field)


def target_instance(
    ctx: Context, stack: Stack, params: dict[str, Any], *, owner: str, missing: str
) -> Instance:
    """The `InstanceId` an Assign/Associate call names, which must be in the stack of what it
    is given (`owner`: "volume's", "Elastic IP's"); `missing` is the message without one."""
    if not params.get("InstanceId"):
        raise ValidationException(f"InstanceId: {missing}")
    _same, instance = ctx.instance(params["InstanceId"], Level.MANAGE)
    if instance.stack_id != stack.id:
        raise ValidationException(
            f"InstanceId: instance {instance.id} is not in the {owner} stack {stack.id}"
        )
    return instance


def _name_in(names: dict[str, str], kind: str, stack: Stack, field: str) -> Callable[[str], str]:
    def name_of(identifier: str) -> str:
        if identifier not in names:
            raise InvalidInput(f"{field}: stack {stack.id} has no {kind} {identifier}", field=field)
        return names[identifier]

    return name_of
