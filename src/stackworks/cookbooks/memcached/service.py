"""The memcached service as the recipes declare it: argv from the attributes, bound to the
instance's private address only (memcached has no authentication of its own)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks import values
from stackworks.cookbooks.values import port, positive

if TYPE_CHECKING:
    from stackworks.converge import Recipe
    from stackworks.converge.resources.service import Service

SERVICE = "memcached"
_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def arguments(settings: Mapping[str, Any], address: str) -> list[str]:
    """memcached's options after the program: -l address -p port -U 0 -m -c -t -u; a bad
    attribute is a ValueError naming it."""
    user = str(settings.get("user") or "")
    if not _USER.match(user):
        raise ValueError(f"memcached.user: {user!r} is not a user name")
    return [
        "-l",
        address,
        "-p",
        str(port(settings.get("port"), "memcached.port")),
        "-U",
        "0",
        "-m",
        str(positive(settings.get("memory"), "memcached.memory")),
        "-c",
        str(positive(settings.get("max_connections"), "memcached.max_connections")),
        "-t",
        str(positive(settings.get("threads"), "memcached.threads")),
        "-u",
        user,
    ]


def declare(r: Recipe, action: tuple[str, ...] | str) -> Service:
    """The memcached service with `action`; a changed argv restarts it (its cache is lost,
    which RelStorage clients survive: they read from the database again)."""
    settings = r.node["memcached"]
    address = r.stack.self.get("private_ip")
    if not address:
        r.fail(f"instance {r.stack.self.get('hostname')} has no private_ip for memcached")
    try:
        found = values.executable(str(settings["binary"]), "memcached.binary", "memcached")
        argv = [found, *arguments(settings, str(address))]
    except ValueError as error:
        r.fail(str(error))
    return r.service(SERVICE, command=argv, action=action, stop_signal="TERM")
