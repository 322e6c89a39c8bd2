"""A real Stackworks server process on loopback, and the cleanup that ends every instance it made.

Instances of the local provider run detached from the server (their own sessions), so ending
the server does not end them; `ServerProcess.close` stops each one through the local provider,
by the session id it recorded, and then ends the server's own process group.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from stackworks.providers import sessions
from stackworks.providers.local import LocalProvider
from stackworks.providers.local_layout import InstanceLayout
from support.processes import free_port, stop_group, wait_until

#: seconds a server may take to answer after it was started: about 4 s on a quiet machine, but
#: the parallel suite starts three workers' heaviest files at once (Plone builds beside server
#: starts), and one start took over 30 s there
READY_TIMEOUT = 90.0


class ServerProcess:
    """`python -m stackworks server` on 127.0.0.1 and a free port, with an admin client."""

    def __init__(
        self,
        data_dir: Path,
        *,
        env: dict[str, str] | None = None,
        tls: tuple[Path, Path] | None = None,
        database_url: str | None = None,
        host: str = "127.0.0.1",
        args: tuple[str, ...] = (),
        log_name: str = "server.log",
    ) -> None:
        """`tls`: (certificate, key) to serve HTTPS with; the client trusts that certificate.
        `database_url`: the server's database (default: SQLite in the data dir).
        `host`: the address to listen on (the ssh tests' bridge address, which their hosts'
        agents reach). `args`: more options of `stackworks server`; `log_name`: its log file in
        the data dir (replicas sharing a data dir keep one each)."""
        self.data_dir = data_dir
        self.database_url = database_url
        self.host = host
        self.args = args
        self.log_name = log_name
        self.port = free_port()
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self.env = {**os.environ, "STACKWORKS_HEARTBEAT_INTERVAL": "1", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""
        verify = ssl.create_default_context(cafile=str(tls[0])) if tls else True
        self.client = httpx.Client(base_url=f"{self.url}/api/v1", timeout=30, verify=verify)

    # --- process -------------------------------------------------------------------------

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / self.log_name, "ab")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stackworks",
                "server",
                "--data-dir",
                str(self.data_dir),
                "--listen",
                f"{self.host}:{self.port}",
                *(
                    ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
                    if self.tls
                    else []
                ),
                *(["--database-url", self.database_url] if self.database_url else []),
                *self.args,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=self.env,
        )
        log.close()
        token_file = self.data_dir / "admin-token"
        self.token = wait_until(
            lambda: token_file.exists() and token_file.read_text().strip(),
            READY_TIMEOUT,
            what="the admin token file",
        )
        self.client.headers["Authorization"] = f"Bearer {self.token}"
        wait_until(self._answers, READY_TIMEOUT, what="the server to answer")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the server exited: {self.log_tail()}")
        try:
            return self.client.get("/health").status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL its group); instances keep running."""
        if self.process is None:
            return
        stop_group(self.process, grace=15)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """End the server, then every instance under the data dir. The server goes first so
        that its auto-healing cannot start again an instance this is stopping."""
        self.stop()
        provider = LocalProvider(data_dir=self.data_dir)
        for stack_dir in sorted((self.data_dir / "instances").glob("*")):
            for root in sorted(stack_dir.glob("*")):
                provider.stop_layout(InstanceLayout(root))
        self.client.close()

    def kill_instance(self, stack: str, hostname: str) -> int:
        """SIGKILL every process of a local instance at once (its supervisord, agent and
        services), as a crash of its machine would; returns how many there were."""
        root = Path(self.instances(stack)[hostname]["root_dir"])
        data = json.loads((root / "run" / "session.json").read_text())
        record = sessions.SessionRecord(int(data["sid"]), float(data["leader_started"]))
        members = sessions.live_members(record)
        survivors = sessions.kill_session(record)
        if survivors:
            raise AssertionError(f"{hostname}: processes {survivors} survived SIGKILL")
        return len(members)

    def events(self, stack: str, kind: str | None = None) -> list[dict[str, Any]]:
        query = f"?kind={kind}&limit=1000" if kind else "?limit=1000"
        return list(self.call("GET", f"/stacks/{stack}/events{query}", expect=200))

    def log_tail(self, lines: int = 40) -> str:
        path = self.data_dir / self.log_name
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )

    # --- API -----------------------------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        answer = self.client.request(method, path, json=body)
        if expect is not None and answer.status_code != expect:
            raise AssertionError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json() if answer.content else None

    def instances(self, stack: str) -> dict[str, dict[str, Any]]:
        return {
            i["hostname"]: i for i in self.call("GET", f"/stacks/{stack}/instances", expect=200)
        }

    def wait_for_status(
        self, stack: str, hostnames: list[str], status: str, timeout: float = 120.0
    ) -> None:
        failed = {"setup_failed", "start_failed"}

        def reached() -> bool:
            current = self.instances(stack)
            bad = [h for h in hostnames if current[h]["status"] in failed - {status}]
            if bad:
                raise AssertionError(f"{bad} failed:\n{self.failure_logs(stack)}")
            return all(current[h]["status"] == status for h in hostnames)

        wait_until(reached, timeout, interval=0.2, what=f"{hostnames} to be {status}")

    def failure_logs(self, stack: str) -> str:
        """The logs of the stack's failed commands: what a failing test should show."""
        commands = self.call("GET", f"/stacks/{stack}/commands?logs=true", expect=200)
        return "\n".join(
            f"--- {c['type']} on {c['instance']} ({c['status']}):\n{c['log']}"
            for c in commands
            if c["status"] == "failed"
        )

    def wait_idle(self, stack: str, timeout: float = 120.0) -> list[dict[str, Any]]:
        """Wait until no command of the stack is pending; returns every command."""
        commands: list[dict[str, Any]] = []

        def idle() -> bool:
            nonlocal commands
            commands = self.call("GET", f"/stacks/{stack}/commands", expect=200)
            return all(c["status"] != "pending" for c in commands)

        wait_until(idle, timeout, interval=0.2, what="every command to finish")
        return commands
