"""The stack the load-balancer benches measure: HAProxy on `lb1` in front of app instances of
the sample app (two gunicorn processes each), brought online through a real server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.cluster import ServerProcess
from support.processes import wait_until
from support.web import get

LB_PORT = 8080


def lb_custom_json(**haproxy: Any) -> dict[str, Any]:
    """Health checks every 0.5 s (so a dead server leaves HAProxy fast), plus `haproxy`."""
    settings = {"port": LB_PORT, "check_interval": 500, "rise": 1, "fall": 2, **haproxy}
    return {"haproxy": settings, "python_app": {"instance_count": 2, "base_port": 8000}}


def build_lb_stack(
    server: ServerProcess,
    stack: str,
    repo: Path,
    app_hosts: list[str],
    custom_json: dict[str, Any] | None = None,
) -> str:
    """Apply the stack, start every instance, wait until HAProxy answers; returns its URL."""
    document = {
        "name": stack,
        "custom_json": custom_json or lb_custom_json(),
        "layers": [{"shortname": "lb", "type": "lb"}, {"shortname": "app", "type": "python-app"}],
        "apps": [{"shortname": "sample", "source": {"url": f"file://{repo}", "revision": "main"}}],
        "instances": [{"hostname": "lb1", "layers": ["lb"]}]
        + [{"hostname": h, "layers": ["app"]} for h in app_hosts],
    }
    server.call("PUT", f"/stacks/{stack}/document", document, expect=200)
    for host in ["lb1", *app_hosts]:
        server.call("POST", f"/stacks/{stack}/instances/{host}/start", expect=200)
    server.wait_for_status(stack, ["lb1", *app_hosts], "online", timeout=300)
    server.wait_idle(stack)
    url = f"http://{server.instances(stack)['lb1']['private_ip']}:{LB_PORT}/"
    wait_until(lambda: get(url)[0] == 200, 30, interval=0.2, what="the app")
    return url
