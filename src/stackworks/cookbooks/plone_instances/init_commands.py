"""Seed 001's `deploy.<app>.buildout_init_commands`: more programs of the app (a Celery
worker, say) that supervise like its clients, for either build.

Each item `{"name": "celeryd", "cmd": "bin/celeryd", "args": "worker -l info"}` is the
supervised program `<app>-<name>`: `cmd` (relative to the release: `bin/...` of a buildout,
`.venv/bin/...` of a pip build) with `args` split like a shell would but never run by one,
in the release directory, with the clients' environment. A new release or a changed item
restarts it; `declare.retire` keeps these names with the clients' ones.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class InitCommand:
    """One program: its service name, its command relative to the release, its arguments."""

    service: str
    cmd: str
    args: tuple[str, ...]


def parse(app_name: str, items: Any) -> list[InitCommand]:
    """The app's init commands, each checked; a ValueError names the bad field."""
    label = f"deploy.{app_name}.buildout_init_commands"
    if items is None:
        return []
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise ValueError(f"{label}: expected a list of {{name, cmd, args}}, got {items!r}")
    found: list[InitCommand] = []
    for n, item in enumerate(items):
        where = f"{label}[{n}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: expected an object with name and cmd, got {item!r}")
        name, cmd, args = item.get("name"), item.get("cmd"), item.get("args", "")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"{where}.name: expected a name like celeryd, got {name!r}")
        if (
            not isinstance(cmd, str)
            or not cmd
            or cmd.startswith("/")
            or ".." in cmd.split("/")
            or any(c.isspace() for c in cmd)
        ):
            raise ValueError(f"{where}.cmd: expected a path inside the release, got {cmd!r}")
        if isinstance(args, str):
            try:
                argv = tuple(shlex.split(args))
            except ValueError as error:
                raise ValueError(f"{where}.args: {error}") from None
        elif isinstance(args, Sequence) and all(isinstance(a, str) for a in args):
            argv = tuple(args)
        else:
            raise ValueError(f"{where}.args: expected a string or a list of strings")
        found.append(InitCommand(f"{app_name}-{name}", cmd, argv))
    services = [c.service for c in found]
    if len(set(services)) != len(services):
        raise ValueError(f"{label}: two items have the same name")
    return found
