"""Seed 001's `deploy.<app>.buildout_init_commands`: extra programs of a Plone app, supervised
next to its clients (a Celery worker, a ZEO server on a single-instance stack ...).

Each item is `{"name": "celeryd", "cmd": "bin/celeryd", "args": "console"}`: `name` makes the
service `<app>-<name>`; `cmd` is a path relative to the release (seed 001's `bin/...`), an
absolute path, or a bare name, which is a console script of the release's venv; `args` is a
string split like a shell would (never run by one) or a list. The programs run in the release
with the clients' environment, plus the Celery broker's URL when `enable_celery` (see
`broker`); with `enable_celery` and no broker found they are left as they are until one is.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.plone_instances import broker

if TYPE_CHECKING:
    from stackworks.converge import Recipe

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")
_CLIENT = re.compile(r"^client\d+$")


@dataclass(frozen=True)
class InitCommand:
    """One program: its service name and argv (absolute program path first)."""

    service: str
    argv: tuple[str, ...]


def parse(items: Any, app_name: str, *, release_dir: str, venv: str) -> list[InitCommand]:
    """The programs of `deploy.<app>.buildout_init_commands`; a bad item is a ValueError
    naming it (`deploy.site.buildout_init_commands[1].cmd: required`)."""
    where = f"deploy.{app_name}.buildout_init_commands"
    if items is None:
        return []
    if isinstance(items, str | Mapping) or not isinstance(items, Sequence):
        raise ValueError(f"{where}: expected a list of {{name, cmd, args}} objects")
    found: list[InitCommand] = []
    for n, item in enumerate(items):
        label = f"{where}[{n}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{label}: expected an object with name, cmd and args")
        name = str(item.get("name") or "")
        if not _NAME.match(name) or _CLIENT.match(name):
            raise ValueError(
                f"{label}.name: {name!r} must be letters, digits, '.', '_' or '-' "
                "(and not client<N>, the clients' own names)"
            )
        cmd = str(item.get("cmd") or "")
        if not cmd:
            raise ValueError(f"{label}.cmd: required")
        args = item.get("args") or []
        try:
            argv = shlex.split(args) if isinstance(args, str) else [str(a) for a in args]
        except ValueError as error:
            raise ValueError(f"{label}.args: {error}") from None
        for value in (cmd, *argv):
            if any(c in value for c in "\n\r\0"):
                raise ValueError(f"{label}: a command or argument holds a line break")
        service = f"{app_name}-{name}"
        if any(other.service == service for other in found):
            raise ValueError(f"{label}.name: {name!r} is used twice")
        found.append(InitCommand(service, (_program(cmd, release_dir, venv), *argv)))
    return found


def service_names(r: Recipe, app_name: str) -> list[str]:
    """The services the app's init commands run as (what retire keeps); names only."""
    items = ((r.node.get("deploy") or {}).get(app_name) or {}).get("buildout_init_commands")
    try:
        return [c.service for c in parse(items, app_name, release_dir="/", venv="/")]
    except ValueError as error:
        r.fail(str(error))


def declare(
    r: Recipe,
    attributes: Mapping[str, Any],
    app_name: str,
    *,
    release_dir: Path,
    venv: Path,
    environment: Mapping[str, str],
    action: tuple[str, ...] | str,
) -> list[InitCommand]:
    """The app's init programs as services in `release_dir` with `environment` (plus the
    broker URL), and shared/broker.env when there is a broker. Returns what was declared."""
    items = ((r.node.get("deploy") or {}).get(app_name) or {}).get("buildout_init_commands")
    try:
        commands = parse(items, app_name, release_dir=str(release_dir), venv=str(venv))
    except ValueError as error:
        r.fail(str(error))
    if not commands:
        return []
    env = dict(environment)
    if attributes.get("enable_celery"):
        url = broker.resolve(r, attributes)
        if url is None:
            r.log(
                f"app {app_name}: enable_celery and no broker online (layer "
                f"{attributes.get('broker_layer') or 'redis'}): its init programs wait for one"
            )
            return []
        env[broker.ENVIRONMENT_KEY] = url
        shared = release_dir.parent.parent / "shared"
        r.file(str(shared / "broker.env"), content=broker.env_file(url), mode=0o644)
    for command in commands:
        r.service(
            command.service,
            command=list(command.argv),
            directory=str(release_dir),
            environment=env,
            action=action,
            stop_signal="TERM",
            stop_timeout=30,
        )
    return commands


def _program(cmd: str, release_dir: str, venv: str) -> str:
    if cmd.startswith("/"):
        return cmd
    if "/" in cmd:
        return f"{release_dir.rstrip('/')}/{cmd}"
    return f"{venv.rstrip('/')}/bin/{cmd}"
