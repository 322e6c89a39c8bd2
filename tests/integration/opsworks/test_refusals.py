"""What the OpsWorks endpoint refuses, through the real boto3 client, in AWS's error shapes:
bad signatures and keys, unknown operations, missing parameters, unknown ids, and a caller
below the level an operation needs. Changing calls, refused or not, are in the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import httpx
import pytest
from botocore.exceptions import ClientError

from support.cluster import ServerProcess
from support.opsworks import REGION, make_access_key, opsworks_client, opsworks_url, signed_post

pytestmark = pytest.mark.integration

ROLE = "arn:aws:iam::111122223333:role/aws-opsworks-service-role"
MISSING_ID = "00000000-0000-4000-8000-000000000000"


def error_of(call: Any, **params: Any) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a call that must fail."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    response = raised.value.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    return status, response["Error"]["Code"], response["Error"]["Message"]


@pytest.fixture(scope="module")
def admin(server: ServerProcess, admin_key: tuple[str, str]) -> Any:
    return opsworks_client(server, admin_key)


@pytest.fixture(scope="module")
def stack_id(admin: Any) -> str:
    made = admin.create_stack(
        Name="refusals", Region=REGION, ServiceRoleArn=ROLE, DefaultInstanceProfileArn=ROLE
    )
    return str(made["StackId"])


def test_a_wrong_secret_is_an_invalid_signature(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    client = opsworks_client(server, (admin_key[0], "x" * 40))
    status, code, message = error_of(client.describe_stacks)
    assert (status, code) == (400, "InvalidSignatureException")
    assert "does not match the signature you provided" in message


def test_a_signature_made_ten_minutes_ago_has_expired(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    client = opsworks_client(server, admin_key)
    then = (datetime.now(UTC) - timedelta(minutes=10)).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", lambda: then):
        status, code, message = error_of(client.describe_stacks)
    assert (status, code) == (400, "InvalidSignatureException")
    assert message.startswith("Signature expired: ")


def test_an_unknown_access_key_is_an_unrecognized_client(server: ServerProcess) -> None:
    client = opsworks_client(server, ("AKIAAAAAAAAAAAAAAAAA", "x" * 40))
    status, code, message = error_of(client.describe_stacks)
    assert (status, code) == (400, "UnrecognizedClientException")
    assert message == "The security token included in the request is invalid."


def test_a_deactivated_key_is_refused_like_an_unknown_one_and_works_again_when_activated(
    server: ServerProcess,
) -> None:
    key = make_access_key(server)
    client = opsworks_client(server, key)
    client.describe_stacks()
    server.call("PATCH", f"/me/access-keys/{key[0]}", {"status": "Inactive"}, expect=200)
    assert error_of(client.describe_stacks)[1] == "UnrecognizedClientException"
    server.call("PATCH", f"/me/access-keys/{key[0]}", {"status": "Active"}, expect=200)
    client.describe_stacks()
    server.call("DELETE", f"/me/access-keys/{key[0]}", expect=204)
    assert error_of(client.describe_stacks)[1] == "UnrecognizedClientException"


def test_an_unknown_operation_is_answered_as_aws_does(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    answer = signed_post(server, admin_key, "LaunchRockets", b"{}")  # botocore has no such call
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"
    assert answer.json()["__type"] == "UnknownOperationException"
    assert answer.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_a_body_that_is_not_json_is_a_serialization_error(
    server: ServerProcess, admin_key: tuple[str, str]
) -> None:
    answer = signed_post(server, admin_key, "DescribeStacks", b'{"StackIds": [')
    assert (answer.status_code, answer.json()["__type"]) == (400, "SerializationException")


def test_an_unsigned_request_is_refused(server: ServerProcess) -> None:
    answer = httpx.post(
        opsworks_url(server),
        content=b"{}",
        headers={"X-Amz-Target": "OpsWorks_20130218.DescribeStacks"},
        timeout=10,
    )
    assert (answer.status_code, answer.json()["__type"]) == (
        403,
        "MissingAuthenticationTokenException",
    )


def test_a_missing_required_parameter_is_named(
    server: ServerProcess, admin_key: tuple[str, str], stack_id: str
) -> None:
    client = opsworks_client(server, admin_key, validate=False)  # botocore would stop it first
    status, code, message = error_of(client.create_layer, StackId=stack_id, Type="custom", Name="A")
    assert (status, code) == (400, "ValidationException")
    assert "Value null at 'Shortname' failed to satisfy constraint" in message


def test_an_unknown_stack_id_is_not_found(admin: Any) -> None:
    status, code, message = error_of(admin.describe_stacks, StackIds=[MISSING_ID])
    assert (status, code) == (400, "ResourceNotFoundException")
    assert message == f"Unable to find stack with ID {MISSING_ID}"


def test_a_show_level_user_reads_but_cannot_create_a_layer_and_both_are_audited(
    server: ServerProcess, admin: Any, stack_id: str
) -> None:
    stack_name = next(s["name"] for s in server.call("GET", "/stacks") if s["id"] == stack_id)
    server.call("POST", "/users", {"name": "viewer"}, expect=201)
    server.call("PUT", f"/stacks/{stack_name}/permissions/viewer", {"level": "show"}, expect=200)
    viewer = opsworks_client(server, make_access_key(server, "viewer"))

    assert [s["StackId"] for s in viewer.describe_stacks()["Stacks"]] == [stack_id]
    status, code, message = error_of(
        viewer.create_layer, StackId=stack_id, Type="custom", Name="Web", Shortname="web"
    )
    assert (status, code) == (400, "AccessDeniedException")
    assert "needs manage" in message and "has show" in message
    assert admin.describe_layers(StackId=stack_id)["Layers"] == []

    admin.create_layer(StackId=stack_id, Type="custom", Name="Web", Shortname="web")
    records = server.call("GET", f"/stacks/{stack_name}/audit", expect=200)
    layer_calls = [
        (r["user"], r["status"]) for r in records if r["action"] == "OpsWorks CreateLayer"
    ]
    assert sorted(layer_calls) == [("admin", 200), ("viewer", 400)]


def test_a_user_without_any_level_sees_the_stack_as_missing(
    server: ServerProcess, stack_id: str
) -> None:
    server.call("POST", "/users", {"name": "outsider"}, expect=201)
    outsider = opsworks_client(server, make_access_key(server, "outsider"))
    assert outsider.describe_stacks()["Stacks"] == []
    status, code, message = error_of(outsider.describe_layers, StackId=stack_id)
    assert (status, code, message) == (
        400,
        "ResourceNotFoundException",
        f"Unable to find stack with ID {stack_id}",
    )


#: what each operation of stacks, layers and instances needs, as OpsWorks' documentation says;
#: the caller below holds deploy, so manage and server-admin operations refuse it
MANAGE = {
    "UpdateStack": {"StackId": "{stack}"},
    "DeleteStack": {"StackId": "{stack}"},
    "StartStack": {"StackId": "{stack}"},
    "StopStack": {"StackId": "{stack}"},
    "CreateLayer": {"StackId": "{stack}", "Type": "custom", "Name": "X", "Shortname": "x"},
    "UpdateLayer": {"LayerId": "{layer}", "Name": "Y"},
    "DeleteLayer": {"LayerId": "{layer}"},
    "CreateInstance": {"StackId": "{stack}", "LayerIds": ["{layer}"], "InstanceType": "t"},
    "UpdateInstance": {"InstanceId": "{instance}", "InstanceType": "t"},
    "DeleteInstance": {"InstanceId": "{instance}"},
    "StartInstance": {"InstanceId": "{instance}"},
    "StopInstance": {"InstanceId": "{instance}"},
    "RebootInstance": {"InstanceId": "{instance}"},
    "AssignInstance": {"InstanceId": "{instance}", "LayerIds": ["{layer}"]},
    "DeregisterInstance": {"InstanceId": "{instance}"},
    "GetHostnameSuggestion": {"LayerId": "{layer}"},
}
ADMIN = {
    "CreateStack": {
        "Name": "n",
        "Region": "r",
        "ServiceRoleArn": "a",
        "DefaultInstanceProfileArn": "p",
    },
    "CloneStack": {"SourceStackId": "{stack}", "ServiceRoleArn": "a"},
}
SHOW = {
    "DescribeStacks": {"StackIds": ["{stack}"]},
    "DescribeStackSummary": {"StackId": "{stack}"},
    "DescribeStackProvisioningParameters": {"StackId": "{stack}"},
    "DescribeLayers": {"StackId": "{stack}"},
    "DescribeInstances": {"InstanceIds": ["{instance}"]},
}


def _call(client: Any, operation: str, params: dict[str, Any], ids: dict[str, str]) -> Any:
    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value.format(**ids) if isinstance(value, str) else value

    method = getattr(client, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
    return method(**{key: fill(value) for key, value in params.items()})


def test_each_operation_needs_the_level_opsworks_documents_and_refusals_change_nothing(
    server: ServerProcess, admin: Any
) -> None:
    stack = admin.create_stack(
        Name="levels", Region=REGION, ServiceRoleArn=ROLE, DefaultInstanceProfileArn=ROLE
    )["StackId"]
    layer = admin.create_layer(StackId=stack, Type="custom", Name="A", Shortname="a")["LayerId"]
    instance = admin.create_instance(StackId=stack, LayerIds=[layer], InstanceType="t")[
        "InstanceId"
    ]
    ids = {"stack": stack, "layer": layer, "instance": instance}
    server.call("POST", "/users", {"name": "reader"}, expect=201)
    server.call("PUT", "/stacks/levels/permissions/reader", {"level": "deploy"}, expect=200)
    reader = opsworks_client(server, make_access_key(server, "reader"))
    before = server.call("GET", "/stacks/levels/document", expect=200)

    for operation, params in {**MANAGE, **ADMIN}.items():
        with pytest.raises(ClientError) as raised:
            _call(reader, operation, params, ids)
        assert raised.value.response["Error"]["Code"] == "AccessDeniedException", operation
    for operation, params in SHOW.items():
        _call(reader, operation, params, ids)

    assert server.call("GET", "/stacks/levels/document", expect=200) == before
    assert [s["name"] for s in server.call("GET", "/stacks")].count("n") == 0
