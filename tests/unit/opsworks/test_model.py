"""The service model shipped as package data, and the checks a request gets against it."""

from __future__ import annotations

import gzip
import json
from importlib import resources

import pytest

from stackworks.opsworks import model
from stackworks.opsworks.errors import ValidationException


def test_the_shipped_model_is_botocores_opsworks_model_without_documentation() -> None:
    import botocore

    shipped = model.load()
    path = resources.files(botocore).joinpath("data/opsworks/2013-02-18/service-2.json.gz")
    original = json.loads(gzip.decompress(path.read_bytes()))
    assert sorted(shipped.operations) == sorted(original["operations"])
    assert len(shipped.operations) == 74
    assert shipped.target_prefix == "OpsWorks_20130218"
    assert (
        shipped.shapes["CreateStackRequest"]["required"]
        == (original["shapes"]["CreateStackRequest"]["required"])
    )
    assert "documentation" not in json.dumps(shipped.operations)


def test_a_missing_required_parameter_is_named_as_aws_names_it() -> None:
    with pytest.raises(ValidationException) as raised:
        model.check_input("CreateLayer", {"StackId": "s", "Type": "custom", "Name": "App"})
    assert raised.value.message == (
        "1 validation error detected: Value null at 'Shortname' failed to satisfy constraint: "
        "Member must not be null"
    )


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {"StackIds": "one"},
            "'StackIds' failed to satisfy constraint: Member must be of type list",
        ),
        ({"StackIds": [1]}, "'StackIds[0]'"),
        ({"Stack": "x"}, "Unknown parameter 'Stack'"),
    ],
)
def test_a_parameter_of_the_wrong_shape_is_refused_naming_it(
    params: dict[str, object], words: str
) -> None:
    with pytest.raises(ValidationException, match="validation error") as raised:
        model.check_input("DescribeStacks", params)
    assert words in raised.value.message


def test_an_enumeration_is_checked_and_nested_members_are_named_by_path() -> None:
    with pytest.raises(ValidationException) as raised:
        model.check_input(
            "CreateDeployment",
            {"StackId": "s", "Command": {"Name": "reboot", "Args": {"recipes": [3]}}},
        )
    message = raised.value.message
    assert message.startswith("2 validation errors detected")
    assert "'Command.Name' failed to satisfy constraint: Member must satisfy enum" in message
    assert "'Command.Args.recipes[0]'" in message


def test_a_boolean_is_not_an_integer_nor_the_reverse() -> None:
    with pytest.raises(ValidationException, match="Member must be of type boolean"):
        model.check_input("UpdateLayer", {"LayerId": "l", "EnableAutoHealing": 1})
    with pytest.raises(ValidationException, match="Member must be of type integer"):
        model.check_input(
            "UpdateLayer",
            {
                "LayerId": "l",
                "LifecycleEventConfiguration": {"Shutdown": {"ExecutionTimeout": True}},
            },
        )
