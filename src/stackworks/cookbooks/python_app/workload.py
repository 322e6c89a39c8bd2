"""The pure decisions of the `python_app` cookbook: nothing here touches the disk or the network.

An app's processes come from its Procfile (`name: command` lines). The `web` process runs in N
copies on ports base_port+1..N of the instance's private address; every other process runs once.
The `haproxy` cookbook imports `process_count` and `web_ports` from here, so the load balancer
and the app servers always agree on where the web copies listen.
"""

from __future__ import annotations

import os
import re
import shlex
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stackworks.cookbooks.values import positive

#: the Procfile process that serves HTTP and runs in N copies
WEB = "web"

_PROCESS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_RELEASE_NAME = re.compile(r"^\d{8}T\d{6}Z$")
_PLACEHOLDER = re.compile(r"\$(?:PORT|HOST)\b|\$\{(?:PORT|HOST)\}")


class ProcfileError(ValueError):
    """A Procfile line that cannot be understood; the message names the file and line."""


@dataclass(frozen=True)
class Process:
    """One long-running process of an app, as the service manager will run it."""

    service: str  # the service name: `<app>-web-<n>` or `<app>-<process>`
    kind: str  # the Procfile process name
    argv: tuple[str, ...]
    environment: dict[str, str] = field(default_factory=dict)
    port: int | None = None  # web copies only


def parse_procfile(text: str, source: str = "Procfile") -> dict[str, list[str]]:
    """`name: command` lines to argv lists, in file order; blank lines and `#` comments skipped.

    Commands are split with shlex, never handed to a shell, so `&&`, pipes and redirections
    are not available; `$VAR` references are expanded later from the process environment.
    """
    processes: dict[str, list[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, command = line.partition(":")
        name = name.strip()
        if not colon or not _PROCESS_NAME.match(name):
            raise ProcfileError(f"{source}, line {number}: expected 'name: command', got {raw!r}")
        if name in processes:
            raise ProcfileError(f"{source}, line {number}: process {name!r} is defined twice")
        try:
            argv = shlex.split(command)
        except ValueError as error:
            raise ProcfileError(f"{source}, line {number}: {error}") from None
        if not argv:
            raise ProcfileError(f"{source}, line {number}: process {name!r} has no command")
        processes[name] = argv
    return processes


def with_default_web(processes: Mapping[str, list[str]], default_web: str) -> dict[str, list[str]]:
    """The Procfile's processes, with `web` set to `default_web` when the Procfile has none."""
    result = {WEB: shlex.split(default_web)} if WEB not in processes else {}
    result.update(processes)
    return result


def process_count(attributes: Mapping[str, Any], cpu_count: int | None = None) -> int:
    """How many web copies an instance runs, from its `python_app` attributes.

    `instance_count` wins when set; otherwise `per_cpu` times the CPU count, where the CPU count
    is the `cpu_count` attribute, else `cpu_count` given here, else this host's.
    """
    explicit = attributes.get("instance_count")
    if explicit is not None:
        return positive(explicit, "python_app.instance_count")
    cpus = attributes.get("cpu_count") or cpu_count or os.cpu_count() or 1
    per_cpu = positive(attributes.get("per_cpu", 2), "python_app.per_cpu")
    return per_cpu * positive(cpus, "python_app.cpu_count")


def web_ports(base_port: int, count: int) -> list[int]:
    """Ports of web copies 1..count: base_port+1 .. base_port+count."""
    base = positive(base_port, "python_app.base_port")
    if base + count > 65535:
        raise ValueError(f"python_app.base_port: {base} + {count} copies passes port 65535")
    return [base + n for n in range(1, count + 1)]


def release_name(now: datetime | None = None) -> str:
    """A release directory name: the UTC time, e.g. `20261123T120000Z`; they sort by age."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def is_release_name(name: str) -> bool:
    return bool(_RELEASE_NAME.match(name))


def process_environment(
    app: Mapping[str, Any],
    *,
    app_name: str,
    hostname: str,
    host: str,
    venv: str,
    deploy_json: str,
) -> dict[str, str]:
    """What every process of an app sees: the app's environment (secure values included) plus
    HOST, HOSTNAME, STACKWORKS_APP, STACKWORKS_DEPLOY_JSON (the rendered deploy config) and the
    release virtualenv first on PATH. Never log the result: it holds the secure values."""
    environment = {str(k): str(v) for k, v in (app.get("environment") or {}).items()}
    environment.update(
        {
            "HOST": host,
            "HOSTNAME": hostname,
            "STACKWORKS_APP": app_name,
            "STACKWORKS_DEPLOY_JSON": deploy_json,
            "VIRTUAL_ENV": venv,
            "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def expand(argv: list[str], environment: Mapping[str, str]) -> list[str]:
    """`$NAME` and `${NAME}` in each argument from `environment`; unknown names stay as written."""
    return [string.Template(arg).safe_substitute(environment) for arg in argv]


def plan_processes(
    app_name: str,
    processes: Mapping[str, list[str]],
    *,
    environment: Mapping[str, str],
    host: str,
    ports: list[int],
) -> list[Process]:
    """Every process of an app on one instance: `web` once per port, the others once.

    A web command that mentions $PORT or $HOST gets them substituted; any other web command
    gets `-b <host>:<port>` appended (gunicorn's bind option). Bare program names run through
    `/usr/bin/env`, so they resolve on the process's PATH (the release virtualenv first).
    """
    planned: list[Process] = []
    for kind, argv in processes.items():
        if kind == WEB:
            for n, port in enumerate(ports, start=1):
                env = {**environment, "PORT": str(port)}
                mentions = any(_PLACEHOLDER.search(arg) for arg in argv)
                command = expand(argv, env) + ([] if mentions else ["-b", f"{host}:{port}"])
                planned.append(
                    Process(f"{app_name}-{WEB}-{n}", WEB, _resolvable(command), env, port)
                )
        else:
            env = dict(environment)
            planned.append(Process(f"{app_name}-{kind}", kind, _resolvable(expand(argv, env)), env))
    return planned


def _resolvable(argv: list[str]) -> tuple[str, ...]:
    if "/" in argv[0]:
        return tuple(argv)
    return ("/usr/bin/env", *argv)
