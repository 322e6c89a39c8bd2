"""Stack commands: JSON output, tables, errors from the API and from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from cli_harness import Invoke
from fake_api import FakeApi


def test_stack_list_json_is_plain_json_of_every_stack(cli: Invoke, api: FakeApi) -> None:
    api.add_stack("blog")
    result = cli("stack", "list", "--json")
    assert result.exit_code == 0, result.output
    names = [stack["name"] for stack in json.loads(result.stdout)]
    assert names == ["shop", "blog"]
    assert "\x1b[" not in result.stdout


def test_stack_list_table_names_each_stack(cli: Invoke, api: FakeApi) -> None:
    api.add_stack("blog")
    result = cli("stack", "list")
    assert result.exit_code == 0
    assert "shop" in result.stdout and "blog" in result.stdout


def test_unknown_stack_prints_the_api_message_and_exits_1(cli: Invoke) -> None:
    result = cli("stack", "show", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: stack 'nope' not found"
    assert "Traceback" not in result.output


def test_create_sends_custom_json_and_cookbooks(cli: Invoke, api: FakeApi) -> None:
    result = cli(
        "stack",
        "create",
        "blog",
        "--custom-json",
        '{"haproxy": {"port": 8080}}',
        "--cookbooks",
        "git:https://example.org/cb.git@v2",
        "--cookbooks",
        "path:/srv/cookbooks",
    )
    assert result.exit_code == 0, result.output
    _method, _path, body = api.sent("POST")[-1]
    assert body["custom_json"] == {"haproxy": {"port": 8080}}
    assert body["cookbook_sources"] == [
        {"type": "git", "url": "https://example.org/cb.git", "ref": "v2"},
        {"type": "path", "url": "/srv/cookbooks"},
    ]


def test_custom_json_from_a_file(cli: Invoke, api: FakeApi, tmp_path: Path) -> None:
    path = tmp_path / "custom.json"
    path.write_text('{"a": [1, 2]}')
    result = cli("stack", "update", "shop", "--custom-json", f"@{path}")
    assert result.exit_code == 0, result.output
    assert api.sent("PATCH")[-1][2] == {"custom_json": {"a": [1, 2]}}


def test_bad_custom_json_names_the_option_and_position_and_sends_nothing(
    cli: Invoke, api: FakeApi
) -> None:
    result = cli("stack", "create", "blog", "--custom-json", '{"a": 1,}')
    assert result.exit_code == 2
    assert "--custom-json" in result.stderr
    assert "line 1 column 9" in result.stderr
    assert api.requests == []


def test_custom_json_must_be_an_object(cli: Invoke, api: FakeApi) -> None:
    result = cli("stack", "update", "shop", "--custom-json", "[1]")
    assert result.exit_code == 2
    assert "expected a JSON object" in result.stderr
    assert api.requests == []


def test_update_without_options_is_a_usage_error(cli: Invoke, api: FakeApi) -> None:
    result = cli("stack", "update", "shop")
    assert result.exit_code == 2
    assert "nothing to update" in result.stderr


def test_duplicate_stack_is_a_conflict_exit_1(cli: Invoke) -> None:
    result = cli("stack", "create", "shop")
    assert result.exit_code == 1
    assert "already exists" in result.stderr
