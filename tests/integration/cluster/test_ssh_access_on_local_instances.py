"""Issue 13 item 3 end to end, on real processes: the CLI gives a user SSH on a stack, the server
queues stackworks::ssh_users on its online instances, their agents run it, and the account,
key and sudoers entry appear (and go) inside each instance's root, never in the host's /etc.

An instance started later gets the users of that moment with its setup, not through a queued
execute_recipes.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.cluster import ServerProcess
from support.processes import wait_until
from support.ssh_keys import ed25519_key

pytestmark = pytest.mark.integration

SSH_RECIPE = "stackworks::ssh_users"
HOST_FILES = [Path("/etc/passwd"), Path("/etc/group"), Path("/etc/shadow")]
HOST_SUDOERS = Path("/etc/sudoers.d/stackworks-alice")
HOST_HOME = Path("/home/alice")


@pytest.fixture
def host_etc() -> Iterator[dict[Path, bytes | None]]:
    """The host's account files before the test; the test compares them after."""
    before = {path: path.read_bytes() if path.exists() else None for path in HOST_FILES}
    for path in (HOST_SUDOERS, HOST_HOME):
        assert not path.exists(), f"{path} exists already; this test could not judge the host"
    yield before


def cli(server: ServerProcess, *args: str, exit_code: int = 0) -> str:
    """`python -m stackworks ARGS` against the server, as an admin would type it; its output."""
    env = {**server.env, "STACKWORKS_URL": server.url, "STACKWORKS_TOKEN": server.token}
    done = subprocess.run(
        [sys.executable, "-m", "stackworks", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == exit_code, f"stackworks {' '.join(args)}: {output}"
    return output


def ssh_runs(server: ServerProcess, host: str) -> list[dict[str, Any]]:
    commands = server.call("GET", "/stacks/core/commands", expect=200)
    return [
        c
        for c in commands
        if c["instance"] == host
        and c["type"] == "execute_recipes"
        and c["run_list"] == [SSH_RECIPE]
    ]


def wait_for_ssh_run(server: ServerProcess, host: str, seen: int) -> None:
    """Wait until the instance has run its (seen+1)th ssh_users command, and it succeeded."""

    def ran() -> bool:
        runs = ssh_runs(server, host)
        return len(runs) > seen and all(c["status"] != "pending" for c in runs)

    wait_until(ran, 60, interval=0.2, what=f"{SSH_RECIPE} on {host}")
    server.wait_idle("core")
    last = ssh_runs(server, host)[-1]
    assert last["status"] == "successful", server.failure_logs("core")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def passwd_names(root: Path) -> list[str]:
    path = root / "etc" / "passwd"
    return [line.split(":")[0] for line in path.read_text().splitlines()] if path.exists() else []


def test_ssh_access_set_by_the_cli_reaches_instances_inside_their_roots_only(
    server: ServerProcess, host_etc: dict[Path, bytes | None], tmp_path: Path
) -> None:
    document = {
        "name": "core",
        "layers": [{"shortname": "app"}],
        "instances": [
            {"hostname": "app1", "layers": ["app"]},
            {"hostname": "app2", "layers": ["app"]},
        ],
    }
    server.call("PUT", "/stacks/core/document", document, expect=200)
    server.call("POST", "/stacks/core/instances/app1/start", expect=200)
    server.wait_for_status("core", ["app1"], "online")
    server.wait_idle("core")
    root = Path(server.instances("core")["app1"]["root_dir"])
    assert passwd_names(root) == [], "no ssh users yet"

    key = ed25519_key("alice@laptop", seed=7)
    key_file = tmp_path / "alice.pub"
    key_file.write_text(key + "\n")
    cli(server, "user", "create", "alice", "--ssh-username", "alice", "--ssh-key", str(key_file))
    cli(server, "permission", "set", "core", "alice", "--level", "show", "--ssh")
    wait_for_ssh_run(server, "app1", seen=0)

    home = root / "home" / "alice"
    assert passwd_names(root) == ["alice"]
    assert (home / ".ssh" / "authorized_keys").read_text() == key + "\n"
    assert mode(home / ".ssh") == 0o700
    assert mode(home / ".ssh" / "authorized_keys") == 0o600
    sudoers = root / "etc" / "sudoers.d" / "stackworks-alice"
    assert not sudoers.exists()

    cli(server, "permission", "set", "core", "alice", "--level", "show", "--sudo")
    wait_for_ssh_run(server, "app1", seen=1)
    assert "alice ALL=(ALL:ALL) NOPASSWD: ALL" in sudoers.read_text()
    assert mode(sudoers) == 0o440
    visudo = shutil.which("visudo") or shutil.which("visudo", path="/usr/sbin:/sbin")
    assert visudo, "scripts/bootstrap installs sudo, whose visudo checks the entry"
    checked = subprocess.run([visudo, "-cf", str(sudoers)], capture_output=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # a later instance gets the users of that moment with its setup, not with a queued command
    server.call("POST", "/stacks/core/instances/app2/start", expect=200)
    server.wait_for_status("core", ["app2"], "online")
    server.wait_idle("core")
    root2 = Path(server.instances("core")["app2"]["root_dir"])
    assert ssh_runs(server, "app2") == []
    assert passwd_names(root2) == ["alice"]
    assert (root2 / "home" / "alice" / ".ssh" / "authorized_keys").read_text() == key + "\n"
    assert (root2 / "etc" / "sudoers.d" / "stackworks-alice").exists()

    # a new key (the admin's `user update`) replaces the old one on both
    new_key = ed25519_key("alice@desktop", seed=8)
    key_file.write_text(new_key + "\n")
    cli(server, "user", "update", "alice", "--ssh-key", str(key_file))
    wait_for_ssh_run(server, "app1", seen=2)
    wait_for_ssh_run(server, "app2", seen=0)
    for instance_root in (root, root2):
        keys = instance_root / "home" / "alice" / ".ssh" / "authorized_keys"
        assert keys.read_text() == new_key + "\n"

    cli(server, "permission", "set", "core", "alice", "--level", "show", "--no-ssh")
    wait_for_ssh_run(server, "app1", seen=3)
    wait_for_ssh_run(server, "app2", seen=1)
    for instance_root in (root, root2):
        assert passwd_names(instance_root) == []
        assert not (instance_root / "home" / "alice").exists()
        assert not (instance_root / "etc" / "sudoers.d" / "stackworks-alice").exists()

    # a name the recipe would refuse on every instance is refused by the server, before it is
    # stored (else each setup and configure of the stack would fail on it)
    refused = cli(
        server,
        "user",
        "create",
        "bob",
        "--ssh-username",
        "postgres",
        "--ssh-key",
        str(key_file),
        exit_code=1,
    )
    assert "ssh_username" in refused and "reserved" in refused, refused

    for path, content in host_etc.items():
        assert (path.read_bytes() if path.exists() else None) == content, f"{path} changed"
    assert not HOST_SUDOERS.exists()
    assert not HOST_HOME.exists()
