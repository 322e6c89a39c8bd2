"""The handler table: every operation has at most one entry, only the model's operations can
have one, and a refusal answers its reason as a ValidationException."""

from __future__ import annotations

from typing import Any

import pytest

from stackworks.opsworks import registry
from stackworks.opsworks.errors import ValidationException


def test_the_stack_layer_and_instance_operations_are_registered() -> None:
    found = registry.load_handlers()
    for name in ("CreateStack", "DescribeStacks", "CloneStack", "CreateLayer", "CreateInstance"):
        assert found[name].refused is None
    assert found["CreateLayer"].changes and not found["DescribeLayers"].changes
    assert not found["GetHostnameSuggestion"].changes


def test_an_operation_the_model_lacks_cannot_get_a_handler() -> None:
    with pytest.raises(ValueError, match="not an operation"):
        registry.operation("LaunchRockets")(lambda _ctx, _params: {})


def test_an_operation_cannot_get_two_handlers() -> None:
    registry.load_handlers()
    with pytest.raises(ValueError, match="two handlers"):
        registry.operation("DescribeStacks")(lambda _ctx, _params: {})


def test_a_refusal_answers_its_reason() -> None:
    refused = registry.load_handlers()["RegisterInstance"]
    assert refused.refused and "stackworks agent register" in refused.refused
    with pytest.raises(ValidationException, match="stackworks agent register"):
        ctx: Any = None
        refused.handler(ctx, {})
