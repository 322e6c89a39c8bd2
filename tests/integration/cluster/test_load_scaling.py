"""Load-based scaling on real processes: a CPU-bound load the test makes starts a load-based
instance (it comes online), and when the load ends it is stopped again; the 24/7 instance is
never touched. The agents report host-wide cpu (psutil), every second.

Thresholds are picked for a shared 2-core machine: up when the layer average is over 85 %
(the test saturates every core), down when it is under 70 %, with sub-minute waits. The cpu
is the whole machine's, so another test's build beside this one would hold the layer above
70 %: the test is marked `alone` and scripts/test runs it after the parallel workers are done.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from support.cluster import ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.alone]

BUSY_SECONDS = 150  # the load ends by itself at the latest after this
BUSY_LOOP = f"import time\nend = time.time() + {BUSY_SECONDS}\nwhile time.time() < end:\n    pass\n"


@pytest.fixture
def cpu_load() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start nothing yet; whatever the test starts in the list is ended by pid at the end."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        end_load(started)


def start_load(started: list[subprocess.Popen[bytes]]) -> None:
    for _ in range(os.cpu_count() or 2):
        started.append(
            subprocess.Popen(
                [sys.executable, "-c", BUSY_LOOP],
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        )


def end_load(started: list[subprocess.Popen[bytes]]) -> None:
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_a_cpu_load_starts_the_load_based_instance_and_its_end_stops_it(
    server: ServerProcess, cpu_load: list[subprocess.Popen[bytes]]
) -> None:
    server.call("POST", "/stacks", {"name": "busy"}, expect=201)
    server.call("POST", "/stacks/busy/layers", {"shortname": "app", "type": "custom"}, expect=201)
    for hostname, scaling in [("always1", "24/7"), ("load1", "load")]:
        body = {"layers": ["app"], "hostname": hostname, "scaling": scaling}
        server.call("POST", "/stacks/busy/instances", body, expect=201)
    server.call("POST", "/stacks/busy/instances/always1/start", expect=200)
    server.wait_for_status("busy", ["always1"], "online")
    began = datetime.now(UTC)
    config = {
        "enable": True,
        "up_scaling": {
            "cpu_threshold": 85,
            "thresholds_wait_time": 0.05,
            "ignore_metrics_time": 0.3,
        },
        "down_scaling": {
            "cpu_threshold": 70,
            "thresholds_wait_time": 0.1,
            "ignore_metrics_time": 0.5,
        },
    }
    server.call("PATCH", "/stacks/busy/layers/app/load-scaling", config, expect=200)

    start_load(cpu_load)
    server.wait_for_status("busy", ["load1"], "online", timeout=120)
    end_load(cpu_load)
    server.wait_for_status("busy", ["load1"], "stopped", timeout=120)

    events = server.call("GET", "/stacks/busy/events?kind=scaling", expect=200)
    messages = [e["message"] for e in events]
    assert messages[0].startswith("layer app scaled up: started load1: layer average cpu")
    assert any(m.startswith("layer app scaled down: stopped load1:") for m in messages)
    assert all("always1" not in m for m in messages)
    assert server.instances("busy")["always1"]["status"] == "online"

    since = (began - timedelta(seconds=5)).isoformat()
    history = server.client.get(
        "/stacks/busy/instances/always1/metrics", params={"since": since}
    ).json()
    cpus = [p["cpu"] for p in history["points"]]
    assert len(cpus) > 5 and max(cpus) > 85  # the heartbeats' history saw the load
    layer = server.client.get("/stacks/busy/layers/app/metrics", params={"since": since}).json()
    assert layer["points"] and layer["resolution"] == "minute"
