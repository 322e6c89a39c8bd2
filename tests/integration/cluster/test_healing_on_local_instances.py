"""Auto-healing on real processes: an app instance killed outright (SIGKILL to every process of
it, supervisord included) under steady load through HAProxy is detected within the stack's
heartbeat timeout, replaced in place, and back behind HAProxy, with no request failing; with
auto-healing off on one of its layers it stays lost. Its volume's contents come along."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from support.cluster import ServerProcess
from support.processes import wait_until
from support.web import Load, sample_repository

from .test_load_balanced_app import answering_hosts, apply_stack, haproxy_servers

pytestmark = pytest.mark.integration

TIMEOUT = 5.0  # the stack's heartbeat timeout in this test (agents beat every second)


def at(event: dict[str, object]) -> float:
    return datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")).timestamp()


def lost_events(server: ServerProcess, hostname: str) -> list[dict[str, object]]:
    return [
        e
        for e in server.events("web", "lifecycle")
        if e["instance"] == hostname and "lost its connection" in str(e["message"])
    ]


def test_a_killed_instance_is_replaced_and_back_behind_haproxy_without_a_failed_request(
    server: ServerProcess, tmp_path: Path
) -> None:
    url = apply_stack(server, sample_repository(tmp_path / "sample"), ["app1", "app2"])
    server.call(
        "PATCH", "/stacks/web", {"heartbeat_interval": 1, "heartbeat_timeout": TIMEOUT}, expect=200
    )
    # a volume for every app instance; app2 gets its own at its next start (a reboot here)
    server.call(
        "PATCH",
        "/stacks/web/layers/app",
        {"volume_configurations": [{"mount_point": "/srv/data"}]},
        expect=200,
    )
    server.call("POST", "/stacks/web/instances/app2/reboot", expect=200)
    server.wait_for_status("web", ["app2"], "online", timeout=120)
    server.wait_idle("web")
    first = server.instances("web")["app2"]
    kept = Path(first["root_dir"], "srv", "data", "kept.txt")
    kept.write_text("written before the crash\n")
    wait_until(
        lambda: answering_hosts(url) == {"app1", "app2"}, 30, interval=0.5, what="both answer"
    )

    with Load(url) as load:
        time.sleep(1)
        killed_at = time.time()
        assert server.kill_instance("web", "app2") >= 3  # supervisord, agent, gunicorn...
        wait_until(lambda: lost_events(server, "app2"), 30, interval=0.2, what="app2 lost")
        detected = at(lost_events(server, "app2")[0]) - killed_at
        wait_until(
            lambda: sorted(haproxy_servers(server)) == ["app1-1", "app1-2"],
            30,
            interval=0.2,
            what="HAProxy to drop app2",
        )
        server.wait_for_status("web", ["app2"], "online", timeout=120)
        server.wait_idle("web")
        wait_until(lambda: "app2" in answering_hosts(url, 8), 30, interval=0.5, what="app2 answers")
    assert detected <= TIMEOUT + 2, detected
    again = server.instances("web")["app2"]
    assert (again["id"], again["hostname"], again["private_ip"], again["root_dir"]) == (
        first["id"],
        "app2",
        first["private_ip"],
        first["root_dir"],
    )
    assert sorted(haproxy_servers(server)) == ["app1-1", "app1-2", "app2-1", "app2-2"]
    assert kept.read_text() == "written before the crash\n"  # the volume came along
    assert Path(again["root_dir"], "srv", "data").is_symlink()
    assert load.failures() == [], load.failures()[:3]
    assert len(load.results) > 100
    healing = server.events("web", "healing")
    assert [e["details"]["action"] for e in healing] == ["replace"]

    # with auto-healing off on its layer, a lost instance stays lost
    server.call("PATCH", "/stacks/web/layers/app", {"auto_healing": False}, expect=200)
    server.kill_instance("web", "app2")
    wait_until(lambda: len(lost_events(server, "app2")) == 2, 30, interval=0.2, what="lost again")
    time.sleep(3)
    assert server.instances("web")["app2"]["status"] == "connection_lost"
    assert len(server.events("web", "healing")) == 1
    assert "auto-healing is off on layer app" in str(lost_events(server, "app2")[-1]["message"])
