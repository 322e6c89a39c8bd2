"""The must-show: `stackworks demo plone` brings up a real Plone 6 site from nothing, through
nginx -> Varnish -> HAProxy -> two ZEO clients on each of two instances -> one ZEO server, all
by a real server's run lists; `demo plone --down` stops it.

One demo run carries every check (the build is the slow part): a page created through
plone.restapi at the front end is read back from every client port of every instance (they
share the ZEO storage); an anonymous page is a Varnish hit the second time and a miss after
`varnish::purge`; one Plone instance stops under steady load without a failed request.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from stackworks.providers.local import LocalProvider
from stackworks.providers.local_layout import InstanceLayout
from support.processes import free_port, is_alive
from support.web import Load, get

# a cold pip cache (a fresh CI machine) makes the Plone builds slower than the suite default
pytestmark = [pytest.mark.integration, pytest.mark.plone, pytest.mark.timeout(600)]

STACK = "plone"
CLIENT_PORTS = (8081, 8082)  # examples/plone/scalable.yaml: base_port 8080, two clients
PAGE = "demo-proof"


def environment(data_dir: Path, listen: str) -> dict[str, str]:
    return {
        **os.environ,
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "STACKWORKS_HEARTBEAT_INTERVAL": "2",
        "STACKWORKS_URL": f"http://{listen}",
        "STACKWORKS_CONFIG": str(data_dir.parent / "credentials.json"),
    }


def stackworks(
    data_dir: Path, listen: str, *args: str, timeout: float = 420
) -> subprocess.CompletedProcess[str]:
    env = environment(data_dir, listen)
    token = data_dir / "admin-token"
    if token.exists():
        env["STACKWORKS_TOKEN"] = token.read_text().strip()
    return subprocess.run(
        [sys.executable, "-m", "stackworks", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def demo(data_dir: Path, listen: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return stackworks(
        data_dir,
        listen,
        "demo",
        "plone",
        "--data-dir",
        str(data_dir),
        "--listen",
        listen,
        "--timeout",
        "400",
        *extra,
        timeout=450,
    )


def request(
    url: str,
    method: str = "GET",
    *,
    auth: tuple[str, str] | None = None,
    body: dict[str, Any] | None = None,
    json_api: bool = False,
) -> tuple[int, dict[str, str], str]:
    """(status, headers lower-cased, body) of one loopback request."""
    parts = urlsplit(url)
    headers = {"Connection": "close"}
    if json_api:
        headers["Accept"] = "application/json"
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
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


def instances(data_dir: Path, listen: str) -> list[dict[str, Any]]:
    done = stackworks(data_dir, listen, "instance", "list", STACK, "--json", timeout=60)
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "d"
    yield where
    provider = LocalProvider(data_dir=where)
    for root in sorted(where.glob("instances/*/*")):
        provider.stop_layout(InstanceLayout(root))
    pid_file = where / "server.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if is_alive(pid):
            os.killpg(pid, signal.SIGKILL)


def test_demo_plone_serves_a_shared_cached_site_that_survives_losing_an_instance(
    data_dir: Path,
) -> None:
    listen = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    up = demo(data_dir, listen)
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    found = re.search(r"The Plone site answers at (\S+)", up.stdout)
    assert found, up.stdout
    site = found.group(1)
    print(f"demo plone up in {time.monotonic() - started:.0f}s at {site}")
    status, _, home = request(site)
    assert status == 200 and "Plone" in home

    admin = ("admin", (data_dir / "plone-admin-password").read_text().strip())
    status, _, created = request(
        site,
        "POST",
        auth=admin,
        body={"@type": "Document", "id": PAGE, "title": "Written at the front end"},
        json_api=True,
    )
    assert status == 201, created
    status, _, published = request(
        site + f"{PAGE}/@workflow/publish", "POST", auth=admin, body={}, json_api=True
    )
    assert status == 200, published

    clients = [i for i in instances(data_dir, listen) if "plone_instances" in i["layers"]]
    assert len(clients) == 2
    for instance in clients:
        for port in CLIENT_PORTS:
            url = f"http://{instance['private_ip']}:{port}/Plone/{PAGE}"
            status, _, document = request(url, auth=admin, json_api=True)
            assert status == 200, (url, document[:500])
            assert json.loads(document)["title"] == "Written at the front end", url

    page = site + PAGE
    first = request(page)
    second = request(page)
    assert first[0] == 200 and second[0] == 200
    assert second[1].get("x-cache") == "HIT", second[1]
    purge = stackworks(
        data_dir,
        listen,
        "deploy",
        STACK,
        "--command",
        "execute_recipes",
        "--layers",
        "lb",
        "--args",
        json.dumps({"recipes": ["varnish::purge"]}),
        "--custom-json",
        json.dumps({"varnish": {"purge_urls": [f"/{PAGE}$"]}}),
        "--wait",
        timeout=120,
    )
    assert purge.returncode == 0, purge.stdout + purge.stderr
    after = request(page)
    assert after[0] == 200 and after[1].get("x-cache") == "MISS", after[1]

    # with credentials every request passes Varnish and reaches a ZEO client
    with Load(
        page,
        pause=0.05,
        headers={"Authorization": "Basic " + base64.b64encode(":".join(admin).encode()).decode()},
    ) as load:
        time.sleep(2)
        stop = stackworks(
            data_dir,
            listen,
            "instance",
            "stop",
            STACK,
            "plone-instances2",
            "--wait",
            timeout=180,
        )
        assert stop.returncode == 0, stop.stdout + stop.stderr
        time.sleep(3)
    print(f"{len(load.results)} requests through the front end while plone-instances2 stopped")
    assert len(load.results) > 20
    assert load.failures() == []

    pid = int((data_dir / "server.pid").read_text())
    down = demo(data_dir, listen, "--down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert get(site, timeout=2)[0] == 0
    for _ in range(50):
        if not is_alive(pid):
            break
        time.sleep(0.2)
    assert not is_alive(pid)
    print(f"whole test {time.monotonic() - started:.0f}s")
