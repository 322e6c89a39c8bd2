"""Issue 16's must-show for the control plane, on real processes: two `stackworks server`
replicas on one PostgreSQL behind HAProxy (the configuration of docs/high-availability.md),
three local instances whose agents reach the replicas through HAProxy only.

A deployment runs on the three; the replica running the orchestrator is killed with SIGKILL
while the commands run. The other replica takes the lead in the next epoch, the deployment
completes, each instance ran its command exactly once, no instance was taken for lost, and the
new leader carries out provider work (a stop) afterwards.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from support.cluster import ServerProcess
from support.control_plane import ControlPlaneProxy
from support.postgres import PostgresServer
from support.processes import free_port, wait_until

# about 110 s on 2 busy cores: three local instances, two replicas, a PostgreSQL and HAProxy
pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.timeout(420)]

PROBE_COOKBOOKS = Path(__file__).parent / "cookbooks"
HOSTS = ["app1", "app2", "app3"]
COMMAND_SECONDS = 8


@dataclass
class ControlPlane:
    replicas: dict[str, ServerProcess]
    proxy: ControlPlaneProxy
    client: httpx.Client  # the admin's, through HAProxy

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        answer = self.client.request(method, path, json=body)
        assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def statuses(self) -> dict[str, str]:
        return {i["hostname"]: i["status"] for i in self.call("GET", "/stacks/core/instances")}


def health(replica: ServerProcess) -> dict[str, Any]:
    return dict(replica.call("GET", "/health", expect=200))


@pytest.fixture
def plane(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[ControlPlane]:
    database = postgres_server.create_database()
    data_dir = tmp_path / "d"  # short: the instances' unix sockets live under it
    proxy_port = free_port()
    env = {"STACKWORKS_SECRET_KEY": Fernet.generate_key().decode()}
    replicas = {
        name: ServerProcess(
            data_dir,
            env=env,
            args=(
                "--database-url",
                postgres_server.url(database),
                "--replica-name",
                name,
                "--agent-url",
                f"http://127.0.0.1:{proxy_port}",
            ),
            log_name=f"{name}.log",
        )
        for name in ("replica-a", "replica-b")
    }
    a, b = replicas["replica-a"], replicas["replica-b"]
    proxy = ControlPlaneProxy(tmp_path / "haproxy", (a.port, b.port), port=proxy_port)
    client: httpx.Client | None = None
    try:
        a.start()  # the first migrates and makes the admin; the second finds both done
        b.start()
        proxy.start()
        client = httpx.Client(
            base_url=f"{proxy.url}/api/v1",
            timeout=30,
            headers={"Authorization": f"Bearer {a.token}"},
        )
        yield ControlPlane(replicas, proxy, client)
    finally:
        for replica in replicas.values():
            replica.stop()  # both first: no auto-healing restarts what is being stopped
        proxy.stop()
        a.close()  # stops every instance under the shared data dir
        b.client.close()
        if client is not None:
            client.close()
        postgres_server.drop_database(database)


def make_stack(plane: ControlPlane) -> None:
    recipes = {"setup": ["probe::record"], "configure": ["probe::record"]}
    document = {
        "name": "core",
        "cookbook_sources": [{"type": "path", "url": str(PROBE_COOKBOOKS)}],
        "layers": [{"shortname": "app", "recipes": recipes}],
        "instances": [{"hostname": host, "layers": ["app"]} for host in HOSTS],
    }
    plane.call("PUT", "/stacks/core/document", document)


def runs_of(root: str) -> list[str]:
    """The command ids `probe::tally` recorded on an instance, one line a run."""
    path = Path(root, "var", "probe", "runs.log")
    return path.read_text().split() if path.exists() else []


def test_killing_the_leader_mid_deployment_hands_over_and_loses_or_repeats_nothing(
    plane: ControlPlane,
) -> None:
    make_stack(plane)
    for host in HOSTS:
        plane.call("POST", f"/stacks/core/instances/{host}/start")
    wait_until(
        lambda: set(plane.statuses().values()) == {"online"},
        240,
        interval=0.5,
        what="the three instances online",
    )
    wait_until(
        lambda: all(c["status"] != "pending" for c in plane.call("GET", "/stacks/core/commands")),
        120,
        what="the configures to finish",
    )
    before = health(plane.replicas["replica-a"])
    leader_name = before["leader"]
    (follower_name,) = set(plane.replicas) - {leader_name}
    leader, follower = plane.replicas[leader_name], plane.replicas[follower_name]
    assert health(leader)["leading"] and not health(follower)["leading"]
    for instance in plane.call("GET", "/stacks/core/instances"):  # agents call HAProxy only
        config = json.loads(Path(instance["root_dir"], "agent", "agent.json").read_text())
        assert config["server_url"] == plane.proxy.url

    deployment = plane.call(
        "POST",
        "/stacks/core/deployments",
        {
            "command": {"name": "execute_recipes", "args": {"recipes": ["probe::tally"]}},
            "custom_json": {"probe": {"seconds": COMMAND_SECONDS}},
            "comment": "across a failover",
        },
        expect=201,
    )

    def running_everywhere() -> bool:
        shown = plane.call("GET", f"/stacks/core/deployments/{deployment['id']}")
        return len(shown["commands"]) == 3 and all(c["acknowledged_at"] for c in shown["commands"])

    wait_until(running_everywhere, 60, interval=0.1, what="the commands to run on every instance")
    assert leader.process is not None
    killed_at = time.time()
    os.kill(leader.process.pid, signal.SIGKILL)
    leader.process.wait(timeout=10)

    def took_over() -> bool:
        shown = health(follower)
        return bool(shown["leading"] and shown["orchestrating_since"])

    wait_until(took_over, 30, interval=0.05, what=f"{follower_name} to take the lead")
    after = health(follower)
    first_pass = datetime.fromisoformat(after["orchestrating_since"]).timestamp()
    print(f"takeover: {first_pass - killed_at:.2f} s from kill -9 to the first pass")
    assert (after["leader"], after["epoch"]) == (follower_name, before["epoch"] + 1)
    shown_by_cli = subprocess.run(
        [sys.executable, "-m", "stackworks", "server", "status"],
        env={**os.environ, "STACKWORKS_URL": plane.proxy.url, "STACKWORKS_TOKEN": leader.token},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert re.search(rf"orchestrator\s+{follower_name}", shown_by_cli), shown_by_cli

    def finished() -> dict[str, Any] | None:
        shown = plane.call("GET", f"/stacks/core/deployments/{deployment['id']}")
        return shown if shown["status"] != "running" else None

    wait_until(finished, 120, interval=0.2, what="the deployment to finish")
    shown = plane.call("GET", f"/stacks/core/deployments/{deployment['id']}")
    assert shown["status"] == "successful", shown
    commands = shown["commands"]
    assert sorted(c["instance"] for c in commands) == HOSTS
    assert {c["status"] for c in commands} == {"successful"}

    instances = {i["hostname"]: i for i in plane.call("GET", "/stacks/core/instances")}
    for command in commands:  # each ran exactly once, where it was sent
        assert runs_of(instances[command["instance"]]["root_dir"]) == [command["id"]]
    assert set(plane.statuses().values()) == {"online"}
    events = plane.call("GET", "/stacks/core/events?limit=1000")
    assert not [e for e in events if "lost its connection" in e["message"]]

    # the new leader does the orchestrator's provider work: a stop runs its course
    plane.call("POST", "/stacks/core/instances/app3/stop")
    wait_until(
        lambda: plane.statuses()["app3"] == "stopped", 120, interval=0.5, what="app3 stopped"
    )
    assert health(follower)["leading"]
