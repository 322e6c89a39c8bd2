"""A server serving HTTPS still brings local instances online: their agents get its https URL
and its certificate as CA file, and verify it on every call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.certificates import self_signed
from support.cluster import ServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "d", tls=self_signed(tmp_path / "tls"))
    process.start()
    try:
        yield process
    finally:
        process.close()


def test_a_local_instance_comes_online_through_an_https_server(server: ServerProcess) -> None:
    server.call("POST", "/stacks", {"name": "sec"}, expect=201)
    server.call("POST", "/stacks/sec/layers", {"shortname": "web"}, expect=201)
    server.call(
        "POST", "/stacks/sec/instances", {"layers": ["web"], "hostname": "web1"}, expect=201
    )
    server.call("POST", "/stacks/sec/instances/web1/start", expect=200)
    server.wait_for_status("sec", ["web1"], "online", timeout=120)
    root = Path(server.instances("sec")["web1"]["root_dir"])
    config = json.loads((root / "agent" / "agent.json").read_text())
    assert config["server_url"] == server.url
    assert server.tls is not None
    assert config["ca_file"] == str(server.tls[0].resolve())
    server.call("POST", "/stacks/sec/instances/web1/stop", expect=200)
    server.wait_for_status("sec", ["web1"], "stopped", timeout=120)
