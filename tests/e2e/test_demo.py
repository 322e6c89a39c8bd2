"""The README's main command: `stackworks demo` brings up the load-balanced sample app, a second
run reuses it, and `stackworks demo --down` stops it all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackworks.providers.local import LocalProvider
from stackworks.providers.local_layout import InstanceLayout
from support.processes import free_port, is_alive
from support.web import get

pytestmark = pytest.mark.integration


def demo(data_dir: Path, listen: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "stackworks",
            "demo",
            "--data-dir",
            str(data_dir),
            "--listen",
            listen,
            "--timeout",
            "240",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", "STACKWORKS_HEARTBEAT_INTERVAL": "2"},
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "d"
    yield where
    # the server first, so that its auto-healing cannot start again an instance stopped here
    pid_file = where / "server.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if is_alive(pid):
            os.killpg(pid, signal.SIGKILL)
    provider = LocalProvider(data_dir=where)
    for root in sorted(where.glob("instances/*/*")):
        provider.stop_layout(InstanceLayout(root))


def test_the_demo_serves_the_app_reuses_itself_and_comes_down(data_dir: Path) -> None:
    listen = f"127.0.0.1:{free_port()}"
    first = demo(data_dir, listen)
    assert first.returncode == 0, first.stdout + first.stderr
    url = re.search(r"The demo app answers at (\S+)", first.stdout)
    assert url, first.stdout
    status, body = get(url.group(1))
    assert status == 200 and "Hello from app" in body

    again = demo(data_dir, listen)
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 7 unchanged" in again.stdout
    assert "left as is" in again.stdout

    pid = int((data_dir / "server.pid").read_text())
    down = demo(data_dir, listen, "--down")
    assert down.returncode == 0, down.stderr
    assert "Stopped app1, app2, lb1." in down.stdout
    assert get(url.group(1), timeout=2)[0] == 0
    for _ in range(50):
        if not is_alive(pid):
            break
        subprocess.run(["sleep", "0.2"], check=True)
    assert not is_alive(pid)
