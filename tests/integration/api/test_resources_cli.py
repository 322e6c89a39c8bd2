"""The resource commands of the CLI against the real API in-process: what they send, what they
print (never a database password), and errors as one line naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner, Result

from stackworks.cli.main import app
from stackworks.cli.runtime import Runtime
from support.api_harness import Api, make_instance, make_layer, make_stack

SECRET = "cli-secret-0099"


def cli(api: Api, *args: str) -> Result:
    runtime = Runtime(
        transport=api.client._transport,
        console=Console(width=200, color_system=None, force_terminal=False),
        env={"STACKWORKS_URL": "http://testserver", "STACKWORKS_TOKEN": api.token},
        poll_interval=0.0,
        sleep=lambda _s: None,
    )
    return CliRunner().invoke(app, list(args), obj=runtime)


def test_volume_commands_register_assign_snapshot_and_restore(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "db")
    make_instance(api, "demo", ["db"], "db1")
    made = cli(api, "volume", "register", "demo", "data", "--size", "3", "--mount-point", "/srv/d")
    assert made.exit_code == 0, made.output
    assert cli(api, "volume", "assign", "demo", "data", "--instance", "db1").exit_code == 0
    listed = json.loads(cli(api, "volume", "list", "demo", "--json").stdout)
    assert [(v["name"], v["instance"], v["size"]) for v in listed] == [("data", "db1", 3)]
    Path(listed[0]["path"], "f").write_text("x")
    snap = json.loads(cli(api, "volume", "snapshot", "demo", "data", "--json").stdout)
    table = cli(api, "volume", "snapshots", "demo").stdout
    assert snap["id"].split("-")[0] in table
    short = snap["id"].split("-")[0]
    restored = cli(api, "volume", "restore", "demo", short, "--name", "copy", "--json")
    assert restored.exit_code == 0, restored.output
    assert Path(json.loads(restored.stdout)["path"], "f").read_text() == "x"


def test_a_bad_volume_option_is_one_line_naming_the_field(api: Api) -> None:
    make_stack(api)
    bad = cli(api, "volume", "register", "demo", "data", "--mount-point", "nope")
    assert bad.exit_code == 1
    assert bad.stderr.count("\n") == 1 and "mount_point" in bad.stderr
    layer = cli(api, "layer", "create", "demo", "db", "--volume", "/srv/pg:big")
    assert layer.exit_code == 2 and layer.stderr.startswith("error: --volume")


def test_layer_volumes_and_app_data_source_options_reach_the_api(api: Api, tmp_path: Path) -> None:
    make_stack(api)
    made = cli(api, "layer", "create", "demo", "db", "--volume", "/srv/pg:10:24:15")
    assert made.exit_code == 0, made.output
    (config,) = api.get("/stacks/demo/layers/db").json()["volume_configurations"]
    assert config == {
        "mount_point": "/srv/pg",
        "size": 10,
        "snapshot_every_hours": 24,
        "snapshot_keep": 15,
    }
    secret_file = tmp_path / "pw"
    secret_file.write_text(SECRET + "\n")
    registered = cli(
        api, "database", "register", "demo", "main", "--host", "127.0.0.1",
        "--database", "shop", "--user", "shop", "--password-file", str(secret_file),
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    created = cli(
        api, "app", "create", "demo", "web", "--git", "file:///x", "--data-source", "main"
    )
    assert created.exit_code == 0, created.output
    shown = cli(api, "database", "show", "demo", "main")
    assert "*****FILTERED*****" in shown.stdout and "web" in shown.stdout
    for args in (("database", "list", "demo", "--json"), ("app", "show", "demo", "web")):
        assert SECRET not in cli(api, *args).stdout
    unknown = cli(api, "app", "update", "demo", "web", "--data-source", "ghost")
    assert unknown.exit_code == 1 and "data_sources" in unknown.stderr


def test_address_and_stack_power_commands(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "lb")
    make_instance(api, "demo", ["lb"], "lb1")
    made = cli(api, "address", "register", "demo", "public", "--json")
    ip = json.loads(made.stdout)["ip"]
    moved = cli(api, "address", "associate", "demo", ip, "--instance", "lb1")
    assert moved.exit_code == 0 and "now on lb1" in moved.stdout
    started = cli(api, "stack", "start", "demo")
    assert started.exit_code == 0 and "asked lb1 to start" in started.stdout
    stopped = json.loads(cli(api, "stack", "stop", "demo", "--json").stdout)
    assert stopped["changed"] == ["lb1"]
