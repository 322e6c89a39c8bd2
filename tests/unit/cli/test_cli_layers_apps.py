"""Layer and app commands: --recipes parsing, option lists, secure values never echoed."""

from __future__ import annotations

import json

import pytest
from cli_harness import Invoke
from fake_api import FakeApi

from stackworks.cli import options
from stackworks.cli.errors import UsageError


def test_recipes_repeat_and_the_same_event_appends_in_order() -> None:
    parsed = options.recipes("--recipes", ["setup=a::b,configure=c::d", "setup=e::f", "deploy=g"])
    assert parsed == {"setup": ["a::b", "e::f"], "configure": ["c::d"], "deploy": ["g"]}


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("setup", "should be EVENT=cookbook::recipe"),
        ("boot=a::b", "unknown event 'boot'"),
        ("setup=Bad::name", "not a valid recipe name"),
        ("setup=", "should be EVENT=cookbook::recipe"),
    ],
)
def test_bad_recipes_name_the_option(value: str, complaint: str) -> None:
    with pytest.raises(UsageError) as caught:
        options.recipes("--recipes", [value])
    assert caught.value.message.startswith("--recipes")
    assert complaint in caught.value.message


def test_layer_create_sends_parsed_options(cli: Invoke, api: FakeApi) -> None:
    result = cli(
        "layer", "create", "shop", "web",
        "--type", "python-app",
        "--recipes", "setup=tools::install,setup=tools::tune",
        "--recipes", "configure=tools::conf",
        "--packages", "curl, git",
        "--no-auto-healing",
        "--shutdown-timeout", "30",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = api.sent("POST")[-1][2]
    assert body == {
        "shortname": "web",
        "type": "python-app",
        "recipes": {"setup": ["tools::install", "tools::tune"], "configure": ["tools::conf"]},
        "packages": ["curl", "git"],
        "auto_healing": False,
        "shutdown_timeout": 30,
    }
    assert json.loads(result.stdout)["shortname"] == "web"


def test_layer_create_with_bad_recipes_sends_nothing(cli: Invoke, api: FakeApi) -> None:
    result = cli("layer", "create", "shop", "web", "--recipes", "boot=a::b")
    assert result.exit_code == 2
    assert "unknown event 'boot'" in result.stderr
    assert api.requests == []


def test_layer_shutdown_timeout_out_of_range_names_the_field(cli: Invoke, api: FakeApi) -> None:
    result = cli("layer", "create", "shop", "web", "--shutdown-timeout", "0")
    assert result.exit_code == 2
    assert "shutdown_timeout" in result.stderr
    assert api.requests == []


def test_layer_show_of_unknown_layer_exits_1(cli: Invoke) -> None:
    result = cli("layer", "show", "shop", "nope")
    assert result.exit_code == 1
    assert "no layer 'nope'" in result.stderr


def test_app_create_keeps_secure_values_out_of_the_output(cli: Invoke, api: FakeApi) -> None:
    result = cli(
        "app", "create", "shop", "web",
        "--git", "https://example.org/web.git", "--revision", "v1",
        "--layers", "app", "--env", "GREETING=hello", "--secure-env", "SECRET_KEY=hunter22",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = api.sent("POST")[-1][2]
    assert body["environment"] == [
        {"key": "GREETING", "value": "hello", "secure": False},
        {"key": "SECRET_KEY", "value": "hunter22", "secure": True},
    ]
    assert body["source"] == {"type": "git", "url": "https://example.org/web.git", "revision": "v1"}
    shown = cli("app", "show", "shop", "web")
    shown_json = cli("app", "show", "shop", "web", "--json")
    for output in (result.output, shown.output, shown_json.output):
        assert "hunter22" not in output
    assert "SECRET_KEY (secure)" in shown.stdout


def test_a_malformed_secure_env_is_refused_without_echoing_it(cli: Invoke, api: FakeApi) -> None:
    result = cli(
        "app", "create", "shop", "web", "--git", "https://x/y.git", "--secure-env", "hunter22"
    )
    assert result.exit_code == 2
    assert "--secure-env" in result.stderr and "hunter22" not in result.output
    assert api.requests == []


def test_app_needs_a_source(cli: Invoke, api: FakeApi) -> None:
    result = cli("app", "create", "shop", "web")
    assert result.exit_code == 2
    assert "--git URL or --archive URL" in result.stderr


def test_app_update_env_keeps_other_variables_and_masked_secrets(cli: Invoke, api: FakeApi) -> None:
    cli(
        "app", "create", "shop", "web", "--git", "https://x/y.git",
        "--env", "A=1", "--env", "B=2", "--secure-env", "S=hidden",
    )  # fmt: skip
    result = cli("app", "update", "shop", "web", "--env", "B=3", "--unset-env", "A")
    assert result.exit_code == 0, result.output
    assert api.sent("PATCH")[-1][2] == {
        "environment": [
            {"key": "B", "value": "3", "secure": False},
            {"key": "S", "value": "*****FILTERED*****", "secure": True},
        ]
    }


def test_app_update_revision_alone_keeps_the_source_url(cli: Invoke, api: FakeApi) -> None:
    cli("app", "create", "shop", "web", "--git", "https://x/y.git")
    result = cli("app", "update", "shop", "web", "--revision", "v2")
    assert result.exit_code == 0, result.output
    assert api.sent("PATCH")[-1][2] == {
        "source": {"type": "git", "url": "https://x/y.git", "revision": "v2"}
    }


@pytest.mark.parametrize(
    ("value", "url", "ref"),
    [
        ("git:https://h/r.git@v1", "https://h/r.git", "v1"),
        ("git:https://h/r.git", "https://h/r.git", "HEAD"),
        ("git:ssh://git@h/r.git", "ssh://git@h/r.git", "HEAD"),
        ("git:git@github.com:o/r.git@feature/x", "git@github.com:o/r.git", "feature/x"),
    ],
)
def test_cookbook_git_sources_split_url_and_ref(value: str, url: str, ref: str) -> None:
    (source,) = options.cookbook_sources("--cookbooks", [value])
    assert (source.url, source.ref) == (url, ref)
