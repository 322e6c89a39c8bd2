"""How the nginx recipes run nginx: one definition shared by configure and stop.

nginx runs in the foreground (`-g "daemon off;"`) with its prefix, error log and configuration
under the instance's roots (`-p`, `-e`, `-c`), so nothing is read from or written to /etc/nginx
or /var/log/nginx. HUP makes the master re-read the configuration and replace its workers
gracefully; QUIT stops it after the requests in flight.
"""

from __future__ import annotations

import os
import pwd
import shutil
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.nginx import config

if TYPE_CHECKING:
    from stackworks.converge import Recipe

SERVICE = "nginx"
_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def binary(r: Recipe) -> str:
    name = str(r.node["nginx"]["binary"])
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *_SBIN]))
    if found is None:
        r.fail(
            f"nginx.binary: {name!r} is not installed (looked on PATH and in {', '.join(_SBIN)})"
        )
    return found


def base_arguments(r: Recipe, conf: str) -> list[str]:
    """`-p <prefix> -e <error log> -c <conf>`: nothing outside the instance's roots."""
    paths = config.layout(r.roots)
    return ["-p", f"{paths.prefix}/", "-e", paths.error_log, "-c", conf]


def workers_user(r: Recipe) -> str | None:
    """The `user` directive: only meaningful when nginx starts as root."""
    if os.geteuid() != 0:
        return None
    chosen = r.node["nginx"].get("user")
    if chosen:
        return str(chosen)
    if r.service_manager == "supervisor":
        return pwd.getpwuid(os.geteuid()).pw_name
    return "www-data"


def declare(r: Recipe, action: tuple[str, ...] | str) -> Any:
    """Declare the nginx service with `action`; returns its handle."""
    conf = config.layout(r.roots).conf
    return r.service(
        SERVICE,
        command=[binary(r), *base_arguments(r, conf), "-g", "daemon off;"],
        action=action,
        reload_signal="HUP",
        stop_signal="QUIT",
    )
