"""Credentials: `login` writes a private file; the environment wins over it, field by field."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from cli_harness import Invoke
from fake_api import TOKEN, FakeApi

from stackworks.cli import credentials


def test_login_writes_a_file_only_its_owner_can_read(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "conf" / "credentials.json"
    result = cli(
        "login", "--url", "http://127.0.0.1:8700/", "--token", "s3cret",
        env={"STACKWORKS_CONFIG": str(path)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"url": "http://127.0.0.1:8700", "token": "s3cret"}
    assert "s3cret" not in result.output


def test_login_over_an_old_file_keeps_mode_0600(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("{}")
    path.chmod(0o644)
    result = cli(
        "login", "--url", "http://h:1", "--token", "t", env={"STACKWORKS_CONFIG": str(path)}
    )
    assert result.exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_login_rejects_a_url_without_scheme(cli: Invoke, tmp_path: Path) -> None:
    env = {"STACKWORKS_CONFIG": str(tmp_path / "c.json")}
    result = cli("login", "--url", "127.0.0.1:8700", "--token", "t", env=env)
    assert result.exit_code == 2
    assert "--url" in result.stderr
    assert not (tmp_path / "c.json").exists()


def test_commands_use_the_file_written_by_login(cli: Invoke, tmp_path: Path) -> None:
    env = {"STACKWORKS_CONFIG": str(tmp_path / "c.json")}
    assert cli("login", "--url", "http://h:1", "--token", TOKEN, env=env).exit_code == 0
    result = cli("stack", "list", "--json", env=env)
    assert result.exit_code == 0, result.output
    assert [s["name"] for s in json.loads(result.stdout)] == ["shop"]


def test_environment_token_wins_over_the_file(cli: Invoke, api: FakeApi, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    credentials.save(path, credentials.Credentials(url="http://h:1", token="stale"))
    env = {"STACKWORKS_CONFIG": str(path), "STACKWORKS_TOKEN": TOKEN}
    result = cli("stack", "list", env=env)
    assert result.exit_code == 0, result.output
    assert api.requests[-1][1] == "/api/v1/stacks"


def test_environment_url_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    credentials.save(path, credentials.Credentials(url="http://file:1", token="from-file"))
    found = credentials.load({"STACKWORKS_CONFIG": str(path), "STACKWORKS_URL": "http://env:2"})
    assert (found.url, found.token) == ("http://env:2", "from-file")


def test_missing_credentials_say_how_to_log_in_and_exit_2(cli: Invoke, tmp_path: Path) -> None:
    result = cli("stack", "list", env={"STACKWORKS_CONFIG": str(tmp_path / "none.json")})
    assert result.exit_code == 2
    assert "stackworks login --url URL --token TOKEN" in result.stderr


def test_a_corrupt_credentials_file_names_the_file(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"url": ')
    result = cli("stack", "list", env={"STACKWORKS_CONFIG": str(path)})
    assert result.exit_code == 2
    assert str(path) in result.stderr and "not valid JSON" in result.stderr


def test_a_wrong_token_is_reported_as_the_api_says(cli: Invoke) -> None:
    result = cli("stack", "list", env={"STACKWORKS_URL": "http://h:1", "STACKWORKS_TOKEN": "bad"})
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: invalid or missing API token"


def test_credentials_repr_hides_the_token() -> None:
    assert "s3cret" not in repr(credentials.Credentials(url="http://h:1", token="s3cret"))


def test_login_keeps_the_ca_file_given_before_it_and_the_environment_overrides_it(
    cli: Invoke, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("(a PEM file)\n")
    path = tmp_path / "c.json"
    result = cli(
        "--ca-file", str(ca), "login", "--url", "https://h:1", "--token", "t",
        env={"STACKWORKS_CONFIG": str(path)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["ca_file"] == str(ca.resolve())
    assert credentials.load({"STACKWORKS_CONFIG": str(path)}).ca_file == ca.resolve()
    other = {"STACKWORKS_CONFIG": str(path), "STACKWORKS_CA_FILE": "/etc/other.pem"}
    assert credentials.load(other).ca_file == Path("/etc/other.pem")


def test_a_missing_ca_file_is_refused_naming_the_option(cli: Invoke, tmp_path: Path) -> None:
    env = {"STACKWORKS_URL": "https://h:1", "STACKWORKS_TOKEN": "t"}
    result = cli("--ca-file", str(tmp_path / "none.pem"), "stack", "list", env=env)
    assert result.exit_code == 2
    assert (
        result.stderr == f"error: --ca-file: {tmp_path / 'none.pem'}: the CA file does not exist\n"
    )
