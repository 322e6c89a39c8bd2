"""Deployments and commands: CreateDeployment as the REST API's DeploymentCreate, and a
Deployment or Command as OpsWorks' shapes. Statuses are OpsWorks' own already (running,
successful, failed; a command's pending, successful, failed, skipped)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from stackworks.domain.entities import Command, Deployment
from stackworks.domain.errors import InvalidInput
from stackworks.domain.status import DEPLOYMENT_COMMANDS, CommandName
from stackworks.opsworks.shapes import custom_json_in, custom_json_out, drop_none, timestamp
from stackworks.opsworks.translate.common import user_arn
from stackworks.wire import schemas

#: an ID -> the name the REST API takes (hostname, layer shortname, app shortname)
NameOf = Callable[[str], str]

#: every command a deployment can send, in OpsWorks' order of documentation
COMMAND_NAMES = tuple(sorted(c.value for c in DEPLOYMENT_COMMANDS))


def command_name(name: str) -> CommandName:
    if name not in COMMAND_NAMES:
        raise InvalidInput(
            f"Command.Name: {name!r} is not a deployment command; use one of "
            f"{', '.join(COMMAND_NAMES)}",
            field="Command.Name",
        )
    return CommandName(name)


def _ids(request: Mapping[str, Any], key: str, name_of: NameOf) -> list[str]:
    values: Sequence[str] = request.get(key, [])
    return [name_of(value) for value in values]


def deployment_create(
    request: Mapping[str, Any], *, hostname_of: NameOf, layer_of: NameOf, app_of: NameOf
) -> schemas.DeploymentCreate:
    """The name lookups raise for an ID that is not of the request's stack."""
    command = request["Command"]
    name = command_name(command["Name"])
    if name.needs_app and not request.get("AppId"):
        raise InvalidInput(f"AppId: the {name.value} command needs an app", field="AppId")
    if request.get("InstanceIds") and request.get("LayerIds"):
        raise InvalidInput(
            "InstanceIds: give InstanceIds or LayerIds, not both", field="InstanceIds"
        )
    return schemas.DeploymentCreate(
        command=schemas.DeploymentCommandIn(name=name, args=dict(command.get("Args", {}))),
        app=app_of(request["AppId"]) if request.get("AppId") else None,
        instances=_ids(request, "InstanceIds", hostname_of),
        layers=_ids(request, "LayerIds", layer_of),
        custom_json=custom_json_in(request.get("CustomJson")),
        comment=request.get("Comment", ""),
    )


def deployment_shape(deployment: Deployment) -> dict[str, Any]:
    duration = None
    if deployment.completed_at and deployment.created_at:
        duration = round((deployment.completed_at - deployment.created_at).total_seconds())
    return drop_none(
        {
            "DeploymentId": deployment.id,
            "StackId": deployment.stack_id,
            "AppId": deployment.app_id,
            "CreatedAt": timestamp(deployment.created_at),
            "CompletedAt": timestamp(deployment.completed_at),
            "Duration": duration,
            "IamUserArn": user_arn(deployment.created_by) if deployment.created_by else None,
            "Comment": deployment.comment or None,
            "Command": {"Name": deployment.command.value, "Args": dict(deployment.args)},
            "Status": deployment.status.value,
            "CustomJson": custom_json_out(deployment.custom_json),
            "InstanceIds": list(deployment.instance_ids),
        }
    )


def command_shape(command: Command) -> dict[str, Any]:
    return drop_none(
        {
            "CommandId": command.id,
            "InstanceId": command.instance_id,
            "DeploymentId": command.deployment_id,
            "CreatedAt": timestamp(command.created_at),
            "AcknowledgedAt": timestamp(command.acknowledged_at),
            "CompletedAt": timestamp(command.completed_at),
            "Status": command.status.value,
            "ExitCode": command.exit_code,
            "Type": command.type.value,
        }
    )
