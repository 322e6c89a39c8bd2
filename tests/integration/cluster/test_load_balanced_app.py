"""Issues 3 and 4 on real processes: HAProxy on a local lb instance in front of the sample app.

Requests reach every app instance; stopping one takes it out of haproxy.cfg before its processes
stop, so no request fails; releases, rollback and the seeds' change detection behave as the
deploy docs say; a rolling deploy under steady load fails no request.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from support.cluster import ServerProcess
from support.processes import wait_until
from support.sample_stack import LB_PORT, answering_hosts, deploy, roll_under_load, web_document
from support.web import Load, commit_greeting, get, sample_repository

pytestmark = pytest.mark.integration


def apply_stack(server: ServerProcess, repo: Path, app_hosts: list[str]) -> str:
    """The demo's shape: lb1 in front of the app hosts; returns the load balancer's URL."""
    document = web_document(
        repo,
        [{"hostname": "lb1", "layers": ["lb"]}]
        + [{"hostname": h, "layers": ["app"]} for h in app_hosts],
        environment=[
            {"key": "GREETING", "value": "hello"},
            {"key": "SECRET_KEY", "value": "not-for-logs-0042", "secure": True},
        ],
    )
    server.call("PUT", "/stacks/web/document", document, expect=200)
    hosts = ["lb1", *app_hosts]
    for host in hosts:
        server.call("POST", f"/stacks/web/instances/{host}/start", expect=200)
    server.wait_for_status("web", hosts, "online", timeout=240)
    server.wait_idle("web")
    url = f"http://{server.instances('web')['lb1']['private_ip']}:{LB_PORT}/"
    wait_until(lambda: get(url)[0] == 200, 30, interval=0.2, what="the app behind HAProxy")
    return url


def haproxy_servers(server: ServerProcess) -> list[str]:
    config = Path(server.instances("web")["lb1"]["root_dir"], "etc", "haproxy", "haproxy.cfg")
    return re.findall(r"^\s*server (\S+) ", config.read_text(), re.MULTILINE)


def rollback_once(server: ServerProcess) -> dict[str, Any]:
    body = {"command": {"name": "rollback"}, "app": "sample"}
    created = server.call("POST", "/stacks/web/deployments", body, expect=201)

    def done() -> dict[str, Any] | None:
        shown = server.call("GET", f"/stacks/web/deployments/{created['id']}?logs=true")
        return shown if shown["status"] != "running" else None

    return dict(wait_until(done, 120, interval=0.3, what="the rollback"))


def app_root(server: ServerProcess, host: str) -> Path:
    return Path(server.instances("web")[host]["root_dir"])


def releases(server: ServerProcess, host: str) -> list[str]:
    return sorted(p.name for p in (app_root(server, host) / "srv/www/sample/releases").iterdir())


def web_pids(server: ServerProcess, host: str) -> list[int]:
    conf = app_root(server, host) / "etc" / "supervisord.conf"
    pids = []
    for n in (1, 2):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "supervisor.supervisorctl",
                "-c",
                str(conf),
                "pid",
                f"sample-web-{n}",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        pids.append(int(out))
    return pids


def completed_at(command: dict[str, Any]) -> float:
    return datetime.fromisoformat(command["completed_at"].replace("Z", "+00:00")).timestamp()


@pytest.fixture
def server(tmp_path: Path) -> Any:
    process = ServerProcess(tmp_path / "d")
    process.start()
    try:
        yield process
    finally:
        process.close()


def test_haproxy_spreads_requests_and_an_instance_leaves_and_returns_without_a_failure(
    server: ServerProcess, tmp_path: Path
) -> None:
    url = apply_stack(server, sample_repository(tmp_path / "sample"), ["app1", "app2"])
    assert answering_hosts(url) == {"app1", "app2"}
    assert sorted(haproxy_servers(server)) == ["app1-1", "app1-2", "app2-1", "app2-2"]

    with Load(url) as load:
        server.call("POST", "/stacks/web/instances/app2/stop", expect=200)
        server.wait_for_status("web", ["app2"], "stopped")
        commands = server.wait_idle("web")
        reconfigured = [
            c
            for c in commands
            if c["instance"] == "lb1"
            and c["reason"] == "app2 left online"
            and c["status"] == "successful"
        ]
        assert reconfigured, "lb1 was not reconfigured when app2 left"
        assert sorted(haproxy_servers(server)) == ["app1-1", "app1-2"]
        time.sleep(1)
        assert answering_hosts(url, 8) == {"app1"}

        server.call("POST", "/stacks/web/instances/app2/start", expect=200)
        server.wait_for_status("web", ["app2"], "online", timeout=240)
        server.wait_idle("web")
        wait_until(
            lambda: "app2" in answering_hosts(url, 8),
            30,
            interval=0.5,
            what="app2 back behind HAProxy",
        )
    after_configure = load.failures(after=completed_at(reconfigured[-1]))
    assert after_configure == [], after_configure[:3]
    assert load.failures() == [], load.failures()[:3]
    assert len(load.results) > 50
    assert sorted(haproxy_servers(server)) == ["app1-1", "app1-2", "app2-1", "app2-2"]
    # secure values reach the processes, never a log
    logs = server.call("GET", "/stacks/web/commands?logs=true")
    assert "not-for-logs-0042" not in str(logs)


@pytest.mark.timeout(420)  # 166 s seen on 2 cores under load: many deploys, each a real build
def test_releases_rollback_and_change_detection(server: ServerProcess, tmp_path: Path) -> None:
    repo = sample_repository(tmp_path / "sample")
    url = apply_stack(server, repo, ["app1"])
    assert "Hello from app1" in get(url)[1]
    assert len(releases(server, "app1")) == 1

    # same commit, same configuration: nothing rebuilt, nothing restarted
    pids = web_pids(server, "app1")
    same = deploy(server)
    assert same["status"] == "successful"
    assert "nothing to build or restart" in same["commands"][-1]["log"] or any(
        "nothing to build or restart" in c["log"] for c in same["commands"]
    )
    assert web_pids(server, "app1") == pids

    # a custom JSON change that changes the generated config rebuilds in place and restarts
    server.call(
        "PATCH",
        "/stacks/web",
        {
            "custom_json": {
                "haproxy": {"port": LB_PORT, "check_interval": 500, "rise": 1, "fall": 2},
                "python_app": {"instance_count": 2, "base_port": 8000},
                "deploy": {"sample": {"feature": "on"}},
            }
        },
        expect=200,
    )
    rebuilt = deploy(server)
    assert rebuilt["status"] == "successful"
    assert any("deploy configuration changed" in c["log"] for c in rebuilt["commands"])
    restarted = web_pids(server, "app1")
    assert set(restarted).isdisjoint(pids)
    assert len(releases(server, "app1")) == 1

    # always_build_on_deploy forces it
    forced = deploy(server, custom_json={"deploy": {"sample": {"always_build_on_deploy": True}}})
    assert any("always_build_on_deploy" in c["log"] for c in forced["commands"])
    assert set(web_pids(server, "app1")).isdisjoint(restarted)

    # a new revision builds a new release; rollback serves the old one again
    commit_greeting(repo, "Howdy")
    assert deploy(server)["status"] == "successful"
    wait_until(lambda: "Howdy from app1" in get(url)[1], 30, interval=0.3, what="revision B")
    assert len(releases(server, "app1")) == 2
    assert rollback_once(server)["status"] == "successful"
    wait_until(lambda: "Hello from app1" in get(url)[1], 30, interval=0.3, what="revision A again")
    nothing_left = rollback_once(server)
    assert nothing_left["status"] == "failed"
    assert "no earlier release to roll back to" in nothing_left["commands"][0]["log"]

    # six deploys of new commits leave five releases
    for n in range(6):
        commit_greeting(repo, f"Greeting{n}")
        assert deploy(server)["status"] == "successful"
    assert len(releases(server, "app1")) == 5
    wait_until(lambda: "Greeting5 from app1" in get(url)[1], 30, interval=0.3, what="the last")

    # rollback reaches four releases back, then says there is nothing more
    for back in range(4):
        assert rollback_once(server)["status"] == "successful"
        expected = f"Greeting{4 - back} from app1"
        wait_until(lambda e=expected: e in get(url)[1], 30, interval=0.3, what=expected)
    assert rollback_once(server)["status"] == "failed"


def test_a_build_that_fails_leaves_the_previous_release_serving(
    server: ServerProcess, tmp_path: Path
) -> None:
    repo = sample_repository(tmp_path / "sample")
    url = apply_stack(server, repo, ["app1"])
    before = releases(server, "app1")
    (repo / "requirements.txt").write_text("gunicorn\nno-such-package-stackworks-test==9.9.9\n")
    commit_greeting(repo, "Broken")
    failed = deploy(server)
    assert failed["status"] == "failed"
    log = "".join(c["log"] for c in failed["commands"])
    assert "no-such-package-stackworks-test" in log
    assert "Hello from app1" in get(url)[1]
    current = (app_root(server, "app1") / "srv/www/sample/current").resolve().name
    assert current == before[-1]


def test_a_rolling_deploy_under_load_fails_no_request(
    server: ServerProcess, tmp_path: Path
) -> None:
    repo = sample_repository(tmp_path / "sample")
    url = apply_stack(server, repo, ["app1", "app2", "app3"])
    roll_under_load(server, url, repo, {"app1", "app2", "app3"})
