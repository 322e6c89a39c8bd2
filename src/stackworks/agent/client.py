"""The agent's side of the agent routes (docs/api.md), over one httpx client.

Errors, from the agent's point of view:

AgentClientError
 ├── AgentAuthError     401/403: the credential was replaced or revoked; the agent must stop
 ├── AgentRequestError  another 4xx: the server refuses this request; retrying will not help
 └── AgentUnreachable   no answer, and the call gave up: a single try, or the agent is stopping

Connection errors, timeouts and 5xx answers are not errors here: the call waits (exponential
backoff with jitter, 0.5 s doubling to 10 s) and tries again, as long as the server is away, so a
server restart costs the agent nothing but time. A 429 (the server throttles this address after
failed authentications) waits its Retry-After, at most a minute, and tries again. Only a stop
request ends the waiting.

The transport is injectable: tests pass an `httpx.MockTransport` (or the ASGI app in-process).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from stackworks import __version__
from stackworks.tls import certificate_problem, client_verify
from stackworks.wire.schemas import (
    AgentCommand,
    AgentCommands,
    CommandResult,
    Heartbeat,
    HeartbeatReply,
    LogChunk,
)

log = logging.getLogger("stackworks.agent")

API_PREFIX = "/api/v1"
FIRST_DELAY = 0.5
MAX_DELAY = 10.0
MAX_RETRY_AFTER = 60.0


class AgentClientError(Exception):
    """Base of the errors an agent route call can end with."""


class AgentAuthError(AgentClientError):
    """The server refused the credential (401/403)."""


class AgentRequestError(AgentClientError):
    """A 4xx other than 401/403: this request will never succeed as it is."""

    def __init__(self, message: str, status_code: int, field: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.field = field  # the request field the server named at fault, if it did


class AgentUnreachable(AgentClientError):
    """No usable answer, and the call stopped retrying (asked to try once, or to stop)."""


def backoff_delays(rand: Callable[[], float] = random.random) -> Iterator[float]:
    """Endless retry delays: 0.5 s doubling up to 10 s, each scaled into [50 %, 100 %] by jitter.

    The jitter keeps many agents, all cut off by the same server restart, from coming back in
    the same instant.
    """
    base = FIRST_DELAY
    while True:
        yield base * (0.5 + 0.5 * rand())
        base = min(base * 2, MAX_DELAY)


class AgentClient:
    """One instance's calls to its server; every call retries until it gets an answer."""

    def __init__(
        self,
        server_url: str,
        credential: str,
        *,
        poll_wait: float = 20.0,
        transport: httpx.BaseTransport | None = None,
        stop: threading.Event | None = None,
        rand: Callable[[], float] = random.random,
        ca_file: Path | None = None,
    ) -> None:
        self._stop = stop or threading.Event()
        #: whether the server takes a result's last log chunk with it (`CommandResult.log`);
        #: False once a server older than that refused it
        self.result_takes_log = True
        self._rand = rand
        self._credential = credential
        self._http = httpx.Client(
            base_url=server_url.rstrip("/") + API_PREFIX,
            headers={"User-Agent": f"stackworks-agent/{__version__}"},
            # The server holds a poll for up to `poll_wait`: reading must outlast it.
            timeout=httpx.Timeout(10.0, read=poll_wait + 15.0),
            transport=transport,
            verify=client_verify(ca_file),
        )

    def close(self) -> None:
        self._http.close()

    def use_credential(self, credential: str) -> None:
        """Call with `credential` from now on (a rotation's new one, already saved)."""
        self._credential = credential

    def __enter__(self) -> AgentClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the routes -----------------------------------------------------------------------

    def heartbeat(self, metrics: dict[str, Any]) -> HeartbeatReply:
        body = Heartbeat(metrics=metrics, agent_version=__version__)
        response = self._request("POST", "/agent/heartbeat", json=body.model_dump())
        return HeartbeatReply.model_validate(response.json())

    def commands(self, wait: float, have: str | None = None) -> list[AgentCommand]:
        """Pending commands; their shared sections come by version (`stack_configuration`),
        with the delta from `have` (the version held) when the server has one, and each taken
        as acknowledged by its delivery (`acknowledged`) by a server that can."""
        params = {
            "wait": f"{wait:g}",
            "stack_configuration": "by_version",
            "acknowledge": "on_delivery",
        }
        if have is not None:
            params["have"] = have
        # the server may have told a longer wait than the one this client was made with
        read = httpx.Timeout(10.0, read=wait + 15.0)
        response = self._request("GET", "/agent/commands", params=params, timeout=read)
        return AgentCommands.model_validate(response.json()).commands

    def stack_configuration(self, version: str) -> dict[str, Any]:
        """The shared sections of a stack configuration version (gzip-compressed on the wire;
        httpx asks for it and decompresses)."""
        response = self._request("GET", f"/agent/stack-configuration/{version}")
        body = response.json()
        if not isinstance(body, dict):
            raise AgentRequestError(
                f"stack configuration {version}: not a JSON object", response.status_code
            )
        return body

    def ack(self, command_id: str, *, retry: bool = True) -> None:
        self._request("POST", f"/agent/commands/{command_id}/ack", retry=retry)

    def send_log(self, command_id: str, chunk: LogChunk, *, retry: bool = True) -> None:
        self._request(
            "POST", f"/agent/commands/{command_id}/log", json=chunk.model_dump(), retry=retry
        )

    def send_result(
        self,
        command_id: str,
        result: CommandResult,
        *,
        last_chunk: LogChunk | None = None,
        retry: bool = True,
    ) -> None:
        """Report `result`, with the command's `last_chunk` of log in the same request.

        A server older than that (it refuses the result with 422 naming the field `log`) gets
        the chunk as a separate log request before the result, from then on."""
        path = f"/agent/commands/{command_id}/result"
        if last_chunk is not None and self.result_takes_log:
            with_log = result.model_copy(update={"log": last_chunk})
            try:
                self._request("POST", path, json=with_log.to_wire(), retry=retry)
                return
            except AgentRequestError as exc:
                if (exc.status_code, exc.field) != (422, "log"):
                    raise
            log.info("the server takes no log with a result (an older version): sent apart")
            self.result_takes_log = False
        if last_chunk is not None:
            self.send_log(command_id, last_chunk, retry=retry)
        self._request("POST", path, json=result.to_wire(), retry=retry)

    # --- retrying -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        retry: bool = True,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Send until the server answers below 500 (and not 429); `retry=False` tries once
        (used at exit)."""
        delays = backoff_delays(self._rand)
        while True:
            problem: str
            asked_wait = 0.0
            credential = self._credential
            try:
                response = self._http.request(
                    method,
                    path,
                    json=json,
                    params=params,
                    headers={"Authorization": f"Bearer {credential}"},
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TransportError as exc:
                refused = certificate_problem(exc)
                problem = (
                    f"{type(exc).__name__}: {exc}"
                    if refused is None
                    else f"the server's TLS certificate was not accepted ({refused}); "
                    "check ca_file in the agent configuration"
                )
            else:
                if response.status_code == 401 and credential != self._credential:
                    continue  # sent with the old credential as a rotation ended it: resend
                if response.status_code < 500 and response.status_code != 429:
                    return _checked(response, method, path)
                problem = f"server answered {response.status_code}"
                asked_wait = _retry_after(response)
            if not retry or self._stop.is_set():
                raise AgentUnreachable(f"{method} {path}: {problem}")
            delay = max(next(delays), asked_wait)
            log.warning("%s %s: %s; retrying in %.1f s", method, path, problem, delay)
            if self._stop.wait(delay):
                raise AgentUnreachable(f"{method} {path}: stopped while retrying ({problem})")


def _retry_after(response: httpx.Response) -> float:
    """The seconds an answer asks the agent to wait (bounded), 0 when it does not say."""
    value = response.headers.get("Retry-After", "")
    return min(float(value), MAX_RETRY_AFTER) if value.isdigit() else 0.0


def _checked(response: httpx.Response, method: str, path: str) -> httpx.Response:
    if response.status_code in (401, 403):
        raise AgentAuthError(
            f"the server refused this instance's credential ({response.status_code}): it was "
            "replaced (the instance was restarted) or revoked"
        )
    if response.status_code >= 400:
        message, field = _detail(response)
        raise AgentRequestError(
            f"{method} {path}: server answered {response.status_code}: {message}",
            response.status_code,
            field,
        )
    return response


def _detail(response: httpx.Response) -> tuple[str, str | None]:
    """The message of an error answer, and the field it names (docs/api.md, Errors)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:200], None
    if isinstance(detail, dict):
        field = detail.get("field")
        return str(detail.get("message", detail)), field if isinstance(field, str) else None
    return str(detail), None
