"""haproxy::drain: take one app instance (args.server) out of rotation and wait for its sessions
to end, so a rolling deploy can restart it without failing a request."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from stackworks.cookbooks.haproxy import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    server = str(r.stack.command.get("args", {}).get("server", ""))
    if not server:
        r.fail("haproxy::drain needs args.server: the hostname to drain")
    r.execute(
        f"drain {server}",
        command=[
            sys.executable,
            "-m",
            "stackworks.cookbooks.haproxy.runtime",
            service.runtime_socket(r),
            "drain",
            server,
            "--timeout",
            str(r.node["haproxy"]["drain_timeout"]),
        ],
    )
