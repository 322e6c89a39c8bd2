"""The demo's stack shape (HAProxy lb in front of the sample app) and what tests ask of it:
which app hosts answer behind the load balancer, and a deployment run to its end."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from support.cluster import ServerProcess
from support.processes import wait_until
from support.web import Load, commit_greeting, get

LB_PORT = 8080


def web_document(
    repo: Path, instances: list[dict[str, Any]], environment: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Stack `web`: layers lb and app (python-app, two processes a host) and app `sample`."""
    return {
        "name": "web",
        "custom_json": {
            "haproxy": {"port": LB_PORT, "check_interval": 500, "rise": 1, "fall": 2},
            "python_app": {"instance_count": 2, "base_port": 8000},
        },
        "layers": [{"shortname": "lb", "type": "lb"}, {"shortname": "app", "type": "python-app"}],
        "apps": [
            {
                "shortname": "sample",
                "source": {"url": f"file://{repo}", "revision": "main"},
                "layers": ["app"],
                "environment": environment or [],
            }
        ],
        "instances": instances,
    }


def answering_hosts(url: str, requests: int = 24) -> set[str]:
    """The hostnames the sample app's pages name over `requests` requests to `url`."""
    hosts = set()
    for _ in range(requests):
        status, body = get(url)
        if status == 200:
            hosts.update(re.findall(r"id='hostname'>([a-z0-9-]+)<", body))
    return hosts


def deploy(server: ServerProcess, **extra: Any) -> dict[str, Any]:
    """Deploy app `sample` of stack `web` and wait for the deployment to end."""
    body = {"command": {"name": "deploy"}, "app": "sample", **extra}
    created = server.call("POST", "/stacks/web/deployments", body, expect=201)

    def done() -> dict[str, Any] | None:
        shown = server.call("GET", f"/stacks/web/deployments/{created['id']}?logs=true")
        return shown if shown["status"] != "running" else None

    return dict(wait_until(done, 300, interval=0.3, what="the deployment to finish"))


def roll_under_load(server: ServerProcess, url: str, repo: Path, hosts: set[str]) -> None:
    """Commit a new greeting, deploy it one instance at a time while `Load` runs against
    `url`, and check that it rolled through every host (a drain and an enable each) without
    one failed request and that all of `hosts` answer afterwards."""
    commit_greeting(repo, "Rolled")
    with Load(url) as load:
        rolled = deploy(server, rolling=True)
        wait_until(lambda: "Rolled from" in get(url)[1], 30, interval=0.3, what="the new release")
    assert rolled["status"] == "successful", server.failure_logs("web")
    kinds = [s["kind"] for s in rolled["steps"]]
    assert kinds.count("drain") == len(hosts) and kinds.count("enable") == len(hosts)
    assert load.failures() == [], load.failures()[:3]
    assert len(load.results) > 50
    assert answering_hosts(url) == hosts
