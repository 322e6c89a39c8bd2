"""The migration path end to end: `stackworks user access-key create` against a real server
prints a key, and the real boto3 client signs with it unchanged; the secret is nowhere else."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from support.cluster import ServerProcess
from support.opsworks import opsworks_client

pytestmark = pytest.mark.integration


def stackworks(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stackworks", *args],
        env={
            **os.environ,
            "NO_COLOR": "1",
            "STACKWORKS_URL": server.url,
            "STACKWORKS_TOKEN": server.token,
        },
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_key_the_cli_prints_signs_boto3_calls_and_its_secret_is_shown_only_once(
    server: ServerProcess,
) -> None:
    made = stackworks(server, "user", "access-key", "create", "admin")
    assert made.returncode == 0, made.stderr
    key_id = made.stdout.split("aws_access_key_id")[1].split()[0]
    secret = made.stdout.split()[-1]

    client = opsworks_client(server, (key_id, secret))
    assert isinstance(client.describe_stacks()["Stacks"], list)

    listed = stackworks(server, "user", "access-key", "list", "admin", "--json")
    assert key_id in listed.stdout and secret not in listed.stdout
    audit = server.call("GET", "/audit", expect=200)
    assert secret not in str(audit)
    assert secret not in (server.data_dir / "server.log").read_text()
    assert secret.encode() not in b"".join(
        path.read_bytes() for path in server.data_dir.glob("stackworks.db*")
    )  # sealed with the server key, in the database and its WAL alike

    assert stackworks(server, "user", "access-key", "delete", "admin", key_id).returncode == 0
