"""Seed 001's single-instance layout: examples/plone/single.yaml, every Plone layer (the
nginx -> Varnish -> HAProxy front end, two ZEO clients, the ZEO server) on one instance,
applied with `stackworks apply` on a real server and started with `instance start`, serves
the Plone site through nginx; `instance stop` ends every service of it.

The builds install from the project's wheelhouse (support.plone_builds), the same one the demo
test fills, so running both costs one set of downloads.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cluster import ServerProcess
from support.plone_builds import PROJECT, offline_pip_environment, wheelhouse
from support.plone_cli import Cli, create_published_page, request
from support.plone_project import project_repository
from support.processes import port_accepts, wait_until
from support.web import get

pytestmark = [pytest.mark.integration, pytest.mark.plone, pytest.mark.timeout(900)]

SINGLE = PROJECT.parent / "single.yaml"
STACK = "plone-single"
HOST = "plone1"
NGINX_PORT = 8000  # single.yaml: nginx.port
CLIENT_PORTS = (8081, 8082)
ZEO_PORT = 8100


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    pip = offline_pip_environment(wheelhouse())
    server = ServerProcess(tmp_path / "d", env={**pip, "STACKWORKS_HEARTBEAT_INTERVAL": "2"})
    server.start()
    try:
        yield Cli(server.data_dir, f"127.0.0.1:{server.port}", pip)
    finally:
        server.close()


def stack_document(where: Path, repo: Path, password: str) -> Path:
    """single.yaml with the project's repository as the app's source and a real password."""
    text = SINGLE.read_text()
    assert text.count('"APP_URL"') == 1 and text.count("change-me") == 1
    text = text.replace('"APP_URL"', f'"file://{repo}"').replace("change-me", password)
    where.write_text(text)
    where.chmod(0o600)
    return where


def test_the_single_instance_layout_serves_the_site_through_its_front_end(
    cli: Cli, tmp_path: Path
) -> None:
    password = secrets.token_urlsafe(18)
    repo = project_repository(tmp_path / "project")
    document = stack_document(tmp_path / "single.yaml", repo, password)
    cli.ok("apply", str(document), timeout=60)
    [instance] = cli.instances(STACK)
    assert instance["layers"] == ["lb", "plone_instances", "zeoserver"]
    address = str(instance["private_ip"])

    started = time.monotonic()
    cli.ok("instance", "start", STACK, HOST, "--wait", "--timeout", "780", timeout=800)
    site = f"http://{address}:{NGINX_PORT}/"

    def served() -> bool:
        status, body = get(site, timeout=10)
        return status == 200 and "Plone" in body

    wait_until(served, timeout=180, interval=1, what=f"the Plone site at {site}")
    print(f"single-instance Plone served in {time.monotonic() - started:.0f}s at {site}")

    # the page goes through nginx, Varnish, HAProxy and a client, and is stored by ZEO: both
    # clients (each its own process and cache) read it back
    create_published_page(site, ("admin", password), "single-proof", "One instance")
    for port in CLIENT_PORTS:
        status, _, page = request(f"http://{address}:{port}/Plone/single-proof")
        assert status == 200 and "One instance" in page, port
    status, headers, _ = request(site + "single-proof")
    assert status == 200 and headers.get("x-cache") in {"HIT", "MISS"}, headers

    cli.ok("instance", "stop", STACK, HOST, "--wait", timeout=300)
    for port in (NGINX_PORT, *CLIENT_PORTS, ZEO_PORT):
        assert not port_accepts(address, port), port
