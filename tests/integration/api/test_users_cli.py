"""The user and permission commands against the real API in-process: tokens as the last word,
passwords from stdin only, SSH keys from a file, errors as one line naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner, Result

from stackworks.cli.main import app
from stackworks.cli.runtime import Runtime
from support.api_harness import Api, make_stack

from .test_users import ED25519


def cli(api: Api, *args: str, token: str | None = None, stdin: str | None = None) -> Result:
    runtime = Runtime(
        transport=api.client._transport,
        console=Console(width=200, color_system=None, force_terminal=False),
        env={"STACKWORKS_URL": "http://testserver", "STACKWORKS_TOKEN": token or api.token},
        poll_interval=0.0,
        sleep=lambda _s: None,
    )
    return CliRunner().invoke(app, list(args), obj=runtime, input=stdin)


def test_user_create_with_an_ssh_key_file_then_a_token_printed_as_the_last_word(
    api: Api, tmp_path: Path
) -> None:
    key = tmp_path / "ann.pub"
    key.write_text(ED25519 + "\n")
    made = cli(api, "user", "create", "ann", "--ssh-username", "ann", "--ssh-key", str(key))
    assert made.exit_code == 0, made.output
    issued = cli(api, "user", "token", "ann", "--name", "laptop", "--expires-in", "30d")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.split()[-1]
    assert token.startswith("swk_") and "expires" in issued.stdout
    whoami = json.loads(cli(api, "user", "whoami", "--json", token=token).stdout)
    assert (whoami["name"], whoami["ssh_public_key"]) == ("ann", ED25519)
    listed = cli(api, "user", "tokens", "ann")
    assert "laptop" in listed.stdout and token not in listed.stdout
    assert cli(api, "user", "token-revoke", "ann", "laptop").exit_code == 0
    refused = cli(api, "user", "whoami", token=token)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "error: invalid API token"


def test_user_list_show_update_and_delete(api: Api, tmp_path: Path) -> None:
    make_stack(api, "shop")
    cli(api, "user", "create", "ci", "--default-level", "deploy")
    rows = json.loads(cli(api, "user", "list", "--json").stdout)
    assert [(u["name"], u["default_level"]) for u in rows] == [("admin", "deny"), ("ci", "deploy")]
    key = tmp_path / "ci.pub"
    key.write_text(ED25519)
    updated = cli(api, "user", "update", "ci", "--ssh-username", "ci", "--ssh-key", str(key))
    assert updated.exit_code == 0, updated.output
    assert "ci" in cli(api, "user", "show", "ci").stdout
    assert json.loads(cli(api, "user", "show", "ci", "--json").stdout)["ssh_username"] == "ci"
    assert cli(api, "user", "delete", "ci").exit_code == 0
    gone = cli(api, "user", "show", "ci")
    assert gone.exit_code == 1 and gone.stderr.strip() == "error: user 'ci' not found"


def test_bad_input_is_one_error_line_naming_the_field_and_nothing_is_sent(
    api: Api, tmp_path: Path
) -> None:
    two = tmp_path / "two.pub"
    two.write_text(ED25519 + "\n" + ED25519 + "\n")
    many = cli(api, "user", "create", "ann", "--ssh-username", "ann", "--ssh-key", str(two))
    assert many.exit_code == 2 and many.stderr.startswith("error: --ssh-key:")
    bad = tmp_path / "bad.pub"
    bad.write_text("ssh-ed25519 AAAAnotakey")
    refused = cli(api, "user", "create", "ann", "--ssh-username", "ann", "--ssh-key", str(bad))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: ssh_public_key:")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert cli(api, "user", "token", "admin", "--expires-in", "soon").exit_code == 2
    assert cli(api, "user", "create", "x", "--default-level", "root").exit_code == 2
    assert json.loads(cli(api, "user", "list", "--json").stdout)[-1]["name"] == "admin"


def test_passwd_reads_stdin_and_the_password_logs_in(api: Api) -> None:
    cli(api, "user", "create", "ann")
    assert cli(api, "user", "passwd", "ann", stdin="").exit_code == 2
    set_it = cli(api, "user", "passwd", "ann", stdin="correct horse\n")
    assert set_it.exit_code == 0, set_it.output
    assert "correct horse" not in set_it.stdout
    login = {"name": "ann", "password": "correct horse"}
    assert api.client.post("/api/v1/login", json=login).status_code == 200
    own = cli(api, "user", "token", "ann").stdout.split()[-1]
    changed = cli(api, "user", "passwd", "ann", token=own, stdin="correct horse\nbattery staple\n")
    assert changed.exit_code == 0, changed.output
    login["password"] = "battery staple"
    assert api.client.post("/api/v1/login", json=login).status_code == 200


def test_permission_set_and_list(api: Api) -> None:
    make_stack(api, "shop")
    cli(api, "user", "create", "ann")
    made = cli(api, "permission", "set", "shop", "ann", "--level", "deploy", "--ssh", "--sudo")
    assert made.exit_code == 0, made.output
    assert "deploy on stack shop (ssh yes, sudo yes)" in made.stdout
    cli(api, "permission", "set", "shop", "ann", "--level", "show", "--no-sudo")
    listed = json.loads(cli(api, "permission", "list", "shop", "--json").stdout)
    assert listed == [
        {"stack": "shop", "user": "ann", "level": "show", "allow_ssh": True, "allow_sudo": False}
    ]
    assert "ann" in cli(api, "permission", "list", "shop").stdout
    bad = cli(api, "permission", "set", "shop", "ann", "--level", "iam_only")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --level:")
    assert cli(api, "permission", "remove", "shop", "ann").exit_code == 0
    assert json.loads(cli(api, "permission", "list", "shop", "--json").stdout) == []


def test_the_old_token_commands_still_make_list_and_delete(api: Api) -> None:
    made = cli(api, "token", "create", "ci", "--role", "deploy")
    assert made.exit_code == 0, made.output
    token = made.stdout.split()[-1]
    assert cli(api, "stack", "list", token=token).exit_code == 0
    rows = json.loads(cli(api, "token", "list", "--json").stdout)
    assert [(r["name"], r["role"]) for r in rows] == [("admin", "admin"), ("ci", "deploy")]
    assert cli(api, "token", "create", "x", "--role", "user").exit_code == 2
    assert cli(api, "token", "delete", "ci").exit_code == 0
    assert cli(api, "stack", "list", token=token).exit_code == 1


def test_a_user_updates_only_their_own_ssh_key(api: Api, tmp_path: Path) -> None:
    key = tmp_path / "ann.pub"
    key.write_text(ED25519)
    cli(api, "user", "create", "ann", "--ssh-username", "ann", "--ssh-key", str(key))
    own = cli(api, "user", "token", "ann").stdout.split()[-1]
    cli(api, "user", "create", "bob")
    assert cli(api, "user", "update", "ann", "--ssh-key", str(key), token=own).exit_code == 0
    more = cli(api, "user", "update", "ann", "--ssh-username", "x", token=own)
    assert more.exit_code == 2 and more.stderr.startswith("error: --ssh-key:")
    other = cli(api, "user", "update", "bob", "--ssh-key", str(key), token=own)
    assert other.exit_code == 1 and "needs a server admin" in other.stderr


def test_login_with_a_user_and_password_saves_an_expiring_token(api: Api, tmp_path: Path) -> None:
    cli(api, "user", "create", "ann")
    cli(api, "user", "passwd", "ann", stdin="correct horse\n")
    config = tmp_path / "credentials.json"
    runtime = Runtime(
        transport=api.client._transport,
        console=Console(width=200, color_system=None, force_terminal=False),
        env={"STACKWORKS_CONFIG": str(config)},
    )
    args = ["login", "--url", "http://testserver", "--user", "ann"]
    wrong = CliRunner().invoke(app, args, obj=runtime, input="wrong horse\n")
    assert wrong.exit_code == 1 and wrong.stderr.strip() == "error: invalid name or password"
    assert not config.exists()
    done = CliRunner().invoke(app, args, obj=runtime, input="correct horse\n")
    assert done.exit_code == 0, done.output
    token = json.loads(config.read_text())["token"]
    assert "correct horse" not in config.read_text()
    assert json.loads(cli(api, "user", "whoami", "--json", token=token).stdout)["name"] == "ann"
    both = CliRunner().invoke(app, [*args, "--token", "t"], obj=runtime)
    assert both.exit_code == 2
