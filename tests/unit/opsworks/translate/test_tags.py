from __future__ import annotations

import pytest

from stackworks.domain.errors import InvalidInput
from stackworks.opsworks.translate import tags

STACK = "0f8c3b7e-1111-4222-8333-944445555666"


def test_stack_and_layer_arns_name_what_they_tag() -> None:
    found = tags.resource_of(f"arn:aws:opsworks:us-east-1:000000000000:stack/{STACK}/")
    assert (found.kind, found.id) == ("stack", STACK)
    assert tags.resource_of(f"arn:aws:opsworks:eu-west-1:1:layer/{STACK}").kind == "layer"


@pytest.mark.parametrize("arn", [f"arn:aws:opsworks:r:1:instance/{STACK}", "stack", ""])
def test_anything_else_takes_no_tags(arn: str) -> None:
    with pytest.raises(InvalidInput, match="only stacks and layers"):
        tags.resource_of(arn)


def test_tag_limits() -> None:
    with pytest.raises(InvalidInput, match="aws:"):
        tags.tags_in({"aws:owner": "x"}, {})
    with pytest.raises(InvalidInput, match="256"):
        tags.tags_in({"k": "v" * 257}, {})
    with pytest.raises(InvalidInput, match="at most 40"):
        tags.tags_in({"new": "x"}, {f"k{n}": "" for n in range(40)})
    assert tags.tags_in({"k0": "y"}, {f"k{n}": "" for n in range(40)}) == {"k0": "y"}


def test_list_tags_pages_in_key_order() -> None:
    held = {"c": "3", "a": "1", "b": "2"}
    first = tags.page(held, 2, None)
    assert first == {"Tags": {"a": "1", "b": "2"}, "NextToken": "b"}
    assert tags.page(held, 2, first["NextToken"]) == {"Tags": {"c": "3"}}
    assert tags.page(held, None, None) == {"Tags": held}
    with pytest.raises(InvalidInput):
        tags.page(held, 2, "zz")
