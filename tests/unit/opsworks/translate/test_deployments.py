from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from stackworks.domain.entities import Command, Deployment
from stackworks.domain.errors import InvalidInput
from stackworks.domain.status import CommandName, CommandStatus, DeploymentStatus
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.translate import deployments

NAMES = {"i1": "web1", "l1": "app", "a1": "site"}


def name_of(identifier: str) -> str:
    return NAMES[identifier]


def test_create_deployment_turns_ids_into_the_names_the_rest_api_takes() -> None:
    body = deployments.deployment_create(
        {
            "StackId": "s1",
            "AppId": "a1",
            "InstanceIds": ["i1"],
            "Command": {"Name": "deploy", "Args": {"migrate": ["true"]}},
            "CustomJson": '{"deploy": {"site": {"x": 1}}}',
            "Comment": "from CI",
        },
        hostname_of=name_of,
        layer_of=name_of,
        app_of=name_of,
    )
    assert (body.app, body.instances, body.layers) == ("site", ["web1"], [])
    assert body.command.name is CommandName.DEPLOY
    assert body.command.args == {"migrate": ["true"]}
    assert body.custom_json == {"deploy": {"site": {"x": 1}}}
    assert body.comment == "from CI"


def test_every_stackworks_deployment_command_is_accepted_and_shutdown_is_not() -> None:
    assert set(deployments.COMMAND_NAMES) == {
        "install_dependencies", "update_dependencies", "update_custom_cookbooks",
        "execute_recipes", "configure", "setup", "deploy", "rollback", "start", "stop",
        "restart", "undeploy",
    }  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        deployments.command_name("shutdown")
    assert refused.value.field == "Command.Name"


@pytest.mark.parametrize(
    ("custom_json", "message"), [("{not json", "not valid JSON"), ("[1]", "JSON object")]
)
def test_create_deployment_refuses_custom_json_that_is_no_object(
    custom_json: str, message: str
) -> None:
    with pytest.raises(ValidationException, match=message):
        deployments.deployment_create(
            {"StackId": "s1", "Command": {"Name": "configure"}, "CustomJson": custom_json},
            hostname_of=name_of,
            layer_of=name_of,
            app_of=name_of,
        )


def test_deployment_shape_has_opsworks_status_duration_and_user_arn() -> None:
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    shape = deployments.deployment_shape(
        Deployment(
            id="d1",
            stack_id="s1",
            command=CommandName.DEPLOY,
            status=DeploymentStatus.SUCCESSFUL,
            app_id="a1",
            custom_json={"a": 1},
            created_by="ci",
            instance_ids=("i1",),
            created_at=start,
            completed_at=start + timedelta(seconds=42.4),
        )
    )
    assert shape["Status"] == "successful"
    assert shape["Duration"] == 42
    assert shape["IamUserArn"] == "arn:aws:iam::000000000000:user/ci"
    assert json.loads(shape["CustomJson"]) == {"a": 1}
    assert shape["Command"] == {"Name": "deploy", "Args": {}}
    assert "Comment" not in shape


def test_command_shape_keeps_statuses_and_exit_code() -> None:
    shape = deployments.command_shape(
        Command(
            id="c1",
            stack_id="s1",
            instance_id="i1",
            type=CommandName.DEPLOY,
            status=CommandStatus.FAILED,
            deployment_id="d1",
            exit_code=2,
        )
    )
    assert shape == {
        "CommandId": "c1", "InstanceId": "i1", "DeploymentId": "d1", "Status": "failed",
        "ExitCode": 2, "Type": "deploy",
    }  # fmt: skip


def test_an_app_command_without_an_app_id_names_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        deployments.deployment_create(
            {"StackId": "s1", "Command": {"Name": "rollback"}},
            hostname_of=name_of,
            layer_of=name_of,
            app_of=name_of,
        )
    assert refused.value.field == "AppId"
