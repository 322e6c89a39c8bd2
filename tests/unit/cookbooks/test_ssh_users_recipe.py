"""stackworks::ssh_users declared on no host: accounts, keys and sudo inside a local instance's
root or as real accounts on a host; only accounts it made are removed; bad entries refused."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.stackworks import managed_users
from stackworks.cookbooks.stackworks.recipes import ssh_users as recipe_module
from stackworks.domain.errors import InvalidInput
from stackworks.domain.ssh_access import check_public_key, check_ssh_username
from stackworks.testing import RecipeFailed, StackBuilder
from stackworks.testing import run_recipe as run
from support.ssh_keys import ed25519_key

ALICE = {"username": "alice", "public_key": ed25519_key(), "sudo": True}
BOB = {"username": "bob", "public_key": ed25519_key("bob@x", seed=2), "sudo": False}


def _config(users: list[dict[str, Any]], root: Path | None = None) -> dict[str, Any]:
    return (
        StackBuilder("shop", root=root)
        .layer("app", type="python-app")
        .instance("app1", ["app"], me=True)
        .ssh_users(users)
        .build()
    )


def test_on_a_local_instance_everything_stays_inside_its_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    declared = run("stackworks::ssh_users", _config([ALICE, BOB], root))
    for resource in declared:
        assert resource.name.startswith(str(root)), resource.name
    assert not declared.all("user")  # no real accounts on the host
    keys = declared.find("file", "home/alice/.ssh/authorized_keys")
    assert keys.properties["content"] == ALICE["public_key"] + "\n"
    assert keys.properties["mode"] == 0o600
    assert declared.find("directory", "home/alice/.ssh").properties["mode"] == 0o700
    sudoers = declared.find("file", "etc/sudoers.d/stackworks-alice")
    assert sudoers.properties["content"].endswith("alice ALL=(ALL:ALL) NOPASSWD: ALL\n")
    assert sudoers.properties["mode"] == 0o440
    assert sudoers.properties["verify"][-2:] == ["-cf", "{path}"]
    assert declared.find("file", "etc/sudoers.d/stackworks-bob").properties["action"] == ("delete",)
    passwd = declared.find("file", "etc/passwd").properties["content"]
    assert passwd.splitlines() == [
        f"alice:x:2000:2000:stackworks ssh user:{root}/home/alice:/bin/bash",
        f"bob:x:2001:2001:stackworks ssh user:{root}/home/bob:/bin/bash",
    ]


def test_the_state_lists_new_accounts_before_and_only_the_wanted_ones_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    monkeypatch.setattr(managed_users, "read_state", lambda _path: {"bob": 2000, "carol": 2001})
    declared = run("stackworks::ssh_users", _config([ALICE, BOB], root))
    states = [r for r in declared.all("file") if r.name.endswith("ssh_users.json")]
    first, last = (s.properties["content"] for s in states)
    assert '"alice"' in first and '"carol"' in first  # made and still to remove: both known
    assert '"alice"' in last and '"carol"' not in last
    assert '"uid": 2002' in last  # alice is new: the next uid; bob keeps his
    assert declared.find("directory", "home/carol").properties["action"] == ("delete",)
    assert declared.find("file", "etc/sudoers.d/stackworks-carol").properties["action"] == (
        "delete",
    )
    assert "carol" not in declared.find("file", "etc/passwd").properties["content"]


def test_on_a_host_accounts_are_real_and_owned_by_their_users(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(managed_users, "read_state", lambda _path: {"olduser": 2000})
    declared = run("stackworks::ssh_users", _config([ALICE]))
    created = declared.find("user", "alice")
    assert created.properties["home"] == "/home/alice"
    assert created.properties["shell"] == "/bin/bash"
    keys = declared.find("file", "/home/alice/.ssh/authorized_keys")
    assert (keys.properties["owner"], keys.properties["group"]) == ("alice", "alice")
    assert declared.find("file", "/etc/sudoers.d/stackworks-alice").properties["mode"] == 0o440
    assert declared.find("user", "olduser").properties["action"] == ("remove",)
    assert declared.find("directory", "/home/olduser/.ssh").properties["action"] == ("delete",)
    assert not [r for r in declared if r.name == "/etc/passwd"]


def test_on_a_host_an_account_it_did_not_create_is_not_taken_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(managed_users, "read_state", lambda _path: {})
    monkeypatch.setattr(recipe_module.pwd, "getpwnam", lambda name: object())
    with pytest.raises(RecipeFailed, match=r"ssh_users\[0\]\.username: 'alice' is an account"):
        run("stackworks::ssh_users", _config([ALICE]))


def test_no_ssh_users_removes_every_managed_account_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(managed_users, "read_state", lambda _path: {"bob": 2000})
    config = _config([], tmp_path)
    del config["ssh_users"]
    declared = run("stackworks::ssh_users", config)
    deleted = [r.name for r in declared if "delete" in r.properties.get("action", ())]
    assert deleted == [
        f"{tmp_path}/etc/sudoers.d/stackworks-bob",
        f"{tmp_path}/home/bob",
    ]


KEY = ed25519_key()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"username": "../etc", "public_key": KEY}, r"ssh_users\[0\]\.username: '\.\./etc'"),
        ({"username": "-oroot", "public_key": KEY}, r"\[0\]\.username: '-oroot' is not"),
        ({"username": "Alice", "public_key": KEY}, r"\[0\]\.username"),
        ({"username": "root", "public_key": KEY}, "is a system account"),
        ({"username": "a" * 33, "public_key": KEY}, r"\[0\]\.username"),
        ({"username": "alice\n", "public_key": KEY}, r"\[0\]\.username: 'alice\\n' is not"),
        ({"username": "eve", "public_key": KEY + "\nssh-rsa AAAA x"}, "single line"),
        ({"username": "eve", "public_key": f'command="sh" {KEY}'}, "options are not allowed"),
        ({"username": "eve", "public_key": "ssh-ed25519 not-base64!"}, "not a valid base64"),
        ({"username": "eve", "public_key": "ssh-rsa " + KEY.split()[1]}, "not a valid base64"),
        ({"username": "eve", "public_key": ""}, r"\[0\]\.public_key: required"),
        ({"username": "eve", "public_key": KEY, "sudo": "yes"}, r"\[0\]\.sudo"),
        ({"username": "eve", "public_key": KEY, "shell": "/bin/sh"}, "unknown field 'shell'"),
    ],
)
def test_bad_entries_fail_the_recipe_naming_the_field(
    tmp_path: Path, entry: dict[str, Any], message: str
) -> None:
    with pytest.raises(RecipeFailed, match=message):
        run("stackworks::ssh_users", _config([entry], tmp_path))


def test_a_username_listed_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecipeFailed, match=r"ssh_users\[1\]\.username: 'alice' is listed twice"):
        run("stackworks::ssh_users", _config([ALICE, ALICE], tmp_path))


@pytest.mark.parametrize("name", ["postgres", "haproxy", "_apt", "games", "stackworks"])
def test_a_name_the_recipe_will_not_manage_is_refused_by_the_server_first(
    tmp_path: Path, name: str
) -> None:
    """Else the API would store it and this recipe, first in every setup and configure, would
    fail each of them on every instance of the user's SSH stacks."""
    with pytest.raises(RecipeFailed, match="system account"):
        run("stackworks::ssh_users", _config([{"username": name, "public_key": KEY}], tmp_path))
    with pytest.raises(InvalidInput, match="reserved"):
        check_ssh_username(name)


def test_a_certificate_key_the_server_accepts_lands_in_authorized_keys(tmp_path: Path) -> None:
    cert_type = "ssh-ed25519-cert-v01@openssh.com"
    blob = b"".join(len(p).to_bytes(4, "big") + p for p in (cert_type.encode(), bytes(32)))
    key = check_public_key(f"{cert_type} {base64.b64encode(blob).decode()} ann@ci")
    declared = run("stackworks::ssh_users", _config([{"username": "ann", "public_key": key}]))
    keys = declared.find("file", "home/ann/.ssh/authorized_keys")
    assert keys.properties["content"] == key + "\n"
