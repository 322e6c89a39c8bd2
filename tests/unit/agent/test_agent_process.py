"""The agent as a real process against a tiny HTTP server on 127.0.0.1: heartbeat, SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from support.loopback_http import LoopbackHTTPServer, serving
from support.processes import end_session, live_session_pids, wait_until

HOLD = 10.0  # the fake server holds each poll this long, as a real long poll would


class _Server(LoopbackHTTPServer):
    seen: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.seen.append(f"POST {self.path} {self.headers.get('Authorization')}")
        self._reply({"status": "booting", "heartbeat_interval": 60})

    def do_GET(self) -> None:
        self.server.seen.append(f"GET {self.path}")
        if self.server.closing.wait(HOLD):
            return  # the test is over: no answer, as a server going down would give none
        self._reply({"commands": []})


@pytest.fixture
def server() -> Iterator[_Server]:
    made = _Server(("127.0.0.1", 0), _Handler)
    made.seen = []
    with serving(made):
        yield made


def test_agent_heartbeats_polls_and_stops_promptly_on_sigterm(
    server: _Server, tmp_path: Path
) -> None:
    config = tmp_path / "agent.json"
    config.write_text(
        json.dumps(
            {
                "server_url": f"http://127.0.0.1:{server.server_address[1]}",
                "instance_id": "i-1",
                "hostname": "web1",
                "stack_id": "s-1",
                "credential": "cred-1",
                "state_dir": str(tmp_path / "state"),
                "heartbeat_interval": 60,
                "poll_wait": 20,
            }
        )
    )
    code = (
        "import pathlib, sys; from stackworks.agent import run_agent; "
        "sys.exit(run_agent(pathlib.Path(sys.argv[1])))"
    )
    agent = subprocess.Popen(
        [sys.executable, "-c", code, str(config)],
        start_new_session=True,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: (
                "GET /api/v1/agent/commands?wait=20&stack_configuration=by_version"
                "&acknowledge=on_delivery" in server.seen
            ),
            timeout=20,
            what="the agent's first poll",
        )
        assert "POST /api/v1/agent/heartbeat Bearer cred-1" in server.seen
        started = time.monotonic()
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=HOLD - 2) == 0
        assert time.monotonic() - started < HOLD - 2  # the held poll was cut short
        assert "cred-1" not in (agent.stderr.read() if agent.stderr else "")
    finally:
        if live_session_pids(agent.pid):
            end_session(agent.pid)
        agent.wait()
