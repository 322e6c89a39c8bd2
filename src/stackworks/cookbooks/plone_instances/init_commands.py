"""Seed 001's `deploy.<app>.buildout_init_commands`: extra programs of a Plone app, supervised
next to its clients (a Celery worker, a ZEO server on a single-instance stack ...), for either
build.

Each item is `{"name": "celeryd", "cmd": "bin/celeryd", "args": "console"}`: `name` makes the
service `<app>-<name>`; `cmd` is a path relative to the release (seed 001's `bin/...`: a
buildout's scripts, or `.venv/bin/...` of a pip build), an absolute path, or a bare name, which
is a script of the build (`bin_dir`: the release venv's `bin/` of a pip build, the buildout's
`bin/` of a buildout build); `args` is a string split like a shell would (never run by one) or
a list. The programs run in the release with the clients' environment, plus the Celery broker's
URL when `enable_celery` (see `broker`); with `enable_celery` and no broker found they are left
as they are until one is. `declare.retire` keeps their names with the clients' ones.
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


def parse(items: Any, app_name: str, *, release_dir: str, bin_dir: str) -> list[InitCommand]:
    """The programs of `deploy.<app>.buildout_init_commands`; a bad item is a ValueError
    naming its field (`deploy.site.buildout_init_commands[1].cmd: required`)."""
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
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name) or _CLIENT.match(name):
            raise ValueError(
                f"{label}.name: {name!r} must be letters, digits, '.', '_' or '-' "
                "(and not client<N>, the clients' own names)"
            )
        program = _program(item.get("cmd"), f"{label}.cmd", release_dir, bin_dir)
        argv = _args(item.get("args"), f"{label}.args")
        service = f"{app_name}-{name}"
        if any(other.service == service for other in found):
            raise ValueError(f"{label}.name: {name!r} is used twice")
        found.append(InitCommand(service, (program, *argv)))
    return found


def items_of(r: Recipe, app_name: str) -> Any:
    """The app's `buildout_init_commands` as the stack gives them (unchecked)."""
    return ((r.node.get("deploy") or {}).get(app_name) or {}).get("buildout_init_commands")


def service_names(r: Recipe, app_name: str) -> list[str]:
    """The services the app's init commands run as (what retire keeps); names only."""
    try:
        commands = parse(items_of(r, app_name), app_name, release_dir="/", bin_dir="/")
    except ValueError as error:
        r.fail(str(error))
    return [c.service for c in commands]


def declare(
    r: Recipe,
    attributes: Mapping[str, Any],
    app_name: str,
    *,
    release_dir: Path,
    bin_dir: Path,
    shared_dir: Path,
    environment: Mapping[str, str],
    action: tuple[str, ...] | str,
) -> list[InitCommand]:
    """The app's init programs as services in `release_dir` with `environment` (plus the
    broker URL), and `shared_dir`/broker.env when there is a broker. Returns what was
    declared."""
    try:
        commands = parse(
            items_of(r, app_name), app_name, release_dir=str(release_dir), bin_dir=str(bin_dir)
        )
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
        r.file(str(shared_dir / "broker.env"), content=broker.env_file(url), mode=0o644)
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


def _program(cmd: Any, label: str, release_dir: str, bin_dir: str) -> str:
    """The program's absolute path: as given, under the release, or under `bin_dir`."""
    if cmd is None or cmd == "":
        raise ValueError(f"{label}: required")
    if not isinstance(cmd, str) or any(c.isspace() or c == "\0" for c in cmd):
        raise ValueError(
            f"{label}: expected one path without spaces (arguments go in args), got {cmd!r}"
        )
    if cmd.startswith("/"):
        return cmd
    if ".." in cmd.split("/"):
        raise ValueError(f"{label}: a relative path must stay inside the release, got {cmd!r}")
    if "/" in cmd:
        return f"{release_dir.rstrip('/')}/{cmd}"
    return f"{bin_dir.rstrip('/')}/{cmd}"


def _args(args: Any, label: str) -> list[str]:
    """`args` as argv: a string split like a shell would, or a list of strings or numbers."""
    if args is None:
        return []
    if isinstance(args, str):
        try:
            argv = shlex.split(args)
        except ValueError as error:
            raise ValueError(f"{label}: {error}") from None
    elif isinstance(args, Sequence) and all(
        isinstance(a, str | int | float) and not isinstance(a, bool) for a in args
    ):
        argv = [str(a) for a in args]
    else:
        raise ValueError(f"{label}: expected a string or a list of strings, got {args!r}")
    if any(c in value for value in argv for c in "\n\r\0"):
        raise ValueError(f"{label}: an argument holds a line break")
    return argv
