"""haproxy::enable: put one app instance (args.server) back in rotation and wait until HAProxy's
health checks see it up."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from stackworks.cookbooks.haproxy import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    server = str(r.stack.command.get("args", {}).get("server", ""))
    if not server:
        r.fail("haproxy::enable needs args.server: the hostname to enable")
    r.execute(
        f"enable {server}",
        command=[
            sys.executable,
            "-m",
            "stackworks.cookbooks.haproxy.runtime",
            service.runtime_socket(r),
            "enable",
            server,
            "--timeout",
            str(r.node["haproxy"]["enable_timeout"]),
        ],
    )
