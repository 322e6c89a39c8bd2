"""stackworks::ssh_users converging for real on a local instance's tree: accounts, keys and
sudoers (checked by the real visudo when it is installed) inside the root, a second run that
changes nothing, then a user gone and another's sudo flipped; the host's /etc never touched."""

from __future__ import annotations

import json
import os
import pwd
import stat
from pathlib import Path
from typing import Any

import pytest

from integration.cookbooks.cookbook_instances import COOKBOOKS
from stackworks.converge import run_recipes
from stackworks.testing import StackBuilder
from support.ssh_keys import ed25519_key

pytestmark = pytest.mark.integration

ANN = {"username": "sw_ann", "public_key": ed25519_key("ann@x", seed=3), "sudo": True}
BEN = {"username": "sw_ben", "public_key": ed25519_key("ben@x", seed=4), "sudo": False}


def _converge(root: Path, users: list[dict[str, Any]]) -> list[str]:
    config = (
        StackBuilder("shop", root=root)
        .layer("app", type="python-app")
        .instance("app1", ["app"], me=True)
        .ssh_users(users)
        .build()
    )
    lines: list[str] = []
    report = run_recipes(
        ["stackworks::ssh_users"], config, cookbook_paths=[COOKBOOKS], log=lines.append
    )
    assert report.ok, f"{report.error}\n" + "\n".join(lines)
    return [r.status for r in report.resources]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ssh_users_converge_inside_the_root_and_follow_changes(tmp_path: Path) -> None:
    root = tmp_path / "app1"
    (root / "etc").mkdir(parents=True)
    _converge(root, [ANN, BEN])
    keys = root / "home/sw_ann/.ssh/authorized_keys"
    assert keys.read_text() == ANN["public_key"] + "\n"
    assert _mode(keys) == 0o600 and _mode(keys.parent) == 0o700
    ann_sudo = root / "etc/sudoers.d/stackworks-sw_ann"
    assert _mode(ann_sudo) == 0o440 and "sw_ann ALL=" in ann_sudo.read_text()
    assert not (root / "etc/sudoers.d/stackworks-sw_ben").exists()
    passwd = (root / "etc/passwd").read_text()
    assert [line.split(":")[0] for line in passwd.splitlines()] == ["sw_ann", "sw_ben"]
    state = json.loads((root / "var/stackworks/ssh_users.json").read_text())
    assert sorted(state["users"]) == ["sw_ann", "sw_ben"]

    assert set(_converge(root, [ANN, BEN])) == {"unchanged"}

    (root / "home/sw_stranger").mkdir()  # not made by the recipe: never removed
    _converge(root, [{**BEN, "sudo": True}])
    assert not (root / "home/sw_ann").exists()
    assert not ann_sudo.exists()
    assert "sw_ben ALL=" in (root / "etc/sudoers.d/stackworks-sw_ben").read_text()
    assert [line.split(":")[0] for line in (root / "etc/passwd").read_text().splitlines()] == [
        "sw_ben"
    ]
    assert (root / "home/sw_stranger").is_dir()
    state = json.loads((root / "var/stackworks/ssh_users.json").read_text())
    assert list(state["users"]) == ["sw_ben"]
    assert set(_converge(root, [{**BEN, "sudo": True}])) == {"unchanged"}

    for name in ("sw_ann", "sw_ben"):  # the host got nothing
        assert not os.path.exists(f"/etc/sudoers.d/stackworks-{name}")
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
