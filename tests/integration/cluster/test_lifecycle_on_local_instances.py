"""Issue 2's must-show, on real processes: local instances, their agents and supervisords.

Three instances in two layers come online; configure runs on every online instance each time one
comes online, with exactly the instances online at that moment; stopping one runs its shutdown,
configures the others and leaves none of its processes; a server restart loses nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.cluster import ServerProcess
from support.processes import live_session_pids, wait_until

pytestmark = pytest.mark.integration

PROBE = ["probe::record"]
PROBE_COOKBOOKS = Path(__file__).parent / "cookbooks"
PROBE_COOKBOOKS = Path(__file__).parent / "cookbooks"


def make_stack(server: ServerProcess) -> None:
    recipes = {"setup": PROBE, "configure": PROBE, "shutdown": PROBE}
    document = {
        "name": "core",
        "cookbook_sources": [{"type": "path", "url": str(PROBE_COOKBOOKS)}],
        "layers": [
            {"shortname": "front", "recipes": recipes},
            {"shortname": "app", "recipes": recipes},
        ],
        "instances": [
            {"hostname": "front1", "layers": ["front"]},
            {"hostname": "app1", "layers": ["app"]},
            {"hostname": "app2", "layers": ["app"]},
        ],
    }
    server.call("PUT", "/stacks/core/document", document, expect=200)


def probe_records(root: str, type_: str) -> list[dict[str, Any]]:
    records = [
        json.loads(p.read_text()) for p in Path(root, "var", "probe").glob(f"{type_}-*.json")
    ]
    return sorted(records, key=lambda r: r["written_at"])


def session_of(root: str) -> int:
    return int(json.loads(Path(root, "run", "session.json").read_text())["sid"])


def test_three_instances_come_online_and_each_configure_sees_who_is_online(
    server: ServerProcess,
) -> None:
    make_stack(server)
    hosts = ["front1", "app1", "app2"]
    for host in hosts:
        server.call("POST", f"/stacks/core/instances/{host}/start", expect=200)
    server.wait_for_status("core", hosts, "online")
    commands = server.wait_idle("core")

    # the order instances came online, from their setup commands
    setups = sorted((c for c in commands if c["type"] == "setup"), key=lambda c: c["completed_at"])
    assert [c["status"] for c in setups] == ["successful"] * 3
    came_online = [c["instance"] for c in setups]

    instances = server.instances("core")
    for host in hosts:
        configures = probe_records(instances[host]["root_dir"], "configure")
        assert configures, f"{host} ran no configure"
        for record in configures:
            subject = record["reason"].removesuffix(" came online")
            expected = sorted(came_online[: came_online.index(subject) + 1])
            assert record["online"] == expected, (host, record)
        assert configures[-1]["online"] == sorted(hosts)
        # the real agent took the shared sections by version (docs/agent-protocol.md)
        agent_log = Path(instances[host]["root_dir"], "var", "log", "agent.log").read_text()
        assert "stack configuration" in agent_log and "fetched" in agent_log, host

    # every fan-out reached every instance online at that moment (run, or superseded)
    fanned = [c for c in commands if c["type"] == "configure"]
    for subject in came_online:
        reached = {c["instance"] for c in fanned if c["reason"] == f"{subject} came online"}
        assert reached == set(came_online[: came_online.index(subject) + 1]), subject
    assert all(c["status"] in ("successful", "skipped") for c in fanned)


def test_stopping_an_instance_runs_shutdown_reconfigures_the_rest_and_ends_its_processes(
    server: ServerProcess,
) -> None:
    make_stack(server)
    hosts = ["front1", "app1", "app2"]
    for host in hosts:
        server.call("POST", f"/stacks/core/instances/{host}/start", expect=200)
    server.wait_for_status("core", hosts, "online")
    server.wait_idle("core")
    instances = server.instances("core")
    app2_root = instances["app2"]["root_dir"]
    sid = session_of(app2_root)
    assert live_session_pids(sid), "app2 runs processes before the stop"

    server.call("POST", "/stacks/core/instances/app2/stop", expect=200)
    server.wait_for_status("core", ["app2"], "stopped")
    server.wait_idle("core")

    assert [r["type"] for r in probe_records(app2_root, "shutdown")] == ["shutdown"]
    for host in ("front1", "app1"):
        latest = probe_records(instances[host]["root_dir"], "configure")[-1]
        assert latest["reason"] == "app2 left online"
        assert latest["online"] == ["app1", "front1"]
    assert live_session_pids(sid) == []
    for host in ("front1", "app1"):
        assert live_session_pids(session_of(instances[host]["root_dir"])), host


def test_a_server_restart_loses_nothing_and_the_deployment_in_flight_completes(
    server: ServerProcess,
) -> None:
    make_stack(server)
    hosts = ["front1", "app1"]
    for host in hosts:
        server.call("POST", f"/stacks/core/instances/{host}/start", expect=200)
    server.wait_for_status("core", hosts, "online")
    server.wait_idle("core")
    deployment = server.call(
        "POST",
        "/stacks/core/deployments",
        {
            "command": {"name": "execute_recipes", "args": {"recipes": ["probe::slow"]}},
            "custom_json": {"probe": {"seconds": 4}},
            "comment": "across a restart",
        },
        expect=201,
    )

    def started() -> bool:
        shown = server.call("GET", f"/stacks/core/deployments/{deployment['id']}", expect=200)
        return all(c["acknowledged_at"] for c in shown["commands"])

    wait_until(started, 30, interval=0.1, what="the deployment to start on every instance")
    server.restart()

    def finished() -> dict[str, Any] | None:
        shown = server.call("GET", f"/stacks/core/deployments/{deployment['id']}", expect=200)
        return shown if shown["status"] != "running" else None

    shown = wait_until(finished, 60, interval=0.2, what="the deployment to finish")
    assert shown["status"] == "successful", shown
    assert {c["instance"] for c in shown["commands"]} == set(hosts)
    instances = server.instances("core")
    assert all(instances[h]["status"] == "online" for h in hosts)
    for host in hosts:
        assert probe_records(instances[host]["root_dir"], "execute_recipes")


def run_recipes(server: ServerProcess, recipes: list[str]) -> dict[str, Any]:
    created = server.call(
        "POST",
        "/stacks/core/deployments",
        {"command": {"name": "execute_recipes", "args": {"recipes": recipes}}},
        expect=201,
    )

    def done() -> dict[str, Any] | None:
        shown = server.call("GET", f"/stacks/core/deployments/{created['id']}?logs=true")
        return shown if shown["status"] != "running" else None

    return dict(wait_until(done, 60, interval=0.2, what="the deployment"))


def test_a_missing_recipe_or_a_template_error_fails_the_command_naming_it(
    server: ServerProcess,
) -> None:
    make_stack(server)
    server.call("POST", "/stacks/core/instances/front1/start", expect=200)
    server.wait_for_status("core", ["front1"], "online")
    server.wait_idle("core")
    root = server.instances("core")["front1"]["root_dir"]

    missing = run_recipes(server, ["probe::nowhere"])
    assert missing["status"] == "failed"
    log = missing["commands"][0]["log"]
    assert "probe::nowhere" in log and "Traceback" not in log

    bad = run_recipes(server, ["probe::bad_template"])
    assert bad["status"] == "failed"
    log = bad["commands"][0]["log"]
    assert "bad.j2" in log and "no_such_variable" in log
    assert not Path(root, "var", "probe", "bad.txt").exists()

    assert server.instances("core")["front1"]["status"] == "online"
    assert run_recipes(server, ["probe::record"])["status"] == "successful"
