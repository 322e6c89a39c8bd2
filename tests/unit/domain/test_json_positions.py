"""Pointing at a mistake in JSON text: the line and column of a syntax error, and of the member
a validation error names by its path."""

from __future__ import annotations

import pytest

from stackworks.domain.errors import InvalidInput
from stackworks.domain.json_positions import (
    JsonTextError,
    Position,
    load,
    load_object,
    locate,
    path_in_field,
    pointed,
    position_of,
)

TEXT = """{
  "haproxy": {
    "port": 8080,
    "stats_password": {"$secret": "x"}
  },
  "list": [1, {"deep": true}, 3],
  "empty": {}
}"""


def test_position_of_counts_lines_and_columns_from_one() -> None:
    assert position_of("ab\ncd", 0) == Position(1, 1)
    assert position_of("ab\ncd", 4) == Position(2, 2)
    assert position_of("ab\r\ncd", 5) == Position(2, 2)


def test_a_missing_comma_is_reported_at_its_line_and_column() -> None:
    with pytest.raises(JsonTextError) as raised:
        load('{\n  "a": 1\n  "b": 2\n}', field="custom_json")
    assert raised.value.position == Position(3, 3)
    assert raised.value.field == "custom_json"
    assert raised.value.message.startswith("custom_json (line 3, column 3): Expecting ','")


def test_crlf_line_ends_from_a_browser_count_once() -> None:
    with pytest.raises(JsonTextError) as raised:
        load('{\r\n  "a": 1,\r\n}', field="custom_json")
    assert raised.value.position == Position(3, 1)


def test_nesting_too_deep_is_refused_at_the_bracket_before_parsing() -> None:
    text = "[" * 10 + "]" * 10
    with pytest.raises(JsonTextError) as raised:
        load(text, field="f", max_depth=4)
    assert raised.value.position == Position(1, 5)
    assert "nested deeper than 4" in raised.value.message
    assert load("[[[]]]", field="f", max_depth=3) == [[[]]]


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert load('{"a": "[[[[[[["}', field="f", max_depth=1) == {"a": "[[[[[[["}


def test_load_object_refuses_a_list_at_its_first_character() -> None:
    with pytest.raises(JsonTextError) as raised:
        load_object("\n  [1, 2]", field="custom_json")
    assert raised.value.position == Position(2, 3)
    assert "must be a JSON object" in raised.value.message


def test_load_object_takes_empty_text_as_an_empty_object() -> None:
    assert load_object("  \n", field="custom_json") == {}


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ((), Position(1, 1)),
        (("haproxy",), Position(2, 3)),
        (("haproxy", "port"), Position(3, 5)),
        (("haproxy", "stats_password", "$secret"), Position(4, 24)),
        (("list", 0), Position(6, 12)),
        (("list", 1, "deep"), Position(6, 16)),
        (("list", 2), Position(6, 31)),
        (("empty",), Position(7, 3)),
    ],
)
def test_locate_finds_each_member_by_its_path(path: tuple[str | int, ...], where: Position) -> None:
    assert locate(TEXT, path) == where


def test_a_path_the_text_lacks_points_at_its_deepest_ancestor() -> None:
    assert locate(TEXT, ("haproxy", "nothing", "here")) == Position(2, 3)
    assert locate(TEXT, ("absent",)) == Position(1, 1)


def test_a_repeated_key_is_located_where_the_parser_keeps_it() -> None:
    assert locate('{"a": 1,\n "a": 2}', ("a",)) == Position(2, 2)


def test_keys_with_escapes_and_punctuation_are_located() -> None:
    text = '{"a,b": {"q\\"x": [ ]}, "c": 1}'
    assert locate(text, ("a,b", 'q"x')) == Position(1, 10)
    assert locate(text, ("c",)) == Position(1, 24)


def test_locate_in_text_with_no_value_is_none() -> None:
    assert locate("   ", ("a",)) is None


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("custom_json", ()),
        ("custom_json.a.b", ("a", "b")),
        ("custom_json.list[2].x", ("list", 2, "x")),
        ("custom_json[0]", (0,)),
        ("other.a", None),
        ("custom_jsonx", None),
        ("custom_json..a", None),
    ],
)
def test_path_in_field_reads_the_dotted_names_validation_uses(
    name: str, path: tuple[str | int, ...] | None
) -> None:
    assert path_in_field(name, "custom_json") == path


def test_pointed_moves_a_validation_error_to_its_line_and_keeps_its_reason() -> None:
    error = InvalidInput(
        "custom_json.haproxy.port: '$sealed' is reserved for the server",
        field="custom_json.haproxy.port",
    )
    found = pointed(TEXT, error, field="custom_json")
    assert found.position == Position(3, 5)
    assert found.path == "custom_json.haproxy.port"
    assert found.message == (
        "custom_json.haproxy.port (line 3, column 5): '$sealed' is reserved for the server"
    )


def test_pointed_error_about_another_field_has_no_position() -> None:
    found = pointed(TEXT, InvalidInput("name: too long", field="name"), field="custom_json")
    assert found.position is None
    assert found.message == "custom_json: name: too long"
