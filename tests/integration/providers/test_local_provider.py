"""The local provider with real supervisord processes: start, stop, addresses, delete."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from stackworks.domain.entities import Instance
from stackworks.providers import LocalProvider, get_provider
from stackworks.wire.agent_config import AgentConfig
from support.loopback_http import LoopbackHTTPServer, serving
from support.processes import end_session, is_alive, live_session_pids, wait_until

pytestmark = pytest.mark.integration


class _FakeServer(LoopbackHTTPServer):
    """A tiny stand-in for the server's agent routes: records heartbeats, has no commands."""

    heartbeats: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _FakeServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if self.path == "/api/v1/agent/heartbeat":
            self.server.heartbeats.append(self.headers.get("Authorization", ""))
            self._answer({"status": "booting", "heartbeat_interval": 1.0})
        else:
            self._answer({})

    def do_GET(self) -> None:
        self._answer({"commands": []})


@pytest.fixture
def fake_server() -> Iterator[_FakeServer]:
    server = _FakeServer(("127.0.0.1", 0), _Handler)
    server.heartbeats = []
    with serving(server):
        yield server


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[LocalProvider]:
    made = get_provider("local", data_dir=tmp_path / "data")
    assert isinstance(made, LocalProvider)
    started: list[int] = []
    original_spawn = made._spawn

    def spawn_and_remember(layout):  # type: ignore[no-untyped-def]
        process = original_spawn(layout)
        started.append(process.pid)
        return process

    made._spawn = spawn_and_remember  # type: ignore[method-assign]
    yield made
    for sid in started:  # a failing test still leaves nothing running
        if live_session_pids(sid):
            end_session(sid)


def _instance(hostname: str, address: str, stack_id: str = "stack-1") -> Instance:
    return Instance(
        id=f"id-{hostname}",
        stack_id=stack_id,
        hostname=hostname,
        layers=("web",),
        private_ip=address,
    )


def _agent_config(server_url: str, hostname: str) -> AgentConfig:
    return AgentConfig(
        server_url=server_url,
        instance_id=f"id-{hostname}",
        hostname=hostname,
        stack_id="stack-1",
        credential="secret-credential",
        heartbeat_interval=1,
        poll_wait=1,
    )


def _session_of(root: Path) -> int:
    return int(json.loads((root / "run" / "session.json").read_text())["sid"])


def test_start_creates_the_tree_and_runs_supervisord(provider: LocalProvider) -> None:
    instance = _instance("web1", provider.allocate_address(set()))
    result = provider.start(instance, _agent_config("http://127.0.0.1:9", "web1"))
    root = Path(result.root_dir or "")
    assert root == provider.data_dir / "instances" / "stack-1" / "web1"
    for name in ("srv", "etc/supervisor.d", "var/log", "run", "agent"):
        assert (root / name).is_dir(), name
    config_file = root / "agent" / "agent.json"
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert json.loads(config_file.read_text())["state_dir"] == str(root / "agent")
    assert provider.is_running(instance)
    status = subprocess.run(
        [
            sys.executable,
            "-m",
            "supervisor.supervisorctl",
            "-c",
            str(root / "etc" / "supervisord.conf"),
            "status",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "stackworks-agent" in status.stdout
    provider.stop(instance)
    assert not provider.is_running(instance)


def test_started_agent_heartbeats_with_its_credential(
    provider: LocalProvider, fake_server: _FakeServer
) -> None:
    wired = subprocess.run(
        [sys.executable, "-m", "stackworks", "agent", "run", "--help"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if wired.returncode != 0:
        pytest.skip("`python -m stackworks agent run` is not wired in the CLI yet")
    url = f"http://127.0.0.1:{fake_server.server_address[1]}"
    instance = _instance("web1", provider.allocate_address(set()))
    provider.start(instance, _agent_config(url, "web1"))
    try:
        wait_until(lambda: fake_server.heartbeats, timeout=30, what="the agent's first heartbeat")
        assert fake_server.heartbeats[0] == "Bearer secret-credential"
    finally:
        provider.stop(instance)


def test_stop_ends_every_process_of_the_session_and_no_other(provider: LocalProvider) -> None:
    bystander = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        instance = _instance("web1", provider.allocate_address(set()))
        root = provider.data_dir / "instances" / "stack-1" / "web1"
        (root / "etc" / "supervisor.d").mkdir(parents=True)
        # A service that leaves a stray child behind, as a careless recipe might.
        (root / "etc" / "supervisor.d" / "worker.conf").write_text(
            "[program:worker]\ncommand=/bin/sh -c 'sleep 300 & exec sleep 301'\n"
            "autostart=true\nstartsecs=0\n"
        )
        provider.start(instance, _agent_config("http://127.0.0.1:9", "web1"))
        sid = _session_of(root)
        wait_until(lambda: len(live_session_pids(sid)) >= 3, timeout=15, what="the worker")
        members = live_session_pids(sid)
        provider.stop(instance)
        assert live_session_pids(sid) == []
        assert not any(is_alive(pid) for pid in members)
        assert is_alive(bystander.pid)
    finally:
        bystander.kill()
        bystander.wait()


def test_a_new_provider_object_stops_what_another_started(tmp_path: Path) -> None:
    first = LocalProvider(tmp_path / "data")
    instance = _instance("web1", first.allocate_address(set()))
    result = first.start(instance, _agent_config("http://127.0.0.1:9", "web1"))
    sid = _session_of(Path(result.root_dir or ""))
    try:
        restarted = LocalProvider(tmp_path / "data")  # as after a server restart
        assert restarted.is_running(instance)
        restarted.stop(instance)
        assert live_session_pids(sid) == []
    finally:
        if live_session_pids(sid):
            end_session(sid)


def test_two_instances_get_different_addresses_never_127_0_0_1(provider: LocalProvider) -> None:
    first = provider.allocate_address(set())
    second = provider.allocate_address({first})
    assert first != second
    assert "127.0.0.1" not in {first, second}
    assert first.startswith("127.77.") and second.startswith("127.77.")


def test_delete_stops_and_removes_the_root(provider: LocalProvider) -> None:
    instance = _instance("web1", provider.allocate_address(set()))
    result = provider.start(instance, _agent_config("http://127.0.0.1:9", "web1"))
    root = Path(result.root_dir or "")
    sid = _session_of(root)
    provider.delete(instance)
    assert not root.exists()
    assert live_session_pids(sid) == []
    assert not provider.is_running(instance)


def test_stopping_a_never_started_instance_does_nothing(provider: LocalProvider) -> None:
    provider.stop(_instance("ghost", "127.77.0.9"))
    assert not os.path.exists(provider.data_dir / "instances" / "stack-1" / "ghost")
