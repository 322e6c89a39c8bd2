"""Deployments and commands: CreateDeployment, DescribeDeployments, DescribeCommands.

CreateDeployment is the REST API's deployment (deploy level), with every command Stackworks
sends; its targets default as there (docs/deploying.md). Reads need show on the stack.
"""

from __future__ import annotations

from typing import Any

from stackworks.control import deployments as deployment_control
from stackworks.domain.access import Level
from stackworks.domain.entities import Command, Deployment, Stack
from stackworks.domain.errors import NotFound
from stackworks.opsworks.context import Context, not_found
from stackworks.opsworks.errors import ResourceNotFoundException, ValidationException
from stackworks.opsworks.operations._lookups import app_in, hostname_in, layer_in
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import deployments as translate
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store


@operation("CreateDeployment")
def create_deployment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.DEPLOY)
    body = translate.deployment_create(
        params,
        hostname_of=hostname_in(ctx, stack, "InstanceIds"),
        layer_of=layer_in(ctx, stack, "LayerIds"),
        app_of=app_in(ctx, stack, "AppId"),
    )
    deployment = deployment_control.create_deployment(
        ctx.session, stack, body, created_by=ctx.principal.name
    )
    ctx.wake_agents = True
    return {"DeploymentId": deployment.id}


def _deployment(ctx: Context, deployment_id: str) -> tuple[Stack, Deployment]:
    found = deployment_store.get_any(ctx.session, deployment_id)
    if found is None:
        raise not_found("deployment", deployment_id)
    try:
        return ctx.stack(found.stack_id), found
    except ResourceNotFoundException:
        raise not_found("deployment", deployment_id) from None


@operation("DescribeDeployments")
def describe_deployments(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DeploymentIds"):
        found = [_deployment(ctx, d)[1] for d in params["DeploymentIds"]]
    elif params.get("AppId"):
        stack, app = ctx.app(params["AppId"])
        found = [
            d for d in deployment_store.list_for_stack(ctx.session, stack.id) if d.app_id == app.id
        ]
    elif params.get("StackId"):
        found = deployment_store.list_for_stack(ctx.session, ctx.stack(params["StackId"]).id)
    else:
        raise ValidationException("DescribeDeployments: give a StackId, AppId or DeploymentIds")
    return {"Deployments": [translate.deployment_shape(d) for d in found]}


def _command(ctx: Context, command_id: str) -> Command:
    try:
        row = command_store.row(ctx.session, command_id)
    except NotFound:
        raise not_found("command", command_id) from None
    try:
        ctx.stack(row.stack_id)
    except ResourceNotFoundException:
        raise not_found("command", command_id) from None
    return command_store.to_entity(row, with_log=False)


@operation("DescribeCommands")
def describe_commands(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("CommandIds"):
        found = [_command(ctx, c) for c in params["CommandIds"]]
    elif params.get("DeploymentId"):
        stack, deployment = _deployment(ctx, params["DeploymentId"])
        found = command_store.list_for_stack(ctx.session, stack.id, deployment_id=deployment.id)
    elif params.get("InstanceId"):
        stack, instance = ctx.instance(params["InstanceId"])
        found = command_store.list_for_stack(ctx.session, stack.id, instance_id=instance.id)
    else:
        raise ValidationException("DescribeCommands: give a DeploymentId, InstanceId or CommandIds")
    if params.get("InstanceId"):
        found = [c for c in found if c.instance_id == params["InstanceId"]]
    return {"Commands": [translate.command_shape(c) for c in found]}
