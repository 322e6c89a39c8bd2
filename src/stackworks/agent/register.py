"""`stackworks agent register`: make a host you already run into an instance of a stack.

A one-time registration token (`stackworks instance register-token STACK`, expiring) asks the
server for a new instance (POST /agent/register); the answer carries the instance's own
credential, shown once, which goes straight into the agent's configuration file (mode 0600)
and nowhere else: it is never printed.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from stackworks.agent.client import API_PREFIX
from stackworks.agent.config import AgentConfig, write_config
from stackworks.tls import TlsSetupError, certificate_problem, client_verify
from stackworks.wire.schemas import RegisterRequest, RegisterResponse

DEFAULT_CONFIG = Path("/etc/stackworks/agent.json")
DEFAULT_STATE = Path("/var/lib/stackworks/agent")
DEFAULT_POLL_WAIT = 20.0


class RegisterError(Exception):
    """Registration failed; the message says why (never with the token in it)."""


def guess_private_ip(server_url: str) -> str:
    """The address this host uses to reach the server (a UDP connect sends no packet)."""
    host = urlsplit(server_url).hostname or "127.0.0.1"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((host, 9))
            address: str = probe.getsockname()[0]
            return address
    except OSError:
        return "127.0.0.1"


def run_instructions(config_path: Path) -> str:
    return (
        f"Agent configuration written to {config_path}.\n"
        f"Run the agent with:  stackworks agent run --config {config_path}\n"
        "(keep it running under systemd or supervisord, e.g. ExecStart= that command)"
    )


def register_host(
    server_url: str,
    stack: str,
    layers: Sequence[str],
    token: str,
    *,
    hostname: str | None = None,
    private_ip: str | None = None,
    config_path: Path | None = None,
    state_dir: Path | None = None,
    transport: httpx.BaseTransport | None = None,
    echo: Callable[[str], None] = print,
    ca_file: Path | None = None,
) -> Path:
    """Register this host with the server, write its agent configuration; returns its path.
    `ca_file` verifies an https server (default: the system's CAs) and goes into the config."""
    server_url = server_url.rstrip("/")
    if not server_url.startswith(("http://", "https://")):
        raise RegisterError(f"--server: {server_url!r} must start with http:// or https://")
    layer_names = [name.strip() for name in layers if name.strip()]
    if not layer_names:
        raise RegisterError("--layers: name at least one layer")
    path = config_path or DEFAULT_CONFIG
    state = state_dir or (DEFAULT_STATE if config_path is None else path.parent / "agent-state")
    request = RegisterRequest(
        stack=stack,
        layers=layer_names,
        hostname=hostname or socket.gethostname().split(".")[0],
        private_ip=private_ip or guess_private_ip(server_url),
    )
    ca_path = ca_file.resolve() if ca_file is not None else None
    try:
        verify = client_verify(ca_path)
    except TlsSetupError as exc:
        raise RegisterError(f"--ca-file: {exc}") from None
    try:
        with httpx.Client(
            base_url=server_url + API_PREFIX,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30.0,
            transport=transport,
            verify=verify,
        ) as http:
            response = http.post("/agent/register", json=request.model_dump())
    except httpx.HTTPError as exc:
        refused = certificate_problem(exc)
        if refused is not None:
            raise RegisterError(
                f"the TLS certificate of {server_url} was not accepted ({refused}); pass "
                "--ca-file with the CA (or the certificate) the server uses"
            ) from None
        raise RegisterError(f"cannot reach {server_url}: {exc}") from None
    if response.status_code in (401, 403):
        raise RegisterError(f"the server refused the registration token: {_detail(response)}")
    if response.status_code >= 400:
        raise RegisterError(f"the server refused the registration: {_detail(response)}")
    try:
        answer = RegisterResponse.model_validate(response.json())
    except (ValueError, ValidationError) as exc:
        raise RegisterError(f"unexpected answer from {server_url}: {exc}") from None
    config = AgentConfig(
        server_url=server_url,
        instance_id=answer.instance_id,
        hostname=answer.hostname,
        stack_id=answer.stack_id,
        credential=answer.credential,
        state_dir=state,
        heartbeat_interval=answer.heartbeat_interval,
        poll_wait=DEFAULT_POLL_WAIT,
        ca_file=ca_path,
    )
    write_config(path, config)
    echo(f"Registered {answer.hostname} (instance {answer.instance_id}) in stack {stack!r}.")
    echo(run_instructions(path))
    return path


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return f"{response.status_code} {response.text[:200]}"
    if isinstance(detail, dict):
        field = f" (field {detail['field']})" if detail.get("field") else ""
        return f"{detail.get('message', detail)}{field}"
    return f"{response.status_code} {detail}"
