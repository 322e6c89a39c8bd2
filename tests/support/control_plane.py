"""Replicas of `stackworks server` on one PostgreSQL, behind a real HAProxy on loopback.

HAProxy runs the configuration docs/high-availability.md shows, read from the document itself
(its ```haproxy block), with the loopback addresses of this run's replicas put in place of the
example's; so the documented configuration is the one the tests prove.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx

from support.processes import free_port, stop_group, wait_until

DOC = Path(__file__).resolve().parents[2] / "docs" / "high-availability.md"
EXAMPLE_BIND = "bind :8700"
EXAMPLE_SERVERS = ("10.0.0.11:8700", "10.0.0.12:8700")
READY_TIMEOUT = 30.0


def documented_config() -> str:
    """The ```haproxy block of docs/high-availability.md."""
    found = re.search(r"```haproxy\n(.*?)```", DOC.read_text(), re.DOTALL)
    if found is None:
        raise AssertionError(f"{DOC}: no ```haproxy block")
    return found.group(1)


def config_for(bind_port: int, replica_ports: tuple[int, int]) -> str:
    """The documented configuration, on 127.0.0.1 with this run's ports."""
    text = documented_config()
    for example in (EXAMPLE_BIND, *EXAMPLE_SERVERS):
        if text.count(example) != 1:
            raise AssertionError(f"{DOC}: expected {example!r} once in the haproxy block")
    text = text.replace(EXAMPLE_BIND, f"bind 127.0.0.1:{bind_port}")
    for example, port in zip(EXAMPLE_SERVERS, replica_ports, strict=True):
        text = text.replace(example, f"127.0.0.1:{port}")
    return text


class ControlPlaneProxy:
    """`haproxy -W -db` in its own session, ended by its process group."""

    def __init__(self, directory: Path, replica_ports: tuple[int, int], port: int = 0) -> None:
        """`port`: where it listens (default: a free one), known before the replicas start,
        whose agents must be told the proxy's URL."""
        self.directory = directory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.replica_ports = replica_ports
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "haproxy.cfg"
        config.write_text(config_for(self.port, self.replica_ports))
        with open(self.directory / "haproxy.log", "ab") as log:
            self.process = subprocess.Popen(
                ["haproxy", "-W", "-db", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, READY_TIMEOUT, what="HAProxy to pass requests to a replica")

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = (self.directory / "haproxy.log").read_text(errors="replace")
            raise RuntimeError(f"haproxy exited: {log}")
        try:
            return httpx.get(f"{self.url}/api/v1/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        stop_group(self.process, grace=10)
        self.process = None
