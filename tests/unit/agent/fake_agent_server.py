"""An in-memory fake of the server's agent routes, served through httpx.MockTransport."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from stackworks.agent.converge_process import ConvergeOutcome

CREDENTIAL = "instance-credential"


def command(command_id: str, run_list: list[str], **configuration: Any) -> dict[str, Any]:
    return {
        "id": command_id,
        "type": "execute_recipes",
        "deployment_id": None,
        "run_list": run_list,
        "configuration": configuration,
        "timeout": 30.0,
    }


class FakeAgentServer:
    """Hands out queued commands until each has a result; can fail requests on demand.

    `failures` is a list of what the next matching requests get instead of an answer:
    an int status (e.g. 503) or an exception instance (e.g. httpx.ConnectError).
    """

    def __init__(self, commands: list[dict[str, Any]] | None = None) -> None:
        self.commands = list(commands or [])
        self.acks: list[str] = []
        self.logs: dict[str, dict[int, list[str]]] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.heartbeats: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.failures: list[int | Exception] = []
        self.fail_path: str = ""  # only requests whose path contains this fail
        self.status_for: dict[str, int] = {}  # path -> fixed status (e.g. 404 for an ack)
        self.on_result: Callable[[str], None] = lambda command_id: None
        #: credentials accepted; `offer` is a rotation's new one, handed out on a heartbeat and
        #: the only one accepted once it is used
        self.credentials = {CREDENTIAL}
        self.offer: str | None = None
        self.used: list[str] = []  # the credential of each accepted request
        #: stack configuration versions it serves (GET /agent/stack-configuration/{version})
        self.stack_configurations: dict[str, dict[str, Any]] = {}
        #: the `have` of each poll (the version the agent said it holds)
        self.polls_have: list[str | None] = []
        #: the `wait` of each poll, and the poll wait its heartbeats tell (None: none)
        self.polls_wait: list[str | None] = []
        self.told_poll_wait: float | None = None
        #: what its heartbeats' answers tell: the interval and the wait to the agent's slot
        self.told_interval: float = 60
        self.told_next_heartbeat_in: float | None = None
        #: play a server older than `CommandResult.log`: a result carrying it is refused
        self.refuses_result_log = False
        self._lock = threading.Lock()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        with self._lock:
            self.requests.append(f"{request.method} {path}")
            if self.failures and self.fail_path in path:
                failure = self.failures.pop(0)
                if isinstance(failure, Exception):
                    raise failure
                return httpx.Response(failure, json={"detail": "unavailable"})
        presented = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            if presented == self.offer:
                self.credentials, self.offer = {presented}, None  # confirmed
            if presented not in self.credentials and presented != self.offer:
                return httpx.Response(401, json={"detail": {"message": "bad credential"}})
            self.used.append(presented)
        if path in self.status_for:
            return httpx.Response(self.status_for[path], json={"detail": {"message": "no"}})
        body = json.loads(request.content) if request.content else {}
        prefix = "/api/v1/agent"
        if path == f"{prefix}/heartbeat":
            self.heartbeats.append(body)
            return httpx.Response(
                200,
                json={
                    "status": "online",
                    "heartbeat_interval": self.told_interval,
                    "credential": self.offer,
                    "poll_wait": self.told_poll_wait,
                    "next_heartbeat_in": self.told_next_heartbeat_in,
                },
            )
        if path == f"{prefix}/commands":
            self.polls_have.append(request.url.params.get("have"))
            self.polls_wait.append(request.url.params.get("wait"))
            pending = [c for c in self.commands if c["id"] not in self.results]
            if not pending:
                time.sleep(0.02)  # a (very) short hold, as a long poll would
            return httpx.Response(200, json={"commands": pending})
        if path.startswith(f"{prefix}/stack-configuration/"):
            version = path.rsplit("/", 1)[1]
            if version not in self.stack_configurations:
                return httpx.Response(404, json={"detail": {"message": "no such version"}})
            return httpx.Response(200, json=self.stack_configurations[version])
        parts = path.removeprefix(f"{prefix}/commands/").split("/")
        command_id, action = parts[0], parts[1]
        if action == "ack":
            self.acks.append(command_id)
        elif action == "log":
            self.logs.setdefault(command_id, {}).setdefault(body["seq"], body["lines"])
        elif action == "result":
            if "log" in body and self.refuses_result_log:
                refusal = {"message": "log: Extra inputs are not permitted", "field": "log"}
                return httpx.Response(422, json={"detail": refusal})
            chunk = body.pop("log", None)
            if chunk is not None:
                self.logs.setdefault(command_id, {}).setdefault(chunk["seq"], chunk["lines"])
            self.results[command_id] = body
            self.on_result(command_id)
        return httpx.Response(204)

    def log_lines(self, command_id: str) -> list[str]:
        chunks = self.logs.get(command_id, {})
        return [line for seq in sorted(chunks) for line in chunks[seq]]


class FakeConverge:
    """Records its calls; logs given lines, calls `then` with the log (a run that goes on),
    then returns `outcome` or raises `error`."""

    def __init__(
        self,
        lines: Sequence[str] = (),
        outcome: ConvergeOutcome | None = None,
        error: Exception | None = None,
        then: Callable[[Callable[[str], None]], None] | None = None,
    ) -> None:
        self.lines = lines
        self.then = then
        self.outcome = outcome or ConvergeOutcome(ok=True, report={"ok": True, "resources": []})
        self.error = error
        self.calls: list[list[str]] = []
        self.configurations: list[dict[str, Any]] = []

    def __call__(
        self,
        run_list: Sequence[str],
        configuration: dict[str, Any],
        *,
        cache_dir: Path,
        log: Callable[[str], None],
        timeout: float,
    ) -> ConvergeOutcome:
        self.calls.append(list(run_list))
        self.configurations.append(configuration)
        for line in self.lines:
            log(line)
        if self.then is not None:
            self.then(log)
        if self.error:
            raise self.error
        return self.outcome
