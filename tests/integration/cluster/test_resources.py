"""Issue 11, resources, on real processes: an address (Elastic IP) that moves between two
HAProxy load balancers, a registered PostgreSQL that reaches the sample app as DATABASE_URL
without its password showing anywhere, and a volume whose data survives stop and start and
comes back from a snapshot.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import psutil
import pytest

from support.cluster import ServerProcess
from support.postgres import SUPERUSER, PostgresServer
from support.processes import wait_until
from support.web import get, sample_repository

pytestmark = pytest.mark.integration

LB_PORT = 8080
PASSWORD = "pw-never-shown-7731"  # the server trusts loopback; the value only has to travel


def start_all(server: ServerProcess, stack: str, hosts: list[str]) -> None:
    for host in hosts:
        server.call("POST", f"/stacks/{stack}/instances/{host}/start", expect=200)
    server.wait_for_status(stack, hosts, "online", timeout=240)
    server.wait_idle(stack)


def listeners(ip: str, port: int) -> set[str]:
    """The configuration files of the HAProxy processes listening on ip:port."""
    found = set()
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr == (ip, port) and conn.pid:
            try:
                command = psutil.Process(conn.pid).cmdline()
            except psutil.Error:
                continue
            found.update(part for part in command if part.endswith("haproxy.cfg"))
    return found


def haproxy_cfg(server: ServerProcess, stack: str, host: str) -> Path:
    root = server.instances(stack)[host]["root_dir"]
    return Path(root, "etc", "haproxy", "haproxy.cfg")


def hostname_on(url: str) -> str | None:
    status, body = get(url)
    found = re.findall(r"id='hostname'>([a-z0-9-]+)<", body) if status == 200 else []
    return found[0] if found else None


def test_an_address_moves_between_load_balancers_and_a_database_reaches_the_app_unseen(
    server: ServerProcess, tmp_path: Path, postgres_server: PostgresServer
) -> None:
    repo = sample_repository(tmp_path / "sample")
    document: dict[str, Any] = {
        "name": "web",
        "custom_json": {
            "haproxy": {"port": LB_PORT, "check_interval": 500, "rise": 1, "fall": 2},
            "python_app": {"instance_count": 1, "base_port": 8000},
        },
        "layers": [{"shortname": "lb", "type": "lb"}, {"shortname": "app", "type": "python-app"}],
        "databases": [
            {
                "name": "main",
                "engine": "postgresql",
                "host": "127.0.0.1",
                "port": postgres_server.port,
                "database": "postgres",
                "user": SUPERUSER,
                "password": PASSWORD,
            }
        ],
        "apps": [
            {
                "shortname": "sample",
                "source": {"url": f"file://{repo}", "revision": "main"},
                "layers": ["app"],
                "data_sources": [{"type": "database", "name": "main"}],
            }
        ],
        "instances": [
            {"hostname": "lb1", "layers": ["lb"]},
            {"hostname": "lb2", "layers": ["lb"]},
            {"hostname": "app1", "layers": ["app"]},
        ],
    }
    server.call("PUT", "/stacks/web/document", document, expect=200)
    start_all(server, "web", ["lb1", "lb2", "app1"])

    address = server.call(
        "POST", "/stacks/web/addresses", {"name": "public", "instance": "lb1"}, expect=201
    )
    ip = address["ip"]
    assert ip.startswith("127.77.") and address["instance"] == "lb1"
    assert ip not in {i["private_ip"] for i in server.instances("web").values()}
    server.wait_idle("web")
    url = f"http://{ip}:{LB_PORT}/"
    wait_until(lambda: hostname_on(url) == "app1", 30, interval=0.3, what="the app on the address")
    lb1_cfg, lb2_cfg = (str(haproxy_cfg(server, "web", h)) for h in ("lb1", "lb2"))
    assert listeners(ip, LB_PORT) == {lb1_cfg}
    assert f"bind {ip}:{LB_PORT}" not in Path(lb2_cfg).read_text()

    # the database reached the app's processes as DATABASE_URL, shown without credentials
    status, page = get(url)
    assert status == 200
    assert f"id='database'>postgresql://127.0.0.1:{postgres_server.port}/postgres<" in page
    assert PASSWORD not in page

    # re-associated: it answers on lb2, and lb1 no longer binds it
    moved = server.call(
        "POST", "/stacks/web/addresses/public/associate", {"instance": "lb2"}, expect=200
    )
    assert moved["instance"] == "lb2"
    server.wait_idle("web")
    wait_until(
        lambda: listeners(ip, LB_PORT) == {lb2_cfg}, 30, interval=0.3, what="only lb2 to bind it"
    )
    assert hostname_on(url) == "app1"
    assert f"bind {ip}:{LB_PORT}" not in Path(lb1_cfg).read_text()
    reasons = [c["reason"] for c in server.call("GET", "/stacks/web/commands", expect=200)]
    assert any("moved from lb1 to lb2" in r for r in reasons)

    # the password is in no answer, no stored log, no export and no event
    answers = [
        server.call("GET", "/stacks/web/commands?logs=true&configuration=true", expect=200),
        server.call("GET", "/stacks/web/databases", expect=200),
        server.call("GET", "/stacks/web/document", expect=200),
        server.call("GET", "/stacks/web/events", expect=200),
        server.call("GET", "/stacks/web/apps", expect=200),
    ]
    text = json.dumps(answers)
    assert PASSWORD not in text
    assert server.call("GET", "/stacks/web/databases/main")["password"] == "*****FILTERED*****"
    kinds = {e["kind"] for e in answers[3]}
    assert "resource" in kinds


def test_a_volume_keeps_its_data_through_stop_and_start_and_comes_back_from_a_snapshot(
    server: ServerProcess,
) -> None:
    document = {
        "name": "data",
        "layers": [
            {
                "shortname": "store",
                "type": "custom",
                "volume_configurations": [{"mount_point": "/srv/data", "size": 2}],
            }
        ],
        "instances": [{"hostname": "store1", "layers": ["store"]}],
    }
    server.call("PUT", "/stacks/data/document", document, expect=200)
    (volume,) = server.call("GET", "/stacks/data/volumes", expect=200)
    assert volume["instance"] == "store1" and volume["mount_point"] == "/srv/data"
    assert volume["name"] == "store1-srv-data" and volume["status"] == "in-use"
    start_all(server, "data", ["store1"])

    root = Path(server.instances("data")["store1"]["root_dir"])
    mount = root / "srv" / "data"
    assert mount.is_symlink() and mount.resolve() == Path(volume["path"]).resolve()
    (mount / "notes.txt").write_text("kept\n")

    server.call("POST", "/stacks/data/instances/store1/stop", expect=200)
    server.wait_for_status("data", ["store1"], "stopped")
    start_all(server, "data", ["store1"])
    assert (mount / "notes.txt").read_text() == "kept\n"

    snapshot = server.call("POST", f"/stacks/data/volumes/{volume['name']}/snapshots", expect=201)
    (mount / "notes.txt").write_text("overwritten\n")
    restored = server.call(
        "POST",
        f"/stacks/data/snapshots/{snapshot['id']}/restore",
        {"name": "restored", "mount_point": "/srv/data"},
        expect=201,
    )
    assert Path(restored["path"], "notes.txt").read_text() == "kept\n"

    # assigning is refused while the instance runs, then done once it is stopped
    refused = server.client.post(
        "/stacks/data/volumes/restored/assign", json={"instance": "store1"}
    )
    assert refused.status_code == 409 and refused.json()["detail"]["field"] == "instance"
    server.call("POST", "/stacks/data/instances/store1/stop", expect=200)
    server.wait_for_status("data", ["store1"], "stopped")
    server.call("POST", f"/stacks/data/volumes/{volume['name']}/unassign", expect=200)
    server.call("POST", "/stacks/data/volumes/restored/assign", {"instance": "store1"}, expect=200)
    start_all(server, "data", ["store1"])
    assert (mount / "notes.txt").read_text() == "kept\n"
    assert mount.resolve() == Path(restored["path"]).resolve()
    # the original volume kept its own data while unassigned
    assert Path(volume["path"], "notes.txt").read_text() == "overwritten\n"
