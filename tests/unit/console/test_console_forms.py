"""Custom JSON from a form: an object, or an error naming the field, line and column."""

from __future__ import annotations

import pytest

from stackworks.console.forms import parse_custom_json
from stackworks.domain.errors import InvalidInput


def test_blank_custom_json_is_an_empty_object() -> None:
    assert parse_custom_json("  \n ") == {}


def test_an_object_is_kept_as_it_is() -> None:
    assert parse_custom_json('{"a": {"b": [1, 2]}}') == {"a": {"b": [1, 2]}}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": 1,}', "line 1, column 9"),
        ('{\n  "a": 1\n  "b": 2\n}', "line 3, column 3"),
        ("{\n\n   oops", "line 3, column 4"),
    ],
)
def test_invalid_json_names_its_line_and_column(text: str, where: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_custom_json(text, "custom_json")
    assert raised.value.field == "custom_json"
    assert f"custom_json: not valid JSON at {where}" in raised.value.message


def test_json_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInput, match="expected a JSON object"):
        parse_custom_json("[1, 2]", "custom_json")
