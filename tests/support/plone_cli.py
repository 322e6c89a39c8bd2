"""The CLI and HTTP side of the Plone end-to-end tests: one server's data dir, the `stackworks`
command against it, loopback requests to the site, and the teardown that ends everything.

Every `stackworks` run gets the environment of `Cli.environment`: the server's URL, a
credentials file of its own, a short heartbeat, and the offline pip settings of a
wheelhouse (support.plone_builds), which the server started by `demo plone` (or `server`)
hands on to every agent and so to every Plone build of the stack.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from stackworks.providers.local import LocalProvider
from stackworks.providers.local_layout import InstanceLayout
from support.processes import is_alive

#: seconds a publish may find its just-created page not yet seen by the ZEO client it reached
PUBLISH_WAIT = 15.0

Answer = tuple[int, dict[str, str], str]


@dataclass
class Cli:
    """`stackworks ...` as a user runs it, against the server at `listen` keeping `data_dir`."""

    data_dir: Path
    listen: str
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            **self.extra_env,
            "NO_COLOR": "1",
            "COLUMNS": "200",
            "STACKWORKS_HEARTBEAT_INTERVAL": "2",
            "STACKWORKS_URL": f"http://{self.listen}",
            "STACKWORKS_CONFIG": str(self.data_dir.parent / "credentials.json"),
        }
        token = self.data_dir / "admin-token"
        if token.exists():
            env["STACKWORKS_TOKEN"] = token.read_text().strip()
        return env

    def run(self, *args: str, timeout: float = 420) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stackworks", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.environment(),
        )

    def ok(self, *args: str, timeout: float = 420) -> str:
        """Run, assert exit 0 (showing the output's tail otherwise), return stdout."""
        done = self.run(*args, timeout=timeout)
        assert done.returncode == 0, (args, done.stdout[-4000:] + done.stderr[-4000:])
        return done.stdout

    def instances(self, stack: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(
            self.ok("instance", "list", stack, "--json", timeout=60)
        )
        return found

    def demo_plone(self, *extra: str, timeout: float = 600) -> str:
        """`stackworks demo plone` on this data dir and address (`--down` in `extra` ends it)."""
        return self.ok(
            "demo",
            "plone",
            "--data-dir",
            str(self.data_dir),
            "--listen",
            self.listen,
            "--timeout",
            str(timeout),
            *extra,
            timeout=timeout + 60,
        )

    def deploy_app(self, stack: str, app: str, *extra: str, timeout: float = 780) -> str:
        """A deploy of `app` (`extra`: e.g. --rolling), waited for."""
        return self.ok(
            "deploy",
            stack,
            "--command",
            "deploy",
            "--app",
            app,
            *extra,
            "--wait",
            "--timeout",
            str(timeout),
            timeout=timeout + 30,
        )

    def execute_recipes(
        self, stack: str, recipes: list[str], *target: str, timeout: float = 600, **args: Any
    ) -> str:
        """An execute_recipes deployment on `target` (`--instances X` or `--layers Y`)."""
        return self.ok(
            "deploy",
            stack,
            "--command",
            "execute_recipes",
            *target,
            "--args",
            json.dumps({"recipes": recipes, **args}),
            "--wait",
            "--timeout",
            str(timeout),
            timeout=timeout + 30,
        )

    def stop_everything(self) -> None:
        """Stop the server (by its pid file), then every local instance's supervisord.

        The server goes first: while it runs, auto-healing restarts an instance whose agent
        stopped answering, which is what stopping the instances looks like to it, so an
        instance stopped before the server could be started again behind this teardown."""
        pid_file = self.data_dir / "server.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text())
            if is_alive(pid):
                os.killpg(pid, signal.SIGKILL)
        provider = LocalProvider(data_dir=self.data_dir)
        for root in sorted(self.data_dir.glob("instances/*/*")):
            provider.stop_layout(InstanceLayout(root))


def basic_auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def request(
    url: str,
    method: str = "GET",
    *,
    auth: tuple[str, str] | None = None,
    body: dict[str, Any] | None = None,
    json_api: bool = False,
) -> Answer:
    """(status, headers lower-cased, body) of one loopback request."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.hostname.startswith("127."), url
    headers = {"Connection": "close"}
    if json_api:
        headers["Accept"] = "application/json"
    if auth is not None:
        headers.update(basic_auth(*auth))
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(method, parts.path or "/", body=data, headers=headers)
        response = connection.getresponse()
        answer = {k.lower(): v for k, v in response.getheaders()}
        return response.status, answer, response.read().decode(errors="replace")
    finally:
        connection.close()


def create_published_page(site: str, admin: tuple[str, str], page: str, title: str) -> None:
    """A Document `page` at the site's root through plone.restapi, then published."""
    status, _, created = request(
        site,
        "POST",
        auth=admin,
        body={"@type": "Document", "id": page, "title": title},
        json_api=True,
    )
    assert status == 201, created[:1000]
    # behind a front end the publish may reach another ZEO client than the create did, and
    # that client sees the new page once the ZEO server's invalidation reached it: under load,
    # after the request (basic auth carries no login cookie to keep both on one client)
    deadline = time.monotonic() + PUBLISH_WAIT
    while True:
        status, _, published = request(
            site + f"{page}/@workflow/publish", "POST", auth=admin, body={}, json_api=True
        )
        if status != 404 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 200, published[:1000]


def client_urls(instances: list[dict[str, Any]], layer: str, ports: tuple[int, ...]) -> list[str]:
    """http://<private ip>:<port> of every ZEO client of the instances in `layer`."""
    return [
        f"http://{instance['private_ip']}:{port}"
        for instance in sorted(instances, key=lambda i: str(i["hostname"]))
        if layer in instance["layers"]
        for port in ports
    ]
