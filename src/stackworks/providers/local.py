"""The local provider: each instance is a directory tree and a supervisord of its own, on this host.

Its supervisord is started in a new session, detached from the server (its own stdio, no
controlling terminal), so instances keep running while the server restarts. Everything the
provider needs later is on disk under the instance's root: the pidfile, the session record,
the configuration; so a restarted server can stop or delete what an earlier one started.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from stackworks.atomic import write_json_atomic
from stackworks.domain.entities import Instance
from stackworks.providers import address_claims, sessions
from stackworks.providers.base import (
    AddressExhausted,
    Provider,
    StartFailed,
    StartResult,
    StopFailed,
)
from stackworks.providers.local_layout import InstanceLayout
from stackworks.wire.agent_config import AgentConfig

START_TIMEOUT = 20.0
SHUTDOWN_TIMEOUT = 60.0  # supervisord stops each program within its stopwaitsecs


def local_addresses() -> list[str]:
    """127.77.0.1 … 127.77.255.254, in order: all loopback, never 127.0.0.1."""
    return [f"127.77.{x}.{y}" for x in range(256) for y in range(1, 255)]


class LocalProvider(Provider):
    name = "local"

    def __init__(self, data_dir: Path | str, **_ignored: Any) -> None:
        self.data_dir = Path(data_dir)

    def layout(self, instance: Instance) -> InstanceLayout:
        if instance.root_dir:
            return InstanceLayout(Path(instance.root_dir))
        return InstanceLayout.under(self.data_dir, instance.stack_id, instance.hostname)

    def allocate_address(self, taken: set[str]) -> str:
        """The first address that this server has not given out, no other data dir on this host
        has claimed, and nothing listens on."""
        for address in local_addresses():
            if address in taken or address_claims.listened_on(address):
                continue
            if address_claims.claim(address, self.data_dir):
                return address
        raise AddressExhausted("every address in 127.77.0.0/16 is taken")

    # --- start ----------------------------------------------------------------------------

    def start(self, instance: Instance, agent_config: AgentConfig) -> StartResult:
        layout = self.layout(instance)
        if not instance.private_ip:
            raise StartFailed(f"{instance.hostname}: no private address was allocated")
        self.stop(instance)  # leftovers of an earlier run (e.g. a crash) go first
        layout.make_tree()
        config = agent_config.model_copy(update={"state_dir": layout.root / "agent"})
        write_json_atomic(layout.agent_config, config.to_json(), mode=0o600)
        layout.supervisord_conf.write_text(layout.supervisord_config(), encoding="utf-8")
        for stale in (layout.pidfile, layout.socket, layout.session_file):
            stale.unlink(missing_ok=True)
        process = self._spawn(layout)
        record = sessions.SessionRecord.of_leader(process.pid)
        write_json_atomic(
            layout.session_file,
            {"sid": record.sid, "leader_started": record.leader_started},
            mode=0o644,
        )
        self._wait_ready(layout, process, instance.hostname)
        return StartResult(root_dir=str(layout.root), private_ip=instance.private_ip)

    def _spawn(self, layout: InstanceLayout) -> subprocess.Popen[bytes]:
        env = {**os.environ, "STACKWORKS_INSTANCE_ROOT": str(layout.root)}
        with (
            open(os.devnull, "rb") as devnull,
            open(layout.supervisord_output, "ab") as output,
        ):
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "supervisor.supervisord",
                    "-c",
                    str(layout.supervisord_conf),
                ],
                stdin=devnull,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                cwd=layout.root,
                env=env,
            )

    def _wait_ready(
        self, layout: InstanceLayout, process: subprocess.Popen[bytes], hostname: str
    ) -> None:
        """Return once supervisord's socket accepts connections and its pidfile names it (it
        opens the socket before it writes the pidfile, and `is_running` reads the pidfile);
        fail if it dies or stalls."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StartFailed(
                    f"{hostname}: supervisord exited with status {process.returncode}: "
                    f"{_tail(layout.supervisord_output)}"
                )
            if _answers(layout.socket) and _supervisord_pid(layout) is not None:
                return
            time.sleep(0.05)
        self.stop_layout(layout)
        raise StartFailed(f"{hostname}: supervisord did not answer within {START_TIMEOUT:g} s")

    # --- stop -----------------------------------------------------------------------------

    def stop(self, instance: Instance) -> None:
        self.stop_layout(self.layout(instance))

    def stop_layout(self, layout: InstanceLayout) -> None:
        """Graceful shutdown through supervisorctl, then SIGKILL whatever of the session is left."""
        record = _session(layout)
        if record is None:
            return  # never started (or its files are gone): nothing of it can be running
        pid = _supervisord_pid(layout)
        if pid is not None:
            self._shutdown(layout)
            sessions.wait_gone(pid, SHUTDOWN_TIMEOUT)
        survivors = sessions.kill_session(record)
        if survivors:
            raise StopFailed(f"{layout.root}: processes {survivors} would not end")
        sessions.reap(record.sid)
        layout.socket.unlink(missing_ok=True)

    def _shutdown(self, layout: InstanceLayout) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):  # the kill after it ends it then
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "supervisor.supervisorctl",
                    "-c",
                    str(layout.supervisord_conf),
                    "shutdown",
                ],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=SHUTDOWN_TIMEOUT,
                check=False,
            )

    # --- state ----------------------------------------------------------------------------

    def is_running(self, instance: Instance) -> bool:
        return _supervisord_pid(self.layout(instance)) is not None

    def delete(self, instance: Instance) -> None:
        layout = self.layout(instance)
        self.stop_layout(layout)
        shutil.rmtree(layout.root, ignore_errors=True)
        if layout.root.exists():
            raise StopFailed(f"{layout.root}: could not be removed")
        if instance.private_ip:
            address_claims.release(instance.private_ip, self.data_dir)


def _session(layout: InstanceLayout) -> sessions.SessionRecord | None:
    try:
        data = json.loads(layout.session_file.read_text(encoding="utf-8"))
        return sessions.SessionRecord(int(data["sid"]), float(data["leader_started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _supervisord_pid(layout: InstanceLayout) -> int | None:
    """The pid in the pidfile, if it is alive and is the supervisord of this very root."""
    try:
        pid = int(layout.pidfile.read_text().strip())
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        command = process.cmdline()
    except (OSError, ValueError, psutil.Error):
        return None
    if any("supervisord" in part for part in command) and str(layout.supervisord_conf) in command:
        return pid
    return None


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"
