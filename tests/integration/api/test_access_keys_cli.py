"""`stackworks user access-key ...` against the real API in-process: the secret printed once,
never listed; one's own keys for anyone, anyone's for a server admin only."""

from __future__ import annotations

import json

from stackworks.domain.access_keys import is_key_id
from support.api_harness import Api, make_user

from .test_users_cli import cli


def test_create_prints_the_id_and_secret_once_and_list_never_shows_the_secret(api: Api) -> None:
    made = cli(api, "user", "access-key", "create", "admin")
    assert made.exit_code == 0, made.output
    key_id = made.stdout.split("aws_access_key_id")[1].split()[0]
    secret = made.stdout.split()[-1]
    assert is_key_id(key_id) and len(secret) == 40

    listed = cli(api, "user", "access-key", "list", "admin")
    as_json = cli(api, "user", "access-key", "list", "admin", "--json")
    assert key_id in listed.stdout and "Active" in listed.stdout
    assert secret not in listed.stdout and secret not in as_json.stdout
    rows = json.loads(as_json.stdout)
    assert [(r["access_key_id"], r["status"], r["user"]) for r in rows] == [
        (key_id, "Active", "admin")
    ]

    assert cli(api, "user", "access-key", "deactivate", "admin", key_id).exit_code == 0
    after = json.loads(cli(api, "user", "access-key", "list", "admin", "--json").stdout)
    assert after[0]["status"] == "Inactive"
    assert cli(api, "user", "access-key", "delete", "admin", key_id).exit_code == 0
    assert json.loads(cli(api, "user", "access-key", "list", "admin", "--json").stdout) == []


def test_a_user_manages_their_own_keys_but_not_another_users(api: Api) -> None:
    token = make_user(api, "ann")
    make_user(api, "bob")
    own = cli(api, "user", "access-key", "create", "ann", token=token)
    assert own.exit_code == 0, own.output
    refused = cli(api, "user", "access-key", "create", "bob", token=token)
    assert refused.exit_code == 1
    assert "server admin" in refused.stderr
    # a server admin manages anyone's
    theirs = json.loads(cli(api, "user", "access-key", "list", "ann", "--json").stdout)
    assert len(theirs) == 1 and theirs[0]["user"] == "ann"


def test_a_user_holds_two_keys_at_most_so_that_rotating_is_possible_but_hoarding_is_not(
    api: Api,
) -> None:
    for _ in range(2):
        assert cli(api, "user", "access-key", "create", "admin").exit_code == 0
    third = cli(api, "user", "access-key", "create", "admin")
    assert third.exit_code == 1
    assert "already has 2 access keys" in third.stderr
