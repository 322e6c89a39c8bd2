"""The ssh provider on three namespace hosts (tests/support/netns_hosts.py), through a real server.

The server listens on the hosts' bridge; lb1 is a local instance whose HAProxy reaches the app
on the hosts through the bridge. The hosts are brought up over SSH (agent installed from the
server's wheels), serve the sample app behind HAProxy, take a rolling deploy under steady load
without a failed request, and one whose link goes down is detected as lost. A host whose key
changed is refused until a user accepts the new key.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.cluster import ServerProcess
from support.netns_hosts import NetnsHosts
from support.processes import wait_until
from support.sample_stack import LB_PORT, answering_hosts, roll_under_load, web_document
from support.web import get, sample_repository

# bringing three hosts up over ssh takes about three minutes on 2 busy cores
pytestmark = [pytest.mark.integration, pytest.mark.ssh_hosts, pytest.mark.timeout(900)]

APP_HOSTS = ["app1", "app2", "app3"]


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[NetnsHosts]:
    with NetnsHosts(tmp_path / "hosts", 3) as made:
        yield made


@pytest.fixture
def server(tmp_path: Path, hosts: NetnsHosts) -> Iterator[ServerProcess]:
    # ended before the hosts (fixture order): its healing must not start what they end
    process = ServerProcess(
        tmp_path / "d",
        host=hosts.server_address,
        env={"STACKWORKS_HEARTBEAT_TIMEOUT": "6"},
    )
    process.start()
    try:
        yield process
    finally:
        process.close()


def ssh_instance(server: ServerProcess, hosts: NetnsHosts, hostname: str, n: int) -> dict[str, Any]:
    body = {
        "hostname": hostname,
        "layers": ["app"],
        "provider": "ssh",
        "ssh_target": hosts.hosts[n].target,
        "ssh_key": hosts.client_key.read_text(),
    }
    return dict(server.call("POST", "/stacks/web/instances", body, expect=201))


def apply_stack(server: ServerProcess, hosts: NetnsHosts, repo: Path) -> str:
    document = web_document(repo, [{"hostname": "lb1", "layers": ["lb"]}])
    server.call("PUT", "/stacks/web/document", document, expect=200)
    for n, hostname in enumerate(APP_HOSTS):
        ssh_instance(server, hosts, hostname, n)
    for hostname in ["lb1", *APP_HOSTS]:
        server.call("POST", f"/stacks/web/instances/{hostname}/start", expect=200)
    server.wait_for_status("web", ["lb1", *APP_HOSTS], "online", timeout=420)
    server.wait_idle("web", timeout=180)
    url = f"http://{server.instances('web')['lb1']['private_ip']}:{LB_PORT}/"
    wait_until(lambda: get(url)[0] == 200, 30, interval=0.2, what="the app behind HAProxy")
    return url


def test_three_ssh_hosts_serve_the_app_behind_haproxy_roll_without_a_failure_and_a_cut_host_is_lost(
    server: ServerProcess, hosts: NetnsHosts, tmp_path: Path
) -> None:
    repo = sample_repository(tmp_path / "sample")
    began = time.monotonic()
    url = apply_stack(server, hosts, repo)
    print(f"\nfour instances online (three over ssh) in {time.monotonic() - began:.1f} s")

    shown = server.instances("web")
    for n, hostname in enumerate(APP_HOSTS):
        host = hosts.hosts[n]
        assert shown[hostname]["provider"] == "ssh"
        assert shown[hostname]["private_ip"] == host.address
        assert shown[hostname]["ssh_target"] == host.target
        assert shown[hostname]["ssh_host_key"] == host.fingerprint()  # pinned on first use
        assert "ssh_key" not in shown[hostname]
        # each host has its own agent under its own /opt/stackworks, nothing on this machine's
        assert (host.directory / "opt" / "instance" / "agent" / "agent.json").exists()
    assert not any(Path("/opt/stackworks").iterdir())
    assert answering_hosts(url) == set(APP_HOSTS)
    key_text = hosts.client_key.read_text().strip().splitlines()[1]
    assert key_text not in server.log_tail(10_000)
    assert key_text not in str(server.call("GET", "/stacks/web/instances", expect=200))

    roll_under_load(server, url, repo, set(APP_HOSTS))

    hosts.hosts[2].link_down()
    cut = time.monotonic()

    def lost() -> bool:
        return any(
            e["instance"] == "app3" and "lost its connection" in str(e["message"])
            for e in server.events("web")
        )

    wait_until(lost, 60, interval=0.5, what="app3 to be lost")
    print(f"app3 lost {time.monotonic() - cut:.1f} s after its link went down")
    statuses = [e["message"] for e in server.events("web") if e["instance"] == "app3"]
    assert any("connection_lost" in m or "lost its connection" in m for m in statuses)


def test_a_host_whose_key_changed_is_refused_until_the_new_key_is_accepted(
    server: ServerProcess, hosts: NetnsHosts, tmp_path: Path
) -> None:
    repo = sample_repository(tmp_path / "sample")
    document = web_document(repo, [])
    server.call("PUT", "/stacks/web/document", document, expect=200)
    ssh_instance(server, hosts, "app1", 0)
    host = hosts.hosts[0]
    first = host.fingerprint()
    began = time.monotonic()
    server.call("POST", "/stacks/web/instances/app1/start", expect=200)
    server.wait_for_status("web", ["app1"], "online", timeout=300)
    print(f"\napp1 online over ssh in {time.monotonic() - began:.1f} s from `instance start`")
    assert server.instances("web")["app1"]["ssh_host_key"] == first
    server.call("POST", "/stacks/web/instances/app1/stop", expect=200)
    server.wait_for_status("web", ["app1"], "stopped", timeout=120)

    second = hosts.restart_with_new_host_key(host)
    assert second != first
    server.call("POST", "/stacks/web/instances/app1/start", expect=200)
    server.wait_for_status("web", ["app1"], "start_failed", timeout=120)
    reason = server.instances("web")["app1"]["status_reason"]
    assert "host key" in reason and host.address in reason, reason
    assert first in reason and second in reason, reason
    assert "accept-host-key" in reason
    assert not (host.directory / "opt" / "instance" / "run" / "supervisord.pid").exists()

    # a wrong fingerprint is refused at the door; the right one lets the next start through
    bad = server.client.post(
        "/stacks/web/instances/app1/ssh-host-key", json={"fingerprint": "MD5:00"}
    )
    assert bad.status_code == 422
    server.call(
        "POST", "/stacks/web/instances/app1/ssh-host-key", {"fingerprint": second}, expect=200
    )
    server.call("POST", "/stacks/web/instances/app1/start", expect=200)
    server.wait_for_status("web", ["app1"], "online", timeout=300)
    assert server.instances("web")["app1"]["ssh_host_key"] == second

    # delete removes what the provider installed on the host
    server.call("POST", "/stacks/web/instances/app1/stop", expect=200)
    server.wait_for_status("web", ["app1"], "stopped", timeout=120)
    server.call("DELETE", "/stacks/web/instances/app1", expect=202)
    wait_until(lambda: "app1" not in server.instances("web"), 120, interval=0.5, what="deleted")
    assert list((host.directory / "opt").iterdir()) == []
