"""HAProxy's runtime API, as rolling deploys use it: drain an instance's servers, enable them."""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackworks.cookbooks.haproxy import runtime
from stackworks.cookbooks.haproxy.attributes import DEFAULTS
from stackworks.cookbooks.haproxy.config import Server, render_haproxy_config
from support.processes import free_port, wait_until

pytestmark = pytest.mark.integration


class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    do_OPTIONS = do_GET

    def log_message(self, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(ConnectionError):  # health checks hang up early
            super().handle()


@pytest.fixture
def haproxy(tmp_path: Path) -> Iterator[str]:
    backend = http.server.ThreadingHTTPServer(("127.77.250.2", 0), Ok)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    settings = {**DEFAULTS["haproxy"], "port": free_port("127.77.250.1"), "check_interval": 200}
    socket_path = str(tmp_path / "h.sock")
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        render_haproxy_config(
            settings,
            bind_ip="127.77.250.1",
            servers=[Server("app1-1", "127.77.250.2", backend.server_address[1])],
            runtime_socket=socket_path,
        )
    )
    process = subprocess.Popen(
        ["haproxy", "-W", "-db", "-f", str(config)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: Path(socket_path).exists(), 10, what="the runtime socket")
        wait_until(
            lambda: runtime.servers_of(socket_path, "app1")[0].status == "UP",
            10,
            what="the server to be up",
        )
        yield socket_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
        backend.shutdown()


def test_drain_takes_the_instance_out_and_enable_brings_it_back_up(haproxy: str) -> None:
    assert runtime.main([haproxy, "drain", "app1", "--timeout", "5"]) == 0
    assert [s.status for s in runtime.servers_of(haproxy, "app1")] == ["DRAIN"]
    assert runtime.main([haproxy, "enable", "app1", "--timeout", "5"]) == 0
    assert [s.status for s in runtime.servers_of(haproxy, "app1")] == ["UP"]


def test_an_instance_with_no_servers_is_nothing_to_do(haproxy: str) -> None:
    assert runtime.main([haproxy, "drain", "app9"]) == 0


def test_an_unreachable_socket_fails_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert runtime.main([str(tmp_path / "none.sock"), "drain", "app1"]) == 1
    assert "cannot reach HAProxy's runtime API" in capsys.readouterr().err
